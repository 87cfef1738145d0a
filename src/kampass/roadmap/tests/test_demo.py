"""The demo roadmap: realistic, deterministic, idempotent; reset reloads."""

from __future__ import annotations

import pytest

from kampass.core.concept import builtin_catalogue
from kampass.roadmap import selectors
from kampass.roadmap.demo import demo_roadmap_load
from kampass.roadmap.facade import InitiativeProposal, initiatives_from_recommendations, roadmap_summary
from kampass.roadmap.models import GuardrailMeasurement, Initiative, Topic


@pytest.fixture
def demo_users(db):
    from kampass.users.models import User

    return {
        name: User.objects.create_user(username=name, password="pw-for-tests-1", role=role, last_name=name.title())
        for name, role in (("head", "head"), ("kam", "kam"), ("kam2", "kam"))
    }


def test_without_users_nothing_is_loaded(db):
    assert demo_roadmap_load() == 0


def test_demo_contents(demo_users):
    # when
    created = demo_roadmap_load()
    # then
    topics = len(builtin_catalogue().topics)
    assert created == topics + 2 + 12 + 1  # topics, 2 initiatives, 6 measurements each, the planned Topics one
    stats = selectors.topic_stats()
    assert (stats.active, stats.limit, stats.done, stats.abandoned) == (6, 5, 3, 2)
    assert stats.over_limit
    assert Topic.objects.filter(account__isnull=False).count() == 0  # no key accounts in this database
    summary = roadmap_summary()
    by_logic = {g.logic: g for g in summary.guardrails}
    assert set(by_logic) == {"facts_strategy", "commercialisation"}
    assert by_logic["commercialisation"].warning
    assert by_logic["commercialisation"].value == 0.087
    assert not by_logic["facts_strategy"].warning
    # the history holds earlier warnings of Facts & Strategy (below its minimum at the start)
    facts = Initiative.objects.get(logic="facts_strategy")
    assert [m.warning for m in facts.measurements.order_by("measured_at")] == [True, True, False, False, False, False]
    assert Initiative.objects.get(logic="topics").owner is None


def test_idempotent_and_reset(demo_users):
    demo_roadmap_load()
    counts = (Topic.objects.count(), Initiative.objects.count(), GuardrailMeasurement.objects.count())
    assert demo_roadmap_load() == 0
    assert (Topic.objects.count(), Initiative.objects.count(), GuardrailMeasurement.objects.count()) == counts
    assert demo_roadmap_load(reset=True) == sum(counts)
    assert (Topic.objects.count(), Initiative.objects.count(), GuardrailMeasurement.objects.count()) == counts


def test_uses_the_initiative_of_an_accepted_recommendation(demo_users):
    # given: the programme's demo accepted the Commercialisation recommendation of round 3
    [rid] = initiatives_from_recommendations(
        actor=demo_users["head"],
        round_id=3,
        proposals=[
            InitiativeProposal("commercialisation", 1, "Kommerzialisierung", "leakage_share", 0.08, "max", "now")
        ],
    ).created
    # when
    demo_roadmap_load()
    demo_roadmap_load()
    # then: no second Commercialisation initiative; the accepted one carries the history
    [c] = Initiative.objects.filter(logic="commercialisation")
    assert c.pk == rid
    assert c.status == "active"
    assert c.measurements.count() == 6
    # reset keeps the initiatives of the newest round
    demo_roadmap_load(reset=True)
    assert Initiative.objects.filter(logic="commercialisation").get().pk == rid
