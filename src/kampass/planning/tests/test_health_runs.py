"""The health snapshots computed in the background: "recompute now" (head of KAM only, UI and API) with
its progress, the worker's daily run with the review events (once a day), and the scorecard served from
the newest stored snapshots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common import schedule
from kampass.common.models import ScheduledRun
from kampass.planning import health_selectors as selectors
from kampass.planning.health_runs import health_run_start
from kampass.planning.models import AccountReview, HealthRun, HealthSnapshot, PlanStatus
from kampass.planning.tests.factories import make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]
TODAY = timezone.localdate()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def accounts(kam):
    made = []
    for i in range(12):  # more than one chunk of the run
        account = AccountFactory(name=f"Key {i:02}", kam_status="key_account")
        TeamMemberFactory(account=account, user=kam, role="kam")
        made.append(account)
    make_plan(account=made[0], status=PlanStatus.ACTIVE)
    return made


def test_recompute_now_stores_every_key_accounts_snapshot_in_the_background(
    head, accounts, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = health_run_start(actor=head)

    assert callbacks  # the task is enqueued when the run is committed
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.percent, run.trigger) == ("done", 12, 12, 100, "manual")
    assert HealthSnapshot.objects.filter(day=TODAY).count() == 12
    # the stored score is the score computed directly
    direct = selectors.account_health([accounts[0].pk], today=TODAY)[accounts[0].pk]
    assert HealthSnapshot.objects.get(account=accounts[0], day=TODAY).score == direct.score


def test_a_second_start_while_one_is_queued_returns_the_queued_run(head, accounts):
    first = health_run_start(actor=head)  # no worker in the test: it stays queued

    assert health_run_start(actor=head).pk == first.pk
    assert HealthRun.objects.count() == 1


def test_only_the_head_recomputes_in_the_service_the_page_and_the_api(client, api, kam, viewer, accounts):
    for user in (kam, viewer):
        with pytest.raises(PermissionDenied):
            health_run_start(actor=user)
        client.force_login(user)
        assert client.post(reverse("scorecard-recompute")).status_code == 403
        assert api(user, "post", "/scorecard/recompute").status_code == 403
    assert not HealthRun.objects.exists()


def test_the_head_starts_a_recompute_from_the_page_and_follows_its_progress(client, api, head, accounts):
    client.force_login(head)

    response = client.post(reverse("scorecard-recompute"))

    assert response.status_code == 302
    run = HealthRun.objects.get()
    progress = client.get(reverse("scorecard-run", args=[run.pk])).content.decode()
    assert 'data-testid="health-run"' in progress
    assert "every 2s" in progress  # still queued: the fragment polls
    body = api(head, "get", f"/scorecard/runs/{run.pk}").json()
    assert (body["status"], body["done"]) == ("queued", 0)


def test_the_daily_schedule_records_snapshots_and_raises_review_events_once_a_day(
    accounts, immediate_tasks, django_capture_on_commit_callbacks, settings
):
    settings.KAMPASS_DAILY_AT = "00:00"
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        enqueued = schedule.enqueue_due(now)
    with django_capture_on_commit_callbacks(execute=True):
        again = schedule.enqueue_due(now)

    assert "planning.daily_health" in enqueued  # beside the other contexts' daily jobs
    assert again == []
    run = HealthRun.objects.get()
    assert (run.status, run.trigger, run.done) == ("done", "schedule", 12)
    assert HealthSnapshot.objects.filter(day=TODAY).count() == 12
    assert run.reviews_planned == AccountReview.objects.count()
    assert ScheduledRun.objects.filter(name="planning.daily_health").count() == 1


def _snapshot(account, day, score):
    h = selectors.health_from_snapshot(
        score,
        [{"key": "reviews_held", "raw": 1.0, "unbounded": False, "score": 0.5, "weight": 1, "contribution": score}],
    )
    return HealthSnapshot.objects.create(account=account, day=day, score=score, components=selectors.components_json(h))


def test_the_scorecard_serves_the_newest_stored_snapshot_with_its_change(head, accounts):
    a, b = accounts[0], accounts[1]
    _snapshot(a, TODAY - dt.timedelta(days=2), 60.0)
    _snapshot(a, TODAY - dt.timedelta(days=1), 80.0)
    _snapshot(b, TODAY - dt.timedelta(days=1), 30.0)
    _snapshot(b, TODAY + dt.timedelta(days=1), 99.0)  # after the day asked for: not shown

    card = selectors.scorecard(user=head, today=TODAY)

    rows = {r.account_id: r for r in card.rows}
    assert (rows[a.pk].score, rows[a.pk].change, rows[a.pk].day) == (80.0, 20.0, TODAY - dt.timedelta(days=1))
    reviews = rows[a.pk].health.component("reviews_held")
    assert reviews is not None
    assert reviews.contribution == 80.0
    assert (rows[b.pk].score, rows[b.pk].change) == (30.0, None)
    assert rows[accounts[2].pk].computed_at is None  # no snapshot: computed for the view
    assert card.computed_now == 10
    assert card.newest_computed is not None


def test_a_scorecard_that_computed_accounts_without_a_snapshot_queues_the_days_run_once(client, api, head, accounts):
    # given: key accounts without a stored snapshot (made key accounts before any run)
    client.force_login(head)

    # when: the scorecard is read (page, then API)
    client.get(reverse("scorecard"))
    assert api(head, "get", "/scorecard").status_code == 200

    # then: it computed them for the view and queued one run of the day (the next views read what it stores)
    run = HealthRun.objects.get()
    assert (run.day, run.trigger, run.status, run.created_by) == (TODAY, "catch_up", "queued", None)


def test_a_scorecard_reading_stored_snapshots_or_after_the_days_run_queues_nothing(client, head, accounts):
    client.force_login(head)
    for account in accounts:
        _snapshot(account, TODAY - dt.timedelta(days=1), 50.0)
    client.get(reverse("scorecard"))
    assert not HealthRun.objects.exists()
    # a new key account after today's run: computed for the view until tomorrow's run, no second run today
    HealthSnapshot.objects.filter(account=accounts[0]).delete()
    HealthRun.objects.create(day=TODAY, trigger="schedule", status="done")
    client.get(reverse("scorecard"))
    assert HealthRun.objects.count() == 1


def test_the_scorecard_filters_by_health_range_and_pages(client, head, accounts, settings):
    for i, account in enumerate(accounts):
        _snapshot(account, TODAY, float(10 * i % 100))
    settings.KAMPASS_PAGE_SIZE = 5
    client.force_login(head)

    ranged = selectors.scorecard(user=head, filters=selectors.ScorecardFilters(health_min=20, health_max=50))
    page = client.get(reverse("scorecard") + "?min=20&max=50").content.decode()
    first = client.get(reverse("scorecard")).content.decode()

    assert sorted(r.score or 0.0 for r in ranged.rows) == [20.0, 30.0, 40.0, 50.0]
    assert page.count('data-testid="scorecard-row"') == 4
    assert first.count('data-testid="scorecard-row"') == 5
    assert 'data-testid="page-next"' in first
    assert 'data-testid="recompute"' in first
