"""Selectors: initiative list with readings and filters, topic priority order, topic statistics."""

from __future__ import annotations

import datetime as dt

from kampass.roadmap import selectors
from kampass.roadmap.tests.factories import InitiativeFactory, MeasurementFactory, TopicFactory


def test_reading_is_the_latest_measurement_judged_by_the_current_threshold(db):
    # given
    i = InitiativeFactory(guardrail_threshold=0.08)
    MeasurementFactory(initiative=i, value=0.2, warning=True, measured_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    MeasurementFactory(initiative=i, value=0.07, measured_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    # when
    [item] = selectors.initiative_list()
    # then
    assert item.reading.value == 0.07
    assert not item.reading.warning
    # the threshold lowered since: the same reading is now a warning
    i.guardrail_threshold = 0.05
    i.save()
    assert selectors.reading_of(i).warning


def test_reading_of_another_metric_does_not_count(db):
    i = InitiativeFactory()
    MeasurementFactory(initiative=i, key="raci_conflicts", value=3)
    assert selectors.reading_of(i).value is None


def test_only_active_initiatives_warn(db):
    i = InitiativeFactory(status="paused")
    MeasurementFactory(initiative=i, value=0.5)
    assert not selectors.reading_of(i).warning
    assert selectors.guardrail_warnings() == []


def test_initiative_filters_and_sorting(db, kam):
    # Alpha watches another metric than Beta (a guardrail value belongs to the metric, not the initiative)
    a = InitiativeFactory(
        title="Alpha",
        logic="tools",
        owner=kam,
        starts=dt.date(2026, 3, 1),
        guardrail_key="findings_with_action_share",
        guardrail_threshold=0.0,
        guardrail_direction="min",
    )
    b = InitiativeFactory(title="Beta", logic="commercialisation", starts=dt.date(2026, 1, 1))
    c = InitiativeFactory(title="Gamma", logic="tools", status="planned", starts=None, ends=None)
    MeasurementFactory(initiative=b, value=0.3)
    f = selectors.InitiativeFilters
    assert [i.pk for i in selectors.initiative_list(filters=f())] == [b.pk, a.pk, c.pk]  # undated last
    assert [i.pk for i in selectors.initiative_list(filters=f(sort="title", descending=True))] == [c.pk, b.pk, a.pk]
    assert [i.pk for i in selectors.initiative_list(filters=f(logic="tools"))] == [a.pk, c.pk]
    assert [i.pk for i in selectors.initiative_list(filters=f(owner=kam.pk))] == [a.pk]
    assert [i.pk for i in selectors.initiative_list(filters=f(status="planned"))] == [c.pk]
    assert [i.pk for i in selectors.initiative_list(filters=f(warning=True))] == [b.pk]
    assert [i.pk for i in selectors.initiative_list(filters=f(q="gam"))] == [c.pk]


def test_topics_in_priority_order(db):
    thankless = TopicFactory(title="Thankless", impact=1, effort=5)
    fill_in = TopicFactory(title="Fill-in", impact=2, effort=1)
    major = TopicFactory(title="Major", impact=5, effort=5)
    quick_lo = TopicFactory(title="Quick lower", impact=3, effort=1)
    quick_hi = TopicFactory(title="Quick higher", impact=5, effort=2)
    order = [t.pk for t in selectors.topic_list()]
    assert order == [quick_hi.pk, quick_lo.pk, major.pk, fill_in.pk, thankless.pk]
    assert [t.pk for t in selectors.topic_list(filters=selectors.TopicFilters(quadrant="quick_win"))] == [
        quick_hi.pk,
        quick_lo.pk,
    ]
    by_effort = [t.pk for t in selectors.topic_list(filters=selectors.TopicFilters(sort="effort"))]
    assert by_effort[:2] == [fill_in.pk, quick_lo.pk]


def test_topic_stats_and_completion_rate(db):
    # no topics: no rate
    assert selectors.topic_stats().completion_rate is None
    for status, n in (("proposed", 4), ("active", 3), ("done", 2), ("abandoned", 1)):
        for _ in range(n):
            TopicFactory(status=status)
    stats = selectors.topic_stats()
    # by hand: done / (done + abandoned + active) = 2 / (2 + 1 + 3)
    assert stats.completion_rate == 2 / 6
    assert (stats.active, stats.limit, stats.over_limit, stats.at_limit) == (3, 5, False, False)


def test_only_proposed_topics_have_no_rate(db):
    TopicFactory(status="proposed")
    assert selectors.topic_stats().completion_rate is None
