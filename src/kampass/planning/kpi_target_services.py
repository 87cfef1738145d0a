"""Writes of the KPI targets (head of KAM): set one target, remove one. One transaction each;
permissions are checked here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common import fx
from kampass.common.concurrency import expect_version
from kampass.common.permissions import authorize
from kampass.core import kpi_targets as core
from kampass.core import kpis as catalogue
from kampass.planning import services as plan_services
from kampass.planning.models import KpiTarget
from kampass.users.actors import Actor
from kampass.users.history import is_user


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e15") else None


@transaction.atomic
def kpi_target_set(
    *,
    actor: Actor,
    kpi_key: str,
    green: Any,
    amber: Any,
    higher_is_better: bool | None = None,
    account_id: int | None = None,
    currency: str = "",
    version: int | None = None,
) -> KpiTarget:
    """Set the target of ``kpi_key`` for every key account (``account_id`` None) or for one account,
    replacing the one there was. Shares are fractions (0.25 = 25 %); money targets carry a currency
    (the reporting currency when none is given). ``higher_is_better`` defaults to the KPI's direction;
    green must be at least as demanding as amber. ``version`` is the one the head saw (a stale one
    raises ``ConcurrentEdit``)."""
    authorize(actor, "planning.manage_kpi_targets")
    errors: dict[str, list[str]] = {}
    definition = catalogue.KPI_BY_KEY.get(kpi_key)
    if definition is None:
        raise ValidationError({"kpi_key": [_("Unknown KPI “%(key)s”.") % {"key": kpi_key}]})
    if account_id is not None and accounts_facade.account_ref(account_id) is None:
        errors.setdefault("account", []).append(_("No such account."))
    g, a = _decimal(green), _decimal(amber)
    if g is None:
        errors.setdefault("green", []).append(_("Enter a number."))
    if a is None:
        errors.setdefault("amber", []).append(_("Enter a number."))
    direction = definition.higher_is_better if higher_is_better is None else bool(higher_is_better)
    code = ""
    if definition.unit == catalogue.MONEY:
        code = (currency or fx.reporting_currency()).strip().upper()
        if code not in fx.known_currencies():
            errors.setdefault("currency", []).append(_("Unknown currency “%(code)s”.") % {"code": code})
    if g is not None and a is not None and core.threshold_error(core.Target(g, a, direction)):
        errors.setdefault("amber", []).append(
            _("Green must be at least as demanding as amber (higher is better: green ≥ amber; else green ≤ amber).")
        )
    if errors:
        raise ValidationError(errors)
    rows = KpiTarget.objects.select_for_update().filter(kpi_key=kpi_key)
    row = (rows.filter(account__isnull=True) if account_id is None else rows.filter(account_id=account_id)).first()
    if row is None:
        row = KpiTarget(kpi_key=kpi_key, account_id=account_id)
    else:
        expect_version(row, version)
    places = Decimal("0.0001")
    row.green, row.amber = g.quantize(places), a.quantize(places)  # type: ignore[union-attr]
    row.higher_is_better, row.currency = direction, code
    row.updated_by = actor if is_user(actor) else None
    plan_services._save(row, actor)
    return row


@transaction.atomic
def kpi_target_remove(*, actor: Actor, target: KpiTarget) -> None:
    """Remove a target (the account then falls back to the target for all accounts, if any)."""
    authorize(actor, "planning.manage_kpi_targets")
    if is_user(actor):
        target._history_user = actor  # type: ignore[attr-defined]
    target.delete()
