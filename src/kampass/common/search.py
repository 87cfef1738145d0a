"""Global search: what each context finds for a query, grouped by type.

The search field of every page (``/search/``) and the API (``GET /api/v1/search``) ask each context for
matches without importing it: a context registers its searcher when Django starts (``AppConfig.ready``),
a function of its facade that reads through the context's own search selector, so that the context's
visibility rules decide what a user finds (the same rules as its list page). A searcher answers one
query, however many rows match: at most ``limit`` hits, the best first (a name that begins with the
query before one that only contains it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

#: a shorter query finds too much to be useful (and cannot be answered fast on large tables)
MIN_QUERY_LENGTH = 2
#: longer queries are cut (nothing kampass stores is searched by more than a name)
MAX_QUERY_LENGTH = 100
#: the hits shown per group; the group's "show all" link leads to its list page
GROUP_LIMIT = 8


@dataclass(frozen=True)
class SearchHit:
    """One thing found: what it is called, what places it (e.g. the account of a deal), where it is."""

    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class SearchGroup:
    """The hits of one type. ``more``: there are more than those shown; ``more_url``: the type's list page
    filtered by the query (empty when the list cannot search)."""

    key: str
    label: str
    hits: tuple[SearchHit, ...]
    more: bool
    more_url: str


#: ``searcher(*, user, q, limit)``: at most ``limit`` hits for the (normalised) query ``q``, best first
Searcher = Callable[..., list[SearchHit]]


@dataclass(frozen=True)
class _Registered:
    key: str
    label: Any  # a lazy translation: the group's heading in the user's language
    searcher: Searcher
    order: int
    list_url_name: str


_searchers: dict[str, _Registered] = {}


def register_searcher(key: str, *, label: Any, searcher: Searcher, order: int, list_url_name: str = "") -> None:
    """Search ``searcher`` under ``key`` (its group, headed ``label``; groups in ascending ``order``).
    ``list_url_name`` names the list page that searches the same things with ``?q=`` (its "show all")."""
    _searchers[key] = _Registered(key, label, searcher, order, list_url_name)


def unregister_searcher(key: str) -> None:
    """Forget the searcher of ``key`` (tests)."""
    _searchers.pop(key, None)


def normalise_query(q: str | None) -> str:
    """The query as searched: control and text-direction characters dropped (PostgreSQL cannot compare a
    text holding NUL), white space collapsed, at most ``MAX_QUERY_LENGTH`` characters.

    >>> normalise_query("  Acme \\n  Corp\\x00  ")
    'Acme Corp'
    """
    printable = "".join(c for c in (q or "") if c.isprintable() or c.isspace())
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


def query_too_short(q: str) -> bool:
    """Whether the normalised query is too short to search.

    >>> query_too_short("a"), query_too_short("ab")
    (True, False)
    """
    return len(q) < MIN_QUERY_LENGTH


def search(*, user: Any, q: str, limit: int = GROUP_LIMIT) -> list[SearchGroup]:
    """The groups with hits for ``q`` (normalised first; nothing for a query that is too short), in the
    registered order; each searcher is asked for one hit more than shown, which tells whether there are more."""
    q = normalise_query(q)
    if query_too_short(q):
        return []
    groups = []
    for entry in sorted(_searchers.values(), key=lambda e: (e.order, e.key)):
        hits = entry.searcher(user=user, q=q, limit=limit + 1)
        if not hits:
            continue
        more_url = f"{reverse(entry.list_url_name)}?{urlencode({'q': q})}" if entry.list_url_name else ""
        groups.append(
            SearchGroup(
                key=entry.key,
                label=str(entry.label),
                hits=tuple(hits[:limit]),
                more=len(hits) > limit,
                more_url=more_url,
            )
        )
    return groups
