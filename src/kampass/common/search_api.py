"""``GET /api/v1/search``: the global search, as the search page of the UI (:mod:`kampass.common.search`):
what the caller may see of each type that matches the query, grouped, at most a few hits per group."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kampass.common import search as global_search
from kampass.common.api import ERRORS, InSchema, actor

router = Router(tags=["search"])


class SearchIn(InSchema):
    q: str = Field(
        ...,
        min_length=global_search.MIN_QUERY_LENGTH,
        max_length=200,
        description=(
            "What to look for, in any case: part of a name (of an account, contact, opportunity, or the account "
            "of a plan), an email or an exact external id. White space is collapsed and the query cut to "
            f"{global_search.MAX_QUERY_LENGTH} characters; a query shorter than "
            f"{global_search.MIN_QUERY_LENGTH} characters after that finds nothing."
        ),
    )


class SearchHitOut(Schema):
    title: str
    subtitle: str = Field(description="What places the hit, e.g. the account and stage of an opportunity.")
    url: str = Field(description="The hit's page in the UI (a path).")


class SearchGroupOut(Schema):
    key: str = Field(description="The type: accounts, contacts, opportunities, plans, concept (the reference texts).")
    label: str = Field(description="The type's name in the caller's language.")
    hits: list[SearchHitOut]
    more: bool = Field(description="Whether there are more hits than those listed.")
    more_url: str = Field(description="The type's list page in the UI filtered by the query (a path), or empty.")


class SearchOut(Schema):
    q: str = Field(description="The query as searched.")
    groups: list[SearchGroupOut] = Field(description="The types with hits, best hits first in each.")


@router.get("/search", response={200: SearchOut, **ERRORS})
def search(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    """Search accounts, contacts, opportunities, account plans and the concept's reference texts at once:
    only what the caller may see, at most eight hits per type (a name beginning with the query first), with a
    link to the full list where there is one."""
    q = global_search.normalise_query(params.q)
    return {"q": q, "groups": global_search.search(user=actor(request), q=q)}
