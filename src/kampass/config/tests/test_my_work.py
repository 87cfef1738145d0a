"""The "My work" page: each section lists what is the user's (and only that), with counts, empty states
and links; key account managers start there after signing in; the query count does not grow with the items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    CoverageFactory,
    TeamMemberFactory,
)
from kampass.config.my_work import my_work
from kampass.pipeline import services as pipeline_services
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import admin_actor, make_opportunity
from kampass.planning.models import AccountReview, PlanAction, ReviewStatus
from kampass.planning.tests.factories import make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _work_for(kam, *, n: int, tag: str = "") -> None:
    """``n`` items of every section that belong to ``kam`` (and as many that do not)."""
    other = AccountFactory(kam_status="key_account")
    for i in range(n):
        account = AccountFactory(kam_status="key_account", name=f"Acc{tag}{i}")
        member = TeamMemberFactory(account=account, user=kam)
        plan = make_plan(account=account)
        PlanAction.objects.create(plan=plan, title=f"Call{tag}{i}", owner=kam, due_date=TODAY - DAY * (i + 1))
        PlanAction.objects.create(plan=plan, title=f"Done{tag}{i}", owner=kam, status="done", due_date=TODAY - DAY)
        AccountReview.objects.create(account=account, due_on=TODAY + DAY * i)
        AccountReview.objects.create(account=other, due_on=TODAY)  # not on the KAM's team
        deal = make_opportunity(account=account, name=f"Deal{tag}{i}", owner=kam, expected_close_date=TODAY - DAY)
        make_opportunity(account=account, name=f"Fresh{tag}{i}", owner=kam, expected_close_date=TODAY + DAY)
        pipeline_services.risk_create(
            actor=admin_actor(),
            opportunity=deal,
            title=f"Risk{tag}{i}",
            category="delivery",
            likelihood=2,
            impact=3,
            due_date=TODAY + DAY * 3,
        )
        bcm = BuyingCentreMemberFactory(account=account, influence=9)
        CoverageFactory(team_member=member, contact=bcm.contact, level_now=1, level_target=4)


def test_each_section_lists_the_users_items_only_overdue_first(kam, kam2):
    # given
    account = AccountFactory(kam_status="key_account", name="Kone")
    TeamMemberFactory(account=account, user=kam)
    plan = make_plan(account=account)
    later = PlanAction.objects.create(plan=plan, title="Workshop", owner=kam, due_date=TODAY + DAY * 5)
    late = PlanAction.objects.create(plan=plan, title="Send offer", owner=kam, due_date=TODAY - DAY * 2)
    undated = PlanAction.objects.create(plan=plan, title="Map buyers", owner=kam)
    PlanAction.objects.create(plan=plan, title="Not mine", owner=kam2, due_date=TODAY - DAY)
    PlanAction.objects.create(plan=plan, title="Done", owner=kam, status="done", due_date=TODAY - DAY)
    overdue_review = AccountReview.objects.create(account=account, due_on=TODAY - DAY)
    soon_review = AccountReview.objects.create(account=account, due_on=TODAY + DAY * 14)
    AccountReview.objects.create(account=account, due_on=TODAY + DAY * 15)  # not yet due
    AccountReview.objects.create(account=account, due_on=TODAY - DAY, status=ReviewStatus.CANCELLED)
    AccountReview.objects.create(account=AccountFactory(), due_on=TODAY)  # not on the KAM's team
    stale = make_opportunity(account=account, name="Drives", owner=kam, expected_close_date=TODAY - DAY * 3)
    make_opportunity(account=account, name="Today", owner=kam, expected_close_date=TODAY)
    make_opportunity(account=account, name="Theirs", owner=kam2, expected_close_date=TODAY - DAY)
    make_opportunity(account=account, name="Lost", owner=kam, expected_close_date=TODAY - DAY, stage_name="Closed Lost")
    due = pipeline_services.risk_create(
        actor=admin_actor(),
        opportunity=stale,
        title="Late parts",
        category="delivery",
        likelihood=2,
        impact=3,
        due_date=TODAY - DAY,
    )
    pipeline_services.risk_create(
        actor=admin_actor(),
        opportunity=stale,
        title="Far off",
        category="delivery",
        likelihood=2,
        impact=3,
        due_date=TODAY + DAY * 30,
    )
    pipeline_services.risk_create(
        actor=admin_actor(),
        opportunity=stale,
        title="Closed",
        category="delivery",
        likelihood=2,
        impact=3,
        due_date=TODAY - DAY,
        status="closed",
    )
    BuyingCentreMemberFactory(account=account, influence=9)  # nobody covers this decision maker
    covered = AccountFactory(kam_status="key_account", name="Covered")
    member = TeamMemberFactory(account=covered, user=kam)
    bcm = BuyingCentreMemberFactory(account=covered, influence=9)
    CoverageFactory(team_member=member, contact=bcm.contact, level_now=4, level_target=4)

    # when
    work = my_work(kam, today=TODAY)

    # then
    assert [a.id for a in work.actions] == [late.pk, later.pk, undated.pk]
    assert [a.overdue for a in work.actions] == [True, False, False]
    assert [(r.id, r.overdue) for r in work.reviews] == [(overdue_review.pk, True), (soon_review.pk, False)]
    assert [(d.id, d.days_late) for d in work.deals] == [(stale.pk, 3)]
    assert [(r.id, r.overdue) for r in work.risks] == [(due.pk, True)]
    assert [(g.account.name, g.decision_makers, g.uncovered) for g in work.gaps] == [("Kone", 1, 1)]


def test_the_head_sees_the_reviews_due_of_all_accounts(head):
    # given
    review = AccountReview.objects.create(account=AccountFactory(), due_on=TODAY)

    # when
    work = my_work(head, today=TODAY)

    # then
    assert [r.id for r in work.reviews] == [review.pk]


def test_the_page_shows_counts_links_and_empty_states(client, kam):
    # given
    _work_for(kam, n=1)
    client.force_login(kam)

    # when
    html = client.get(reverse("my-work")).content.decode()

    # then
    assert 'data-testid="nav-my-work"' in html
    for name in ("Call0", "Deal0", "Risk0", "Acc0"):
        assert name in html
    assert "Done0" not in html
    assert "Fresh0" not in html
    deal = Opportunity.objects.get(name="Deal0")
    assert f'href="{reverse("opportunity-detail", args=[deal.pk])}"' in html
    assert f'href="{reverse("opportunity-list")}?owner=u:{kam.pk}&amp;outcome=open"' in html
    assert 'data-testid="count-deals"><span class="num">1</span>' in html
    assert html.count('data-testid="review-row"') == 1


def test_the_page_without_work_shows_the_empty_states(client, kam):
    # given
    client.force_login(kam)

    # when
    html = client.get(reverse("my-work")).content.decode()

    # then
    assert "You have no open actions." in html
    assert "No reviews are due in the next 14 days." in html
    assert "None of your open deals is past its expected close date." in html
    assert "No risks of your deals are due in the next 14 days." in html
    assert "The decision makers of your key accounts are all covered." in html


def test_key_account_managers_start_on_my_work_others_on_the_dashboard(client, kam, head):
    client.force_login(kam)
    assert client.get(reverse("start"))["Location"] == reverse("my-work")
    client.force_login(head)
    assert client.get(reverse("start"))["Location"] == reverse("dashboard")


def test_the_page_asks_the_same_number_of_queries_however_many_items(client, kam):
    # given
    client.force_login(kam)
    _work_for(kam, n=1, tag="a")
    client.get(reverse("my-work"))  # warm the per-process caches (site settings, rates)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("my-work")).status_code == 200
    _work_for(kam, n=4, tag="b")

    # when
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("my-work")).content.decode()

    # then
    assert html.count('data-testid="action-row"') == 5
    assert html.count('data-testid="gap-row"') == 5
    assert len(many) == len(few)


def test_the_page_speaks_german(client, kam):
    # given
    client.force_login(kam)

    # when
    html = client.get(reverse("my-work"), headers={"Accept-Language": "de"}).content.decode()

    # then
    assert "Meine Arbeit" in html
    assert "Sie haben keine offenen Aktionen." in html
