"""Topics: proposals, ratings, the limit on active topics, seeding from the catalogue."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.core.concept import builtin_catalogue
from kampass.roadmap import services
from kampass.roadmap.models import Topic
from kampass.roadmap.tests.factories import TopicFactory


def test_kam_proposes_a_topic_and_owns_it(kam):
    t = services.topic_create(actor=kam, field="solutions", title="Cross-selling in pharma", impact=4, effort=2)
    assert (t.status, t.owner, t.created_by) == ("proposed", kam, kam)
    assert t.quadrant == "quick_win"


def test_joint_initiative_with_a_key_account(head, key_account):
    t = services.topic_create(
        actor=head, field="solutions", title="Co-creation lab", account=key_account, partner_contact="  Dr. Keller "
    )
    assert t.is_joint
    assert t.partner_contact == "Dr. Keller"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"field": "marketing"}, "field"),
        ({"title": "  "}, "title"),
        ({"impact": 0}, "impact"),
        ({"effort": 6}, "effort"),
        ({"partner_contact": "Dr. Keller"}, "partner_contact"),
    ],
)
def test_bad_topics_are_refused(head, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.topic_create(actor=head, **{"field": "screening", "title": "T", **changes})
    assert field in exc.value.message_dict
    assert not Topic.objects.exists()


@pytest.mark.parametrize("role", ["controller", "viewer"])
def test_readers_may_not_propose(request, role):
    with pytest.raises(PermissionDenied):
        services.topic_create(actor=request.getfixturevalue(role), field="screening", title="T")


def test_kam_edits_own_proposal_but_not_once_active_and_not_others(head, kam, kam2):
    t = services.topic_create(actor=kam, field="screening", title="Mine")
    services.topic_update(actor=kam, topic=t, impact=5)
    with pytest.raises(PermissionDenied):
        services.topic_update(actor=kam2, topic=t, impact=1)
    services.topic_set_status(actor=head, topic=t, status="active")
    t.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.topic_update(actor=kam, topic=t, impact=1)
    with pytest.raises(PermissionDenied):
        services.topic_set_status(actor=kam, topic=t, status="done")


def test_activation_within_the_limit(head):
    services.topic_limit_set(actor=head, limit=2)
    a, b = TopicFactory(), TopicFactory()
    services.topic_set_status(actor=head, topic=a, status="active")
    services.topic_set_status(actor=head, topic=b, status="active")
    assert Topic.objects.filter(status="active").count() == 2


def test_activation_beyond_the_limit_is_refused_unless_forced(head):
    # given: the limit of 2 reached
    services.topic_limit_set(actor=head, limit=2)
    TopicFactory(status="active"), TopicFactory(status="active")
    third = TopicFactory()
    # when
    with pytest.raises(ValidationError) as exc:
        services.topic_set_status(actor=head, topic=third, status="active")
    # then
    assert exc.value.error_dict["status"][0].code == "topic_limit"
    assert "limit is 2" in exc.value.messages[0]
    third.refresh_from_db()
    assert third.status == "proposed"
    # forced: allowed, the topic is active and the count is over the limit
    services.topic_set_status(actor=head, topic=third, status="active", force=True)
    third.refresh_from_db()
    assert third.status == "active"
    assert third.activated_at is not None


def test_closing_sets_closed_at_and_reopening_clears_it(head):
    t = TopicFactory(status="active")
    services.topic_set_status(actor=head, topic=t, status="done")
    t.refresh_from_db()
    assert t.closed_at is not None
    services.topic_set_status(actor=head, topic=t, status="proposed")
    t.refresh_from_db()
    assert t.closed_at is None


def test_limit_validation_and_permission(head, kam):
    with pytest.raises(ValidationError):
        services.topic_limit_set(actor=head, limit=0)
    with pytest.raises(ValidationError):
        services.topic_limit_set(actor=head, limit=51)
    with pytest.raises(PermissionDenied):
        services.topic_limit_set(actor=kam, limit=3)
    assert services.topic_limit_set(actor=head, limit=7).topic_limit == 7


def test_seed_takes_over_every_catalogue_topic_once(head, kam):
    # when
    created = services.topics_seed(actor=head, language="de")
    again = services.topics_seed(actor=head)
    # then
    templates = builtin_catalogue().topics
    assert len(created) == len(templates)
    assert again == []
    keys = {t.template_key for t in Topic.objects.all()}
    assert keys == {t.key for t in templates}
    market = Topic.objects.get(template_key="market_intelligence")
    assert market.field == "screening"
    assert market.status == "proposed"
    with pytest.raises(PermissionDenied):
        services.topics_seed(actor=kam)


def test_catalogue_topic_title_follows_the_language(head):
    from django.utils import translation

    services.topics_seed(actor=head, language="en")
    t = Topic.objects.get(template_key="project_risks")
    with translation.override("de"):
        assert t.label == "Risiken großer Kundenprojekte erfassen und selektieren"
    with translation.override("en"):
        assert t.label == "Capturing and selecting risks of large customer projects"
    services.topic_update(actor=head, topic=t, title="Project risk reviews")
    t.refresh_from_db()
    with translation.override("de"):
        assert t.label == "Project risk reviews"


def test_delete_only_by_managers(head, kam):
    t = services.topic_create(actor=kam, field="screening", title="Mine")
    with pytest.raises(PermissionDenied):
        services.topic_delete(actor=kam, topic=t)
    services.topic_delete(actor=head, topic=t)
    assert not Topic.objects.exists()
