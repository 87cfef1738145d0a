"""Objectives of plan versions: bound to a KPI of the catalogue, tracked (computed or by recorded values),
part of the plan's content (locked once signed off, copied into a new version), and who may change them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.core import kpis as core
from kampass.planning.models import Objective, PlanStatus
from kampass.planning.selectors_objectives import objectives_progress
from kampass.planning.services import plan_new_version
from kampass.planning.services_objectives import (
    manual_kpi_record,
    objective_create,
    objective_delete,
    objective_update,
)
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


def _objective(actor, plan, **fields):
    values: dict[str, Any] = {
        "title": "Customer satisfaction up", "kpi_key": "customer_satisfaction", "baseline": "6",
        "target": "8", "due_on": dt.date(2027, 12, 31), "start_on": dt.date(2027, 1, 1),
    }  # fmt: skip
    values.update(fields)
    return objective_create(actor=actor, plan=plan, **values)


def test_the_kam_adds_an_objective_with_the_kpis_unit_and_the_plan_periods_start(kam, account):
    plan = make_plan(account=account, actor=kam)

    objective = objective_create(
        actor=kam, plan=plan, title="Grow revenue", kpi_key="revenue", baseline="1000000", target="1200000",
        due_on=dt.date(2027, 12, 31),
    )  # fmt: skip

    assert (objective.unit, objective.currency, objective.start_on) == ("money", "EUR", plan.period_start)
    assert objective.baseline == Decimal("1000000")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kpi_key": "nonsense"}, "kpi_key"),
        ({"target": "6"}, "target"),
        ({"baseline": "many"}, "baseline"),
        ({"due_on": dt.date(2026, 12, 1)}, "due_on"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_objectives_are_refused_naming_the_field(kam, account, fields, field):
    plan = make_plan(account=account, actor=kam)

    with pytest.raises(ValidationError) as exc:
        _objective(kam, plan, **fields)

    assert field in exc.value.message_dict
    assert not Objective.objects.exists()


def test_others_may_not_change_objectives(kam2, viewer, controller, account, kam):
    plan = make_plan(account=account, actor=kam)
    objective = _objective(kam, plan)

    for user in (kam2, viewer, controller):
        with pytest.raises(PermissionDenied):
            _objective(user, plan)
        with pytest.raises(PermissionDenied):
            objective_delete(actor=user, objective=objective)
        with pytest.raises(PermissionDenied):
            manual_kpi_record(actor=user, account_id=account.pk, kpi_key="customer_satisfaction", value="7",
                              measured_on=dt.date(2026, 1, 1))  # fmt: skip


def test_the_head_changes_any_objective_and_a_stale_version_is_refused(head, kam, account):
    plan = make_plan(account=account, actor=kam)
    objective = _objective(kam, plan)
    seen = objective.version
    objective_update(actor=head, objective=objective, version=seen, title="CSAT 8", kpi_key="customer_satisfaction",
                     baseline="6", target="8", due_on=dt.date(2027, 6, 30))  # fmt: skip

    with pytest.raises(ConcurrentEdit):
        objective_update(actor=kam, objective=objective, version=seen, title="Other", kpi_key="customer_satisfaction",
                         baseline="6", target="9", due_on=dt.date(2027, 6, 30))  # fmt: skip
    assert Objective.objects.get(pk=objective.pk).title == "CSAT 8"


def test_objectives_of_a_signed_off_plan_are_locked_and_a_new_version_copies_them(kam, head, account):
    plan = make_plan(account=account, actor=kam)
    first = _objective(kam, plan)
    _objective(kam, plan, title="Revenue", kpi_key="revenue", baseline="100", target="200")
    plan = make_plan_status(plan, head)

    with pytest.raises(ValidationError):
        _objective(kam, plan, title="Late")
    with pytest.raises(ValidationError):
        objective_delete(actor=kam, objective=first)

    new = plan_new_version(actor=kam, plan=plan)
    copies = list(new.objectives.order_by("position"))
    assert [(o.title, o.kpi_key, o.baseline, o.target, o.copied_from_id) for o in copies] == [
        (o.title, o.kpi_key, o.baseline, o.target, o.pk) for o in plan.objectives.order_by("position")
    ]
    objective_delete(actor=kam, objective=copies[0])  # the new draft's objectives change again
    assert plan.objectives.count() == 2


def make_plan_status(plan, head):
    from kampass.planning.services import plan_transition

    for target in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
        plan = plan_transition(actor=head, plan=plan, target=target, comment="ok")
    return plan


def test_manual_objectives_follow_the_newest_recorded_value_and_are_rated_against_time(kam, account):
    plan = make_plan(account=account, actor=kam)
    objective = _objective(kam, plan, baseline="6", target="8")
    today = dt.date(2027, 7, 2)  # half of 2027 has passed

    [row] = objectives_progress(plan, today=today)
    assert (row.actual, row.status) == (None, core.NO_DATA)

    manual_kpi_record(actor=kam, account_id=account.pk, kpi_key="customer_satisfaction", value="6.4",
                      measured_on=dt.date(2026, 11, 1))  # fmt: skip
    manual_kpi_record(actor=kam, account_id=account.pk, kpi_key="customer_satisfaction", value="7",
                      measured_on=dt.date(2026, 12, 1))  # fmt: skip

    [row] = objectives_progress(plan, today=today)
    assert row.objective == objective
    assert row.actual == Decimal("7")
    assert row.progress == 0.5
    assert row.elapsed == 0.5
    assert row.status == core.ON_TRACK
    [late] = objectives_progress(plan, today=dt.date(2028, 1, 5))
    assert late.status == core.OFF_TRACK  # due and not reached


def test_only_manual_kpis_take_recorded_values(kam, account):
    with pytest.raises(ValidationError) as exc:
        manual_kpi_record(
            actor=kam, account_id=account.pk, kpi_key="revenue", value="1", measured_on=dt.date(2026, 1, 1)
        )
    assert "kpi_key" in exc.value.message_dict


def test_a_value_is_measured_on_the_installations_day_at_the_latest(kam, account):
    today = timezone.localdate()  # the installation's day (Europe/Zurich), not the machine's (UTC in CI)
    manual_kpi_record(actor=kam, account_id=account.pk, kpi_key="supplier_rating", value="4", measured_on=today)

    with pytest.raises(ValidationError) as exc:
        manual_kpi_record(
            actor=kam,
            account_id=account.pk,
            kpi_key="supplier_rating",
            value="4",
            measured_on=today + dt.timedelta(days=1),
        )
    assert "measured_on" in exc.value.message_dict
