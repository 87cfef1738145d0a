"""The contract with the programme app: programme_signals() and roadmap_summary()."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kampass.roadmap import facade
from kampass.roadmap.tests.factories import InitiativeFactory, MeasurementFactory, TopicFactory


def test_programme_signals_without_data(db):
    assert facade.programme_signals() == {
        "active_topics": 0.0,
        "topic_completion_rate": None,
        "initiatives_with_owner_share": None,
    }


def test_programme_signals_computed_by_hand(db, kam, head):
    # given: 3 active, 1 done, 2 abandoned, 2 proposed topics
    for status, n in (("active", 3), ("done", 1), ("abandoned", 2), ("proposed", 2)):
        for _ in range(n):
            TopicFactory(status=status)
    # open initiatives: 2 of 3 with an owner; done and abandoned ones do not count
    InitiativeFactory(owner=kam)
    InitiativeFactory(owner=head, status="planned")
    InitiativeFactory(owner=None, status="paused")
    InitiativeFactory(owner=None, status="done")
    InitiativeFactory(owner=None, status="abandoned")
    # when
    signals = facade.programme_signals()
    # then: completion 1 / (1 + 2 + 3)
    assert signals["active_topics"] == 3.0
    assert signals["topic_completion_rate"] == 1 / 6
    assert signals["initiatives_with_owner_share"] == 2 / 3


def test_programme_facade_collects_the_roadmap_signals(db):
    from kampass.programme.facade import current_signals

    TopicFactory(status="active")
    TopicFactory(status="done")
    signals = current_signals()
    assert signals["active_topics"] == 1.0
    assert signals["topic_completion_rate"] == 0.5


def test_roadmap_summary(db, kam):
    # given
    from kampass.accounts.tests.factories import AccountFactory

    active = InitiativeFactory(title="Leakage", owner=kam, starts=dt.date(2026, 1, 1))
    active.accounts.set([AccountFactory(kam_status="key_account"), AccountFactory(kam_status="strategic")])
    MeasurementFactory(initiative=active, value=0.06, measured_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    MeasurementFactory(initiative=active, value=0.09, measured_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    planned = InitiativeFactory(
        title="Tools",
        logic="tools",
        status="planned",
        starts=dt.date(2026, 6, 1),
        guardrail_key="accounts_with_plan_share",
        guardrail_threshold=0.8,
        guardrail_direction="min",
    )
    unmeasured = InitiativeFactory(
        title="Facts",
        logic="facts_strategy",
        starts=dt.date(2026, 2, 1),
        guardrail_key="findings_with_action_share",
        guardrail_threshold=0.7,
        guardrail_direction="min",
    )
    for _ in range(6):
        TopicFactory(status="active")
    # when
    s = facade.roadmap_summary()
    # then
    assert [r.id for r in s.initiatives] == [active.pk, unmeasured.pk, planned.pk]
    ref = s.initiatives[0]
    assert (ref.logic, ref.title, ref.owner, ref.status, ref.accounts) == (
        "commercialisation",
        "Leakage",
        str(kam),
        "active",
        2,
    )
    assert [g.initiative_id for g in s.guardrails] == [active.pk, unmeasured.pk]
    g = s.guardrails[0]
    assert (g.key, g.value, g.threshold, g.direction, g.warning) == ("leakage_share", 0.09, 0.08, "max", True)
    assert g.measured_at == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert (s.guardrails[1].value, s.guardrails[1].warning, s.guardrails[1].measured_at) == (None, False, None)
    assert (s.topics_active, s.topics_limit, s.topics_over_limit) == (6, 5, True)
    assert dataclasses.is_dataclass(s)
    assert s.__dataclass_params__.frozen  # type: ignore[attr-defined]  # typeshed does not declare it


def test_summary_at_the_limit_is_not_over_it(db):
    for _ in range(5):
        TopicFactory(status="active")
    assert facade.roadmap_summary().topics_over_limit is False
