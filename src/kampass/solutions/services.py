"""Write operations of the solutions context: the solution library, the uses of solutions at
accounts and the co-creation initiatives.

Every function is one transaction, takes keyword arguments only, checks the actor's permission
itself (so the UI, the API, the CLI and the planning context's calls through the facade enforce
the same rules) and validates before it writes: on any error nothing is saved. Accounts and
opportunities are other contexts' objects: they are referred to by id and checked through the
accounts and pipeline facades.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.permissions import authorize
from kampass.pipeline import facade as pipeline_facade
from kampass.solutions.models import Initiative, Solution, SolutionStatus, SolutionUse, Stage, StageChange
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save

SOLUTION_FIELDS = ("name", "problem", "value_proposition", "segments", "components", "evidence", "status")
INITIATIVE_FIELDS = (
    "name",
    "description",
    "account_ids",
    "effort_hours",
    "effort_cost",
    "currency",
    "starts",
    "ends",
    "opportunity_ids",
    "product_groups",
    "solution",
)


def _account_model() -> type[models.Model]:
    """The account model, reached through this context's own foreign key (not imported)."""
    model = SolutionUse._meta.get_field("account").related_model
    assert isinstance(model, type)
    return model


def _account(account_id: int, *, field: str = "account_id") -> Any:
    account = _account_model()._default_manager.filter(pk=account_id).first()
    if account is None:
        raise ValidationError({field: _("There is no account with id %(id)s.") % {"id": account_id}})
    return account


def _clean_segments(value: str) -> str:
    """Segments as a tidy comma-separated list (blanks dropped, duplicates removed, order kept)."""
    seen: dict[str, None] = {}
    for part in (value or "").split(","):
        part = part.strip()
        if part and part.casefold() not in {s.casefold() for s in seen}:
            seen[part] = None
    return ", ".join(seen)


# ---------------------------------------------------------------- solutions


def _validate_solution(solution: Solution) -> None:
    solution.name = (solution.name or "").strip()
    solution.segments = _clean_segments(solution.segments)
    errors: dict[str, str] = {}
    if not solution.name:
        errors["name"] = _("Give the solution a name.")
    elif Solution.objects.filter(name__iexact=solution.name).exclude(pk=solution.pk).exists():
        errors["name"] = _("A solution of this name exists already.")
    if solution.status not in SolutionStatus.values:
        errors["status"] = _("Unknown status “%(value)s”.") % {"value": solution.status}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def solution_create(
    *,
    actor: Actor,
    name: str,
    problem: str = "",
    value_proposition: str = "",
    segments: str = "",
    components: str = "",
    evidence: str = "",
    status: str = SolutionStatus.ACTIVE,
) -> Solution:
    """Add a solution to the library (texts as entered)."""
    authorize(actor, "solutions.add_solution")
    solution = Solution(
        name=name,
        problem=problem or "",
        value_proposition=value_proposition or "",
        segments=segments or "",
        components=components or "",
        evidence=evidence or "",
        status=status,
        created_by=actor if _is_user(actor) else None,
    )
    _validate_solution(solution)
    _save(solution, actor)
    return solution


@transaction.atomic
def solution_update(*, actor: Actor, solution: Solution, version: int | None = None, **changes: Any) -> Solution:
    """Change a solution's texts or status. ``version``: the version the change is based on
    (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "solutions.change_solution", solution)
    reject_unknown_fields(changes, SOLUTION_FIELDS, what="solution")
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    expect_version(solution, version)
    for key, value in changes.items():
        setattr(solution, key, value if value is not None else "")
    _validate_solution(solution)
    _save(solution, actor)
    return solution


@transaction.atomic
def solution_retire(*, actor: Actor, solution: Solution, version: int | None = None) -> Solution:
    """Retire a solution: it is no longer offered; its uses and history stay."""
    authorize(actor, "solutions.change_solution", solution)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    expect_version(solution, version)
    if solution.status == SolutionStatus.RETIRED:
        raise ValidationError({"status": _("The solution is retired already.")})
    solution.status = SolutionStatus.RETIRED
    _save(solution, actor)
    return solution


@transaction.atomic
def solution_delete(*, actor: Actor, solution: Solution, version: int | None = None) -> None:
    """Remove a solution and its uses (retiring it keeps the record); initiatives that produced it keep
    their data without the link."""
    authorize(actor, "solutions.delete_solution", solution)
    expect_saved_version(solution, version)
    _delete(solution, actor)


# ---------------------------------------------------------------- uses


def use_lookup(opportunity_id: int | None, plan_id: int | None) -> dict[str, Any]:
    """The filter that finds a use by its opportunity and plan (``None``: a use without one)."""
    return {
        "opportunity__isnull" if opportunity_id is None else "opportunity_id": True
        if opportunity_id is None
        else opportunity_id,
        "plan_id__isnull" if plan_id is None else "plan_id": True if plan_id is None else plan_id,
    }


@transaction.atomic
def solution_use_link(
    *,
    actor: Actor,
    solution: Solution,
    account_id: int,
    opportunity_id: int | None = None,
    plan_id: int | None = None,
    note: str = "",
    reference: bool = False,
) -> SolutionUse:
    """Record that ``solution`` is used at account ``account_id`` (for an opportunity of that account
    or its subsidiaries, in an account plan of the planning context, or generally). Linking the same
    use again changes only its note and reference mark (no duplicate)."""
    account = _account(account_id)
    authorize(actor, "solutions.link_use", account)
    solution = Solution.objects.get(pk=solution.pk)  # its status as saved now, not as the caller loaded it
    if solution.status == SolutionStatus.RETIRED:
        raise ValidationError({"solution": _("A retired solution cannot be linked to new uses.")})
    if opportunity_id is not None:
        refs = pipeline_facade.opportunity_refs([opportunity_id])
        if not refs:
            raise ValidationError(
                {"opportunity_id": _("There is no opportunity with id %(id)s.") % {"id": opportunity_id}}
            )
        if refs[0].account_id not in accounts_facade.subtree_account_ids(account.pk):
            raise ValidationError({"opportunity_id": _("The opportunity belongs to another account.")})
    if plan_id is not None and plan_id < 1:
        raise ValidationError({"plan_id": _("A plan id is a positive number.")})
    use = SolutionUse.objects.filter(
        solution=solution, account_id=account.pk, **use_lookup(opportunity_id, plan_id)
    ).first()
    if use is None:
        use = SolutionUse(
            solution=solution,
            account_id=account.pk,
            opportunity_id=opportunity_id,
            plan_id=plan_id,
            created_by=actor if _is_user(actor) else None,
        )
    use.note = (note or "").strip()
    use.reference = bool(reference)
    _save(use, actor)
    return use


@transaction.atomic
def solution_use_unlink(*, actor: Actor, use: SolutionUse) -> None:
    """Remove a use of a solution at an account."""
    authorize(actor, "solutions.unlink_use", use)
    _delete(use, actor)


@transaction.atomic
def plan_uses_copy(*, from_plan_id: int, to_plan_id: int, by_user_id: int | None = None) -> int:
    """Copy the uses of an account plan to its new version (same account, opportunity, note and
    reference mark), leaving out retired solutions and uses the new version has already. No
    permission check of its own: the planning context calls it from its new-version service, which
    checked the actor's right to change the plan. Returns how many uses were created."""
    existing = set(SolutionUse.objects.filter(plan_id=to_plan_id).values_list("solution_id", "opportunity_id"))
    created = 0
    for use in SolutionUse.objects.filter(plan_id=from_plan_id).select_related("solution").order_by("pk"):
        if use.solution.status == SolutionStatus.RETIRED or (use.solution_id, use.opportunity_id) in existing:
            continue
        SolutionUse.objects.create(
            solution_id=use.solution_id,
            account_id=use.account_id,
            opportunity_id=use.opportunity_id,
            plan_id=to_plan_id,
            note=use.note,
            reference=use.reference,
            created_by_id=by_user_id,
        )
        created += 1
    return created


# ---------------------------------------------------------------- initiatives


def _key_accounts(ids: Iterable[int], *, actor: Actor, current: Iterable[int] = ()) -> list[int]:
    """The ids, checked: each a key account; a key account manager adds only accounts they may edit."""
    ids = list(dict.fromkeys(ids))
    keys = {a.id for a in accounts_facade.key_account_refs()}
    missing = [i for i in ids if i not in keys]
    if missing:
        raise ValidationError(
            {"account_ids": _("No key account with id %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}}
        )
    if not ids:
        raise ValidationError({"account_ids": _("Choose at least one key account.")})
    added = set(ids) - set(current)
    if added and not actor.has_perm("solutions.delete_initiative"):  # not a manager: only own accounts
        model = _account_model()
        for account in model._default_manager.filter(pk__in=added):
            if not accounts_facade.is_on_team(actor, account):
                raise ValidationError(
                    {
                        "account_ids": _("You may only add key accounts on whose team you are: %(name)s.")
                        % {"name": account}
                    }
                )
    return ids


def _opportunities(ids: Iterable[int], account_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(ids))
    refs = {r.id: r for r in pipeline_facade.opportunity_refs(ids)}
    missing = [i for i in ids if i not in refs]
    if missing:
        raise ValidationError(
            {"opportunity_ids": _("No opportunity with id %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}}
        )
    allowed = {i for ids in accounts_facade.subtree_account_ids_of(account_ids).values() for i in ids}
    foreign = [r.name for r in refs.values() if r.account_id not in allowed]
    if foreign:
        raise ValidationError(
            {
                "opportunity_ids": _("Not an opportunity of the initiative's accounts: %(names)s.")
                % {"names": ", ".join(foreign)}
            }
        )
    return ids


def _clean_groups(groups: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(g.strip() for g in groups if g and g.strip()))


def _validate_initiative(initiative: Initiative) -> None:
    initiative.name = (initiative.name or "").strip()
    errors: dict[str, str] = {}
    if not initiative.name:
        errors["name"] = _("Give the initiative a name.")
    if initiative.starts is None:
        errors["starts"] = _("Give the start date.")
    elif initiative.ends is not None and initiative.ends < initiative.starts:
        errors["ends"] = _("The end must not lie before the start.")
    if initiative.effort_hours is not None and Decimal(initiative.effort_hours) < 0:
        errors["effort_hours"] = _("The effort cannot be negative.")
    if initiative.effort_cost is not None and Decimal(initiative.effort_cost) < 0:
        errors["effort_cost"] = _("The effort cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def initiative_create(
    *,
    actor: Actor,
    name: str,
    account_ids: Iterable[int],
    starts: dt.date,
    description: str = "",
    stage: str = Stage.IDEA,
    effort_hours: Decimal = Decimal(0),
    effort_cost: Decimal = Decimal(0),
    currency: str = "EUR",
    ends: dt.date | None = None,
    opportunity_ids: Iterable[int] = (),
    product_groups: Iterable[str] = (),
    solution: Solution | None = None,
) -> Initiative:
    """Start a co-creation initiative with one or more key accounts; its first stage is recorded
    (dated ``starts``)."""
    authorize(actor, "solutions.add_initiative")
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage “%(value)s”.") % {"value": stage}})
    accounts = _key_accounts(account_ids, actor=actor)
    opportunities = _opportunities(opportunity_ids, accounts)
    initiative = Initiative(
        name=name,
        description=description or "",
        stage=stage,
        stage_since=starts or timezone.localdate(),
        effort_hours=effort_hours,
        effort_cost=effort_cost,
        currency=(currency or "EUR").upper(),
        starts=starts,
        ends=ends,
        product_groups=_clean_groups(product_groups),
        solution=solution,
        created_by=actor if _is_user(actor) else None,
    )
    _validate_initiative(initiative)
    _save(initiative, actor)
    initiative.accounts.set(accounts)
    initiative.opportunities.set(opportunities)
    StageChange.objects.create(
        initiative=initiative,
        from_stage="",
        to_stage=stage,
        on=initiative.stage_since,
        changed_by=actor if _is_user(actor) else None,
    )
    return initiative


@transaction.atomic
def initiative_update(
    *, actor: Actor, initiative: Initiative, version: int | None = None, **changes: Any
) -> Initiative:
    """Change an initiative's data (not its stage: ``initiative_move``). ``version``: as for
    ``solution_update``."""
    authorize(actor, "solutions.change_initiative", initiative)
    reject_unknown_fields(changes, INITIATIVE_FIELDS, what="initiative")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expect_version(initiative, version)
    current = list(initiative.accounts.values_list("pk", flat=True))
    accounts = current
    if "account_ids" in changes:
        accounts = _key_accounts(changes.pop("account_ids"), actor=actor, current=current)
    opportunity_ids = changes.pop("opportunity_ids", None)
    if opportunity_ids is None and "account_ids" in changes:
        opportunity_ids = list(initiative.opportunities.values_list("pk", flat=True))
    if opportunity_ids is not None:
        opportunity_ids = _opportunities(opportunity_ids, accounts)
    if "product_groups" in changes:
        changes["product_groups"] = _clean_groups(changes["product_groups"] or [])
    if "currency" in changes:
        changes["currency"] = (changes["currency"] or "EUR").upper()
    for key, value in changes.items():
        setattr(initiative, key, value)
    _validate_initiative(initiative)
    _save(initiative, actor)
    if accounts != current:
        initiative.accounts.set(accounts)
    if opportunity_ids is not None:
        initiative.opportunities.set(opportunity_ids)
    return initiative


@transaction.atomic
def initiative_move(
    *, actor: Actor, initiative: Initiative, stage: str, on: dt.date | None = None, version: int | None = None
) -> Initiative:
    """Move an initiative to another stage on ``on`` (default today); the change is recorded with its date."""
    authorize(actor, "solutions.change_initiative", initiative)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage “%(value)s”.") % {"value": stage}})
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expect_version(initiative, version)
    if stage == initiative.stage:
        raise ValidationError({"stage": _("The initiative is in this stage already.")})
    day = on or timezone.localdate()
    if day < initiative.stage_since:
        raise ValidationError({"on": _("The date lies before the current stage began.")})
    previous = initiative.stage
    initiative.stage, initiative.stage_since = stage, day
    if stage == Stage.STOPPED and initiative.ends is None:
        initiative.ends = max(day, initiative.starts)
    _save(initiative, actor)
    StageChange.objects.create(
        initiative=initiative,
        from_stage=previous,
        to_stage=stage,
        on=day,
        changed_by=actor if _is_user(actor) else None,
    )
    return initiative


@transaction.atomic
def initiative_delete(*, actor: Actor, initiative: Initiative, version: int | None = None) -> None:
    """Remove an initiative (stopping it keeps it in the figures)."""
    authorize(actor, "solutions.delete_initiative", initiative)
    expect_saved_version(initiative, version)
    _delete(initiative, actor)
