"""Guardrail measurements: the warning logic in both directions, measuring from the programme's signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kampass.roadmap import services
from kampass.roadmap.guardrails import is_warning, threshold_problem
from kampass.roadmap.models import GuardrailMeasurement
from kampass.roadmap.tests.factories import InitiativeFactory


@pytest.mark.parametrize(
    ("value", "threshold", "direction", "warning"),
    [
        (0.081, 0.08, "max", True),
        (0.08, 0.08, "max", False),
        (0.079, 0.08, "max", False),
        (0.69, 0.7, "min", True),
        (0.7, 0.7, "min", False),
        (0.71, 0.7, "min", False),
        (1.0, 0.0, "max", True),
        (0.0, 0.0, "max", False),
        (None, 0.08, "max", False),
        (-0.2, -0.1, "min", True),
    ],
)
def test_is_warning_in_both_directions(value, threshold, direction, warning):
    assert is_warning(value, threshold, direction) is warning


def test_unknown_direction_is_an_error():
    with pytest.raises(ValueError):
        is_warning(1.0, 0.5, "up")


@pytest.mark.parametrize(
    ("unit", "threshold", "ok"),
    [
        ("share", 0.0, True),
        ("share", 1.0, True),
        ("share", 8.0, False),
        ("count", 3.0, True),
        ("count", 0.5, False),
        ("count", -1.0, False),
        ("days", -1.0, False),
        ("ratio", -0.1, True),
        ("score", 12.5, True),
        ("share", float("nan"), False),
    ],
)
def test_threshold_sensible_for_unit(unit, threshold, ok):
    assert (threshold_problem(unit, threshold) is None) is ok


def test_measure_stores_one_measurement_per_active_initiative(head):
    # given: active max- and min-guardrails, a planned one, an active one whose metric is unknown now
    leak = InitiativeFactory(guardrail_key="leakage_share", guardrail_threshold=0.08, guardrail_direction="max")
    facts = InitiativeFactory(
        logic="facts_strategy",
        guardrail_key="accounts_with_team_share",
        guardrail_threshold=0.7,
        guardrail_direction="min",
    )
    InitiativeFactory(status="planned")
    unknown = InitiativeFactory(
        logic="innovation",
        guardrail_key="innovation_revenue_effort_ratio",
        guardrail_unit="ratio",
        guardrail_threshold=1.0,
        guardrail_direction="min",
    )
    values = {"leakage_share": 0.091, "accounts_with_team_share": 0.75, "innovation_revenue_effort_ratio": None}
    # when
    result = services.guardrails_measure(actor=head, values=values)
    # then
    assert (result.measured, result.warnings, result.skipped) == (2, 1, (unknown.pk,))
    m_leak = GuardrailMeasurement.objects.get(initiative=leak)
    m_facts = GuardrailMeasurement.objects.get(initiative=facts)
    assert (m_leak.value, m_leak.warning, m_leak.threshold, m_leak.direction) == (0.091, True, 0.08, "max")
    assert (m_facts.value, m_facts.warning) == (0.75, False)
    assert m_leak.measured_by == head
    assert GuardrailMeasurement.objects.count() == 2


def test_measure_below_a_min_threshold_warns(head):
    i = InitiativeFactory(guardrail_key="accounts_with_team_share", guardrail_threshold=0.7, guardrail_direction="min")
    result = services.guardrails_measure(actor=None, values={"accounts_with_team_share": 0.5})
    assert result.warnings == 1
    assert GuardrailMeasurement.objects.get(initiative=i).measured_by is None


def test_measure_takes_the_values_from_the_programme_facade(head, monkeypatch):
    # given
    from kampass.programme import facade as programme_facade

    i = InitiativeFactory()
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: {"leakage_share": 0.05})
    # when
    services.guardrails_measure(actor=head)
    # then
    assert GuardrailMeasurement.objects.get(initiative=i).value == 0.05


def test_measure_with_the_real_programme_signals(head):
    """Against the programme's real current_signals(): without invoice lines the leakage share is unknown."""
    from kampass.programme.facade import current_signals

    i = InitiativeFactory(
        guardrail_key="key_accounts", guardrail_unit="count", guardrail_threshold=0, guardrail_direction="min"
    )
    signals = current_signals()
    result = services.guardrails_measure(actor=head)
    assert signals["key_accounts"] == 0.0
    assert result.measured == 1
    assert GuardrailMeasurement.objects.get(initiative=i).value == 0.0


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_or_admin_measure(db, request, role):
    InitiativeFactory()
    with pytest.raises(PermissionDenied):
        services.guardrails_measure(actor=request.getfixturevalue(role), values={"leakage_share": 0.1})
    assert not GuardrailMeasurement.objects.exists()


def test_record_by_hand_validates(head):
    i = InitiativeFactory()
    with pytest.raises(ValidationError) as exc:
        services.measurement_record(actor=head, initiative=i, value=1.5)
    assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.measurement_record(
            actor=head, initiative=i, value=0.1, measured_at=timezone.now() + dt.timedelta(days=2)
        )
    assert "measured_at" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.measurement_record(actor=head, initiative=i, value=float("nan"))
    m = services.measurement_record(actor=head, initiative=i, value=0.09, note="counted by controlling")
    assert m.warning
    assert m.note == "counted by controlling"


def test_task_measures_as_the_system(head, monkeypatch):
    from kampass.programme import facade as programme_facade
    from kampass.roadmap.tasks import measure_guardrails

    InitiativeFactory()
    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: {"leakage_share": 0.2})
    result = measure_guardrails.call()
    assert result == {"measured": 1, "warnings": 1, "skipped": 0}
