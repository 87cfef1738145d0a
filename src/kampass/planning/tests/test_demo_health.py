"""The demo's actions, weights and health history: twelve snapshots per key account, each what kampass
computes as of its day, one visible drop with its notices (today's only), overdue and done actions;
loading again adds and changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning import health_selectors
from kampass.planning.demo_health import demo_health_load, history_days
from kampass.planning.models import AccountReview, HealthSnapshot, HealthWeights, Notice, PlanAction

pytestmark = pytest.mark.django_db


def test_demo_health_history_actions_and_a_drop(head, kam):
    # given two key accounts with the KAM on their teams (and a prospect, which gets nothing)
    accounts = [AccountFactory(name=n, kam_status="key_account") for n in ("Kone", "Otis")]
    for a in accounts:
        TeamMemberFactory(account=a, user=kam, role="kam")
    AccountFactory(name="Prospect", kam_status="prospect")

    # when
    written = demo_health_load()
    again = demo_health_load()

    # then
    today = timezone.localdate()
    for a in accounts:
        assert HealthSnapshot.objects.filter(account=a).count() == 12
        assert PlanAction.objects.filter(plan__account=a).count() >= 3
    assert any(x.is_overdue(today) for x in PlanAction.objects.all())
    assert PlanAction.objects.filter(status="done", completed_at__isnull=False).exists()
    assert HealthWeights.objects.count() == 1
    drops = Notice.objects.filter(kind="health_drop")
    assert sorted(n.recipient_id for n in drops) == sorted([head.pk, kam.pk])
    assert written > 0
    assert again == 0
    assert HealthSnapshot.objects.count() == 24


@pytest.fixture
def loaded(head, kam):
    accounts = [AccountFactory(name=n, kam_status="key_account") for n in ("Kone", "Otis")]
    for a in accounts:
        TeamMemberFactory(account=a, user=kam, role="kam")
    demo_health_load()
    return accounts


def _rows():
    return list(
        HealthSnapshot.objects.order_by("account_id", "day").values_list("account_id", "day", "score", "components")
    )


def test_every_snapshot_is_the_health_computed_as_of_its_day(loaded):
    today = timezone.localdate()
    ids = [a.pk for a in loaded]
    days = HealthSnapshot.objects.filter(account=loaded[0]).order_by("day").values_list("day", flat=True)
    assert list(days) == [*history_days(today), today]
    for day in [*history_days(today), today]:
        computed = health_selectors.account_health(ids, today=day)
        for a in ids:
            snap = HealthSnapshot.objects.get(account_id=a, day=day)
            assert snap.score == computed[a].score, (a, day)
            assert snap.components == health_selectors.components_json(computed[a]), (a, day)
    # the history moves: the dated actions and reviews give different scores over the year
    assert len({s for _a, _d, s, _c in _rows() if _a == ids[1]}) > 1


def test_the_kams_first_account_drops_by_the_threshold_and_only_today_notifies(loaded, head, kam, settings):
    today = timezone.localdate()
    dropping = loaded[0]
    scores = [
        float(s or 0)
        for s in HealthSnapshot.objects.filter(account=dropping).order_by("day").values_list("score", flat=True)
    ]

    assert scores[-2] - scores[-1] >= settings.KAMPASS_HEALTH_DROP_POINTS
    notices = Notice.objects.filter(kind="health_drop")
    assert {(n.account_id, n.recipient_id) for n in notices} == {(dropping.pk, kam.pk), (dropping.pk, head.pk)}
    assert {n.params["day"] for n in notices} == {today.isoformat()}
    assert notices[0].params["points"] == pytest.approx(scores[-2] - scores[-1])
    # the drop comes from dated facts: overdue actions of the last month, reviews out of the window
    then = health_selectors.account_health([dropping.pk], today=history_days(today)[-1])[dropping.pk]
    now = health_selectors.account_health([dropping.pk], today=today)[dropping.pk]
    for key in ("action_completion", "reviews_held"):
        assert float(getattr(now.component(key), "score", 1.0)) < float(getattr(then.component(key), "score", 0.0))


def test_loading_twice_changes_nothing(loaded):
    before = (_rows(), PlanAction.objects.count(), AccountReview.objects.count(), Notice.objects.count())

    assert demo_health_load() == 0

    assert (_rows(), PlanAction.objects.count(), AccountReview.objects.count(), Notice.objects.count()) == before


def test_reset_deletes_first_and_loads_the_same_history(loaded):
    before = [(d, s) for _a, d, s, _c in _rows()]

    demo_health_load(reset=True)

    assert [(d, s) for _a, d, s, _c in _rows()] == before
    assert Notice.objects.filter(kind="health_drop").count() == 2
