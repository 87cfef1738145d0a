"""Writes of the selection portfolio: publishing a catalogue version, rating an account, opening a
selection round with its proposals, deciding an account in a round, closing the round.

Every function is one transaction, takes keyword arguments only, checks the actor's permission itself
(UI, API and CLI enforce the same rules) and validates before it writes: on any error nothing is saved.
A decision that changes an account's KAM status changes it through the accounts facade, which records
the dated change with the actor and the reason in the account's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import kampass.screening.rules_selection  # noqa: F401  (registers the permissions)
from kampass.accounts import facade as accounts_facade
from kampass.common.permissions import authorize
from kampass.core.screening import portfolio as core
from kampass.screening import selectors_selection as selectors
from kampass.screening.models.selection import (
    DEFAULT_LABELS,
    Catalogue,
    Criterion,
    CriterionKind,
    Decision,
    Dimension,
    Rating,
    RoundStatus,
    SelectionRound,
)
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion as the head of KAM configures it for a new catalogue version."""

    key: str
    label: str
    dimension: str
    kind: str
    weight: Decimal


def _validate_specs(specs: Sequence[CriterionSpec]) -> None:
    errors: list[str] = []
    keys = [s.key for s in specs]
    if not specs:
        errors.append(_("A catalogue needs at least one criterion."))
    if len(set(keys)) != len(keys):
        errors.append(_("Each criterion key may appear only once."))
    for s in specs:
        if s.dimension not in Dimension.values:
            errors.append(
                _("Unknown dimension “%(value)s” of criterion “%(key)s”.") % {"value": s.dimension, "key": s.key}
            )
        if s.kind not in CriterionKind.values:
            errors.append(_("Unknown kind “%(value)s” of criterion “%(key)s”.") % {"value": s.kind, "key": s.key})
        if s.kind == CriterionKind.COMPUTED and s.key not in core.SCORING:
            errors.append(
                _("“%(key)s” cannot be computed: the computed criteria are %(keys)s.")
                % {"key": s.key, "keys": ", ".join(sorted(core.SCORING))}
            )
        if s.weight < 0:
            errors.append(_("The weight of “%(key)s” must not be negative.") % {"key": s.key})
        if not s.label.strip():
            errors.append(_("Criterion “%(key)s” needs a label.") % {"key": s.key})
    for d in Dimension.values:
        if specs and not any(s.dimension == d and s.weight > 0 for s in specs):
            errors.append(_("Each dimension needs a criterion with a weight above 0."))
            break
    if errors:
        raise ValidationError({"criteria": errors})


@transaction.atomic
def catalogue_publish(
    *, actor: Actor, criteria: Sequence[CriterionSpec], note: str = "", threshold: Decimal | None = None
) -> Catalogue:
    """Publish the next catalogue version with these criteria (the new version is in force)."""
    authorize(actor, "screening.configure_criteria")
    _validate_specs(criteria)
    newest = Catalogue.objects.select_for_update().order_by("-number").first()
    catalogue = Catalogue(
        number=(newest.number + 1) if newest else 1,
        note=note.strip(),
        threshold=threshold if threshold is not None else (newest.threshold if newest else Decimal(50)),
        published_by=actor if _is_user(actor) else None,
    )
    _save(catalogue, actor)
    for i, s in enumerate(criteria):
        c = Criterion(
            catalogue=catalogue, key=s.key, label=s.label.strip(), dimension=s.dimension, kind=s.kind,
            weight=s.weight, position=i,
        )  # fmt: skip
        c.full_clean()
        c.save()
    return catalogue


def catalogue_specs(catalogue: Catalogue) -> list[CriterionSpec]:
    """The criteria of a catalogue as specs (to publish a changed copy)."""
    return [
        CriterionSpec(c.key, c.label, c.dimension, c.kind, c.weight) for c in selectors.catalogue_criteria(catalogue)
    ]


def _account(account_id: int) -> Any:
    model = Rating._meta.get_field("account").related_model
    assert isinstance(model, type)
    account = model._default_manager.filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"account_id": _("There is no account with id %(id)s.") % {"id": account_id}})
    return account


@transaction.atomic
def rating_create(*, actor: Actor, account_id: int, criterion_key: str, value: int, justification: str) -> Rating:
    """Rate an account 1–5 on a rated criterion of the catalogue in force, with a justification."""
    account = _account(account_id)
    authorize(actor, "screening.rate_account", account)
    catalogue = selectors.current_catalogue()
    rated = (
        {c.key for c in selectors.catalogue_criteria(catalogue) if c.kind == CriterionKind.RATED}
        if catalogue
        else set()
    )
    errors: dict[str, str] = {}
    if criterion_key not in rated:
        errors["criterion_key"] = _("“%(key)s” is not a rated criterion of the catalogue in force.") % {
            "key": criterion_key
        }
    if not isinstance(value, int) or not 1 <= value <= 5:
        errors["value"] = _("A rating lies between 1 and 5.")
    if not (justification or "").strip():
        errors["justification"] = _("Say why you rate the account so.")
    if errors:
        raise ValidationError(errors)
    rating = Rating(
        account=account, criterion_key=criterion_key, value=value, justification=justification.strip(),
        rated_by=actor if _is_user(actor) else None,
    )  # fmt: skip
    rating.full_clean()
    rating.save()
    return rating


def _decimal(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(str(round(x, 2)))


@transaction.atomic
def round_open(*, actor: Actor, period: str, as_of: dt.date | None = None) -> SelectionRound:
    """Open a selection round for ``period``: score every account with the catalogue in force as of
    ``as_of`` (default today) and record the proposal for each."""
    authorize(actor, "screening.decide_round")
    period = (period or "").strip()
    catalogue = selectors.current_catalogue()
    if not period:
        raise ValidationError({"period": _("Name the period of the round, e.g. “2026 H2”.")})
    if catalogue is None:
        raise ValidationError({"period": _("Publish a criteria catalogue first.")})
    if SelectionRound.objects.filter(period__iexact=period).exists():
        raise ValidationError({"period": _("There is a round for this period already.")})
    if SelectionRound.objects.filter(status=RoundStatus.OPEN).exists():
        raise ValidationError({"period": _("Close the open round before opening the next.")})
    day = as_of or timezone.localdate()
    selection_round = SelectionRound(
        period=period, as_of=day, catalogue=catalogue, opened_by=actor if _is_user(actor) else None,
        currency=selectors.reporting_currency(),
    )  # fmt: skip
    _save(selection_round, actor)
    view = selectors.portfolio(as_of=day, catalogue=catalogue)
    for row in view.rows:
        proposal = core.propose(row.account.id, row.account.kam_status, row.score.quadrant)
        Decision.objects.create(
            round=selection_round,
            account_id=row.account.id,
            attractiveness=_decimal(row.score.attractiveness),
            position=_decimal(row.score.position),
            quadrant=row.score.quadrant,
            revenue=_decimal(row.revenue),
            from_status=proposal.from_status,
            proposed_move=proposal.move,
            proposed_status=proposal.to_status,
        )
    return selection_round


@transaction.atomic
def decision_record(*, actor: Actor, decision: Decision, status: str, reason: str) -> Decision:
    """The head of KAM decides an account of an open round: the KAM status it gets (the proposed one
    or another), with the reason. A changed status is applied through the accounts facade."""
    authorize(actor, "screening.decide_round")
    decision = Decision.objects.select_for_update().select_related("round").get(pk=decision.pk)
    errors: dict[str, str] = {}
    if decision.round.status != RoundStatus.OPEN:
        errors["status"] = _("The round is closed; its decisions stand.")
    elif decision.decided:
        errors["status"] = _("This account is decided already in this round.")
    if status not in dict(accounts_facade.kam_status_choices()):
        errors["status"] = _("Unknown KAM status “%(value)s”.") % {"value": status}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the decision.")
    if errors:
        raise ValidationError(errors)
    current = accounts_facade.account_statuses([decision.account_id]).get(decision.account_id, "")
    if status != current:
        accounts_facade.account_status_change(
            actor=actor,
            account_id=decision.account_id,
            status=status,
            reason=_("Selection round %(period)s: %(reason)s")
            % {"period": decision.round.period, "reason": reason.strip()},
        )
    decision.decided_status = status
    decision.reason = reason.strip()
    decision.decided_by = actor if _is_user(actor) else None
    decision.decided_at = timezone.now()
    _save(decision, actor)
    return decision


@transaction.atomic
def round_close(*, actor: Actor, selection_round: SelectionRound) -> SelectionRound:
    """Close a round once every account in it is decided."""
    authorize(actor, "screening.decide_round")
    selection_round = SelectionRound.objects.select_for_update().get(pk=selection_round.pk)
    if selection_round.status != RoundStatus.OPEN:
        raise ValidationError({"status": _("The round is closed already.")})
    open_ = selection_round.decisions.filter(decided_at__isnull=True).count()
    if open_:
        raise ValidationError({"status": _("%(n)s accounts of the round are not decided yet.") % {"n": open_}})
    selection_round.status = RoundStatus.CLOSED
    selection_round.closed_at = timezone.now()
    _save(selection_round, actor)
    return selection_round


def default_criteria() -> list[CriterionSpec]:
    """The default catalogue: eight criteria of customer attractiveness and six of our position.
    Share of wallet is computed from the newest wallet estimate (``kampass screening wallet``)."""
    a, p, c, r = Dimension.ATTRACTIVENESS, Dimension.POSITION, CriterionKind.COMPUTED, CriterionKind.RATED
    rows = [
        ("purchase_volume", a, c, "3"),
        ("growth", a, c, "2"),
        ("profitability", a, c, "2"),
        ("reference_value", a, r, "1"),
        ("cooperation_potential", a, r, "1"),
        ("price_enforceability", a, r, "1"),
        ("creditworthiness", a, r, "1"),
        ("strategic_fit", a, r, "2"),
        ("share_of_wallet", p, c, "2"),
        ("relationship_level", p, c, "2"),
        ("buying_centre_coverage", p, c, "2"),
        ("win_rate", p, c, "2"),
        ("satisfaction", p, r, "1"),
        ("proximity", p, r, "1"),
    ]
    return [CriterionSpec(k, str(DEFAULT_LABELS[k]), d, kind, Decimal(w)) for k, d, kind, w in rows]
