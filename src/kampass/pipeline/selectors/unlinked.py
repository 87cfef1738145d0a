"""Opportunities without an account (:class:`~kampass.pipeline.models.UnlinkedOpportunity`): who sees
which, the list's search, filter and sort, and the accounts suggested for each company.

Head of KAM, administrators, controllers and viewers see all of them; a key account manager sees the
ones they own (there is no account whose team could make them visible)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from kampass.accounts import facade as accounts_facade
from kampass.pipeline.models import UnlinkedOpportunity
from kampass.users.rules import is_admin, is_head, is_reader

#: legal forms left out when company names are compared ("Acme AG" is "ACME")
_LEGAL_FORMS = frozenset(
    [
        "ag",
        "gmbh",
        "mbh",
        "kg",
        "kgaa",
        "ohg",
        "ug",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "plc",
        "ltd",
        "llc",
        "llp",
        "inc",
        "corp",
        "co",
        "corporation",
        "company",
        "limited",
        "holding",
        "group",
    ]
)
_NON_WORD = re.compile(r"[^\w]+")

#: sort keys of the list: query string value -> fields
SORTS: dict[str, tuple[str, ...]] = {
    "company": ("company_name", "name"),
    "name": ("name", "company_name"),
    "amount": ("amount", "company_name"),
    "stage": ("stage__order", "stage_name"),
    "close": ("expected_close_date", "company_name"),
    "owner": ("owner__last_name", "owner_name"),
    "created": ("created_at", "company_name"),
}

#: how close a name must be to count as a suggestion (difflib's ratio, 0..1)
SIMILAR = 0.8


def normalise_company(name: str) -> str:
    """A company name as compared: case, accents, punctuation and legal forms ignored.

    >>> normalise_company("Acme AG") == normalise_company(" ACME ag.") == normalise_company("Acmé")
    True
    """
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").casefold()
    words = [w for w in _NON_WORD.sub(" ", text).split() if w]
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)


def may_link_unlinked(user: Any) -> bool:
    """Whether ``user`` may link opportunities without an account or create accounts for them."""
    return bool(user.has_perm("pipeline.link_unlinked"))


def unlinked_visible(user: Any) -> QuerySet[UnlinkedOpportunity]:
    """The opportunities without an account ``user`` may see (module docstring)."""
    qs = UnlinkedOpportunity.objects.select_related("stage", "owner")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user) or is_head(user) or is_reader(user):
        return qs
    return qs.filter(owner=user)


@dataclass(frozen=True)
class UnlinkedFilters:
    q: str = ""
    owner: int | None = None
    sort: str = "company"
    descending: bool = False


def unlinked_list(*, user: Any, filters: UnlinkedFilters) -> QuerySet[UnlinkedOpportunity]:
    """The visible opportunities without an account, searched (company or opportunity name, external ids),
    filtered by owner and sorted."""
    qs = unlinked_visible(user)
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(company_name__icontains=q) | Q(name__icontains=q) | Q(company_external_id=q) | Q(external_id=q)
        )
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    fields = SORTS.get(filters.sort, SORTS["company"])
    order = [f"-{f}" if filters.descending else f for f in fields]
    return qs.order_by(*order, "pk")


def unlinked_count(user: Any) -> int:
    """How many opportunities without an account ``user`` sees (the navigation's badge)."""
    return unlinked_visible(user).count()


def unlinked_owner_options(user: Any) -> list[tuple[int, str]]:
    """The owners of the visible opportunities without an account, as (user id, name)."""
    seen: dict[int, str] = {}
    for o in unlinked_visible(user).filter(owner__isnull=False).order_by("owner__last_name", "owner__username"):
        seen.setdefault(o.owner_id, str(o.owner))  # type: ignore[arg-type]
    return list(seen.items())


@dataclass(frozen=True)
class Suggestion:
    """An existing account that may be the company of an opportunity without an account."""

    account_id: int
    name: str
    exact: bool


def suggestions(items: list[UnlinkedOpportunity], *, limit: int = 3) -> dict[int, list[Suggestion]]:
    """``{unlinked id: suggested accounts}``: the account with the company's external id, then accounts whose
    normalised name is the company's, then similar names (difflib ratio at least ``SIMILAR``), best first."""
    if not items:
        return {}
    by_id = accounts_facade.accounts_by_external_id(i.company_external_id for i in items)
    by_norm: dict[str, list[Any]] = {}
    for a in accounts_facade.all_accounts():
        by_norm.setdefault(normalise_company(a.name), []).append(a)
    names = list(by_norm)
    out: dict[int, list[Suggestion]] = {}
    for item in items:
        found: list[Suggestion] = []
        ref = by_id.get(item.company_external_id) if item.company_external_id else None
        if ref is not None:
            found.append(Suggestion(ref.id, ref.name, True))
        norm = normalise_company(item.company_name)
        found += [Suggestion(a.id, a.name, True) for a in by_norm.get(norm, [])]
        for close in difflib.get_close_matches(norm, names, n=limit, cutoff=SIMILAR):
            found += [Suggestion(a.id, a.name, False) for a in by_norm[close]]
        unique: dict[int, Suggestion] = {}
        for s in found:
            unique.setdefault(s.account_id, s)
        out[item.pk] = list(unique.values())[:limit]
    return out
