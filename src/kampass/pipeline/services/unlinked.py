"""Opportunities without an account (:class:`~kampass.pipeline.models.UnlinkedOpportunity`): link them to
an existing account, or create the accounts from their companies and link them.

Both go through :func:`~kampass.pipeline.services.opportunities.opportunity_create`, so the new
opportunities get the same permission checks, stage history, change history and scoring as any other;
stage, amount, currency, dates, owner, source and external id are kept. The unlinked records are deleted
in the same transaction: all or nothing. Only those who may import opportunities (head of KAM,
administrators) may link or convert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.accounts.models import Account
from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, Outcome, UnlinkedOpportunity
from kampass.pipeline.selectors.unlinked import normalise_company
from kampass.pipeline.services.opportunities import opportunity_create
from kampass.users.actors import Actor


def _locked(items: Iterable[UnlinkedOpportunity | int]) -> list[UnlinkedOpportunity]:
    """The unlinked opportunities of ``items`` (records or ids), locked until the transaction ends; refuses
    an empty selection or one of which some were linked meanwhile."""
    ids = sorted({i if isinstance(i, int) else i.pk for i in items})
    if not ids:
        raise ValidationError({"items": _("Select at least one opportunity.")})
    found = list(UnlinkedOpportunity.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        raise ValidationError(
            {"items": _("Some of the selected opportunities have been linked or removed meanwhile; reload the list.")}
        )
    return found


def _link_one(actor: Actor, item: UnlinkedOpportunity, account: Account) -> Opportunity:
    if item.stage is None:
        raise ValidationError(
            {"stage": _("“%(name)s” has no stage of the sales process (“%(stage)s”).")
             % {"name": item.name, "stage": item.stage_name}}
        )  # fmt: skip
    if item.external_id and Opportunity.objects.filter(source=item.source, external_id=item.external_id).exists():
        raise ValidationError(
            {"items": _("An opportunity with the external id %(id)s exists already (imported meanwhile).")
             % {"id": item.external_id}}
        )  # fmt: skip
    reason = ""
    if item.outcome == Outcome.LOST:
        reason = _("Lost according to the imported file %(file)s.") % {"file": item.import_file or item.source}
    opportunity = opportunity_create(
        actor=actor,
        account=account,
        name=item.name,
        amount=item.amount,
        currency=item.currency,
        stage=item.stage,
        reason=reason,
        closed_on=item.closed_on,
        description=item.description,
        owner=item.owner,
        owner_name=item.owner_name,
        expected_close_date=item.expected_close_date,
        owner_probability=item.owner_probability,
        forecast_category=item.forecast_category,
        lead_source=item.lead_source,
        opportunity_type=item.opportunity_type,
        created_on=item.created_on,
        source=item.source,
        external_id=item.external_id,
    )
    item.delete()
    return opportunity


@transaction.atomic
def unlinked_link(*, actor: Actor, items: Iterable[UnlinkedOpportunity | int], account: Account) -> list[Opportunity]:
    """Turn the selected opportunities without an account into opportunities of ``account`` (module
    docstring); returns the new opportunities."""
    authorize(actor, "pipeline.link_unlinked")
    return [_link_one(actor, item, account) for item in _locked(items)]


@dataclass
class ConvertResult:
    """What :func:`unlinked_convert` did: the accounts it created (and existing ones it used, found by the
    company's external id) and the opportunities it linked."""

    accounts_created: list[accounts_facade.AccountRef] = field(default_factory=list)
    accounts_used: list[accounts_facade.AccountRef] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedAccount:
    """An account :func:`unlinked_convert` would create for one company (or the existing one it would use)."""

    key: str
    name: str
    external_id: str
    country: str
    parent: str
    opportunities: int
    existing_id: int | None = None


def convert_plan(items: Iterable[UnlinkedOpportunity]) -> list[PlannedAccount]:
    """The accounts converting ``items`` makes: one per company (by the company's external id, else its
    normalised name), parents before their children; an account that already has the company's external id
    is used instead of a new one. For the confirmation page and :func:`unlinked_convert`."""
    groups: dict[str, list[UnlinkedOpportunity]] = {}
    for item in items:
        groups.setdefault(item.company_key, []).append(item)
    existing = accounts_facade.accounts_by_external_id(
        first.company_external_id for first in (g[0] for g in groups.values())
    )
    plans: dict[str, PlannedAccount] = {}
    for key, group in groups.items():
        first = group[0]
        ref = existing.get(first.company_external_id) if first.company_external_id else None
        plans[key] = PlannedAccount(
            key=key,
            name=first.company_name.strip()[:200],
            external_id=first.company_external_id,
            country=next((str(i.country) for i in group if i.country), ""),
            parent=next((i.parent_company for i in group if i.parent_company), ""),
            opportunities=len(group),
            existing_id=ref.id if ref else None,
        )
    return _parents_first(plans)


def _batch_key(ref: str, plans: dict[str, PlannedAccount]) -> str | None:
    """The key of the company of this batch a parent reference (external id or name) names, if any."""
    if f"id:{ref}" in plans:
        return f"id:{ref}"
    by_name = [k for k, p in plans.items() if normalise_company(p.name) == normalise_company(ref)]
    return by_name[0] if len(by_name) == 1 else None


def _parents_first(plans: dict[str, PlannedAccount]) -> list[PlannedAccount]:
    ordered: list[PlannedAccount] = []
    placed: set[str] = set()

    def place(key: str, seen: frozenset[str]) -> None:
        if key in placed or key in seen:
            return
        parent_key = _batch_key(plans[key].parent, plans) if plans[key].parent else None
        if parent_key and parent_key != key:
            place(parent_key, seen | {key})
        placed.add(key)
        ordered.append(plans[key])

    for key in sorted(plans, key=lambda k: plans[k].name.casefold()):
        place(key, frozenset())
    return ordered


def _existing_parent(ref: str) -> int | None:
    """An existing account a parent reference names: by external id, else by name when only one has it."""
    by_id = accounts_facade.accounts_by_external_id([ref])
    if ref in by_id:
        return by_id[ref].id
    matches = [a.id for a in accounts_facade.all_accounts() if normalise_company(a.name) == normalise_company(ref)]
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def unlinked_convert(*, actor: Actor, items: Iterable[UnlinkedOpportunity | int]) -> ConvertResult:
    """Create one account per company of the selected opportunities without an account (with the company's
    country, external id and industry; below its parent when the parent is an existing account or another
    company converted here), then link the opportunities to them (module docstring). An account that already
    carries the company's external id is used, not duplicated; all or nothing."""
    authorize(actor, "pipeline.link_unlinked")
    locked = _locked(items)
    result = ConvertResult()
    account_of: dict[str, int] = {}
    plans = convert_plan(locked)
    by_key = {p.key: p for p in plans}
    for plan in plans:
        if plan.existing_id is not None:
            account_of[plan.key] = plan.existing_id
            ref = accounts_facade.account_ref(plan.existing_id)
            if ref is not None:
                result.accounts_used.append(ref)
            continue
        parent_id = None
        if plan.parent:
            parent_key = _batch_key(plan.parent, by_key)
            parent_id = account_of.get(parent_key) if parent_key and parent_key != plan.key else None
            if parent_id is None:
                parent_id = _existing_parent(plan.parent)
        first = next(i for i in locked if i.company_key == plan.key)
        ref = accounts_facade.account_create(
            actor=actor, name=plan.name, country=plan.country, external_id=plan.external_id,
            industry=first.company_industry, parent_id=parent_id,
        )  # fmt: skip
        account_of[plan.key] = ref.id
        result.accounts_created.append(ref)
    accounts = Account.objects.in_bulk(set(account_of.values()))
    for item in locked:
        result.opportunities.append(_link_one(actor, item, accounts[account_of[item.company_key]]))
    return result
