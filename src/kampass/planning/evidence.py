"""The evidence a SWOT item may cite: an opportunity, a risk or a contact of the plan's account (and
the accounts below it), asked of the pipeline and accounts contexts through their facades."""

from __future__ import annotations

from dataclasses import dataclass

from kampass.accounts import facade as accounts_facade
from kampass.pipeline import facade as pipeline_facade


@dataclass(frozen=True)
class Evidence:
    """One citable item: its kind (opportunity, risk, contact), id and label."""

    kind: str
    id: int
    label: str


def choices(account_id: int, kind: str) -> list[Evidence]:
    """The items of ``kind`` of the account's subtree that a SWOT item of its plan may cite."""
    ids = accounts_facade.subtree_account_ids(account_id)
    if kind == "opportunity":
        return [Evidence(kind, r.id, r.label) for r in pipeline_facade.account_opportunity_refs(ids)]
    if kind == "risk":
        return [Evidence(kind, r.id, r.label) for r in pipeline_facade.risk_refs(ids)]
    if kind == "contact":
        return [Evidence(kind, r.id, r.label) for r in accounts_facade.contact_refs(ids)]
    return []


def all_choices(account_id: int) -> dict[str, list[Evidence]]:
    """``{kind: [Evidence, ...]}`` for the picker of a plan's SWOT editor."""
    return {kind: choices(account_id, kind) for kind in ("opportunity", "risk", "contact")}


def labels(account_id: int) -> dict[tuple[str, int], str]:
    """``{(kind, id): label}`` of everything citable, to show what SWOT items cite."""
    return {(e.kind, e.id): e.label for items in all_choices(account_id).values() for e in items}
