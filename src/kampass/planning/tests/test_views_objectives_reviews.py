"""The pages of objectives, KPIs and reviews: what each role sees and may do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import AccountReview, Objective, ReviewKind, ReviewStatus
from kampass.planning.services_objectives import objective_create
from kampass.planning.services_reviews import review_plan
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def plan(kam, account):
    plan = make_plan(account=account, actor=kam)
    objective_create(actor=kam, plan=plan, title="CSAT up", kpi_key="customer_satisfaction", baseline="6", target="8",
                     due_on=dt.date(2027, 12, 31))  # fmt: skip
    return plan


def test_the_objectives_section_shows_the_objectives_and_edit_links_to_the_kam_only(client, kam, viewer, kam2, plan):
    url = reverse("plan-objectives", args=[plan.pk])
    client.force_login(kam)
    page = client.get(url)
    assert page.status_code == 200
    assert "CSAT up" in page.content.decode()
    assert reverse("objective-create", args=[plan.pk]) in page.content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "CSAT up" in fragment.content.decode()

    client.force_login(viewer)
    seen = client.get(url).content.decode()
    assert "CSAT up" in seen
    assert reverse("objective-create", args=[plan.pk]) not in seen
    assert client.get(reverse("objective-create", args=[plan.pk])).status_code == 403
    client.force_login(kam2)
    assert client.get(url).status_code == 403


def test_the_kam_adds_an_objective_through_the_form(client, kam, plan):
    client.force_login(kam)
    response = client.post(
        reverse("objective-create", args=[plan.pk]),
        {"title": "Win rate", "kpi_key": "win_rate", "baseline": "0.2", "target": "0.3", "due_on": "2027-12-31"},
    )

    assert response.status_code == 302
    assert Objective.objects.filter(plan=plan, kpi_key="win_rate", title="Win rate").exists()
    refused = client.post(
        reverse("objective-create", args=[plan.pk]),
        {"title": "Same", "kpi_key": "win_rate", "baseline": "0.2", "target": "0.2", "due_on": "2027-12-31"},
    )
    assert refused.status_code == 422
    assert "must differ" in refused.content.decode()


def test_the_kpi_page_lists_the_catalogue(client, viewer, plan):
    client.force_login(viewer)

    page = client.get(reverse("account-kpis", args=[plan.account_id]) + "?as_of=2026-06-30").content.decode()

    assert "Pipeline coverage" in page
    assert "Share of wallet" in page
    assert reverse("kpi-value-record", args=[plan.account_id]) not in page


def test_review_list_flags_overdue_and_due_and_filters(client, kam, kam2, viewer, account, plan):
    today = timezone.localdate()
    late = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=today - dt.timedelta(days=3))
    soon = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.STRATEGIC, due_on=today + dt.timedelta(days=5))
    client.force_login(viewer)

    page = client.get(reverse("review-list")).content.decode()
    overdue = client.get(reverse("review-list") + "?state=overdue", headers={"HX-Request": "true"}).content.decode()

    assert 'data-testid="flag-overdue"' in page
    assert 'data-testid="flag-due"' in page
    assert reverse("review-detail", args=[late.pk]) in overdue
    assert reverse("review-detail", args=[soon.pk]) not in overdue
    client.force_login(kam2)
    assert 'data-testid="no-reviews"' in client.get(reverse("review-list")).content.decode()
    assert client.get(reverse("review-detail", args=[late.pk])).status_code == 403


def test_the_kam_holds_a_review_seeing_planned_vs_actual_and_the_page_shows_the_snapshot(
    client, kam, viewer, account, plan
):
    review = review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=timezone.localdate(),
                         plan_id=plan.pk)  # fmt: skip
    url = reverse("review-hold", args=[review.pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"held_on": timezone.localdate().isoformat(), "participants": "x"}).status_code == 403

    client.force_login(kam)
    form = client.get(url).content.decode()
    assert 'data-testid="planned-vs-actual"' in form
    assert "CSAT up" in form
    done = client.post(url, {"held_on": timezone.localdate().isoformat(), "participants": "KAM, CFO",
                             "decisions": "Extend the pilot", "version": review.version})  # fmt: skip
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    detail = client.get(reverse("review-detail", args=[review.pk])).content.decode()
    assert 'data-testid="snapshot-objectives"' in detail
    assert "Extend the pilot" in detail
    assert reverse("review-hold", args=[review.pk]) not in detail


def test_pages_speak_german(client, kam, account, plan):
    kam.language = "de"
    kam.save()
    review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=timezone.localdate())
    client.force_login(kam)

    reviews = client.get(reverse("review-list"), headers={"Accept-Language": "de"}).content.decode()
    kpis = client.get(reverse("account-kpis", args=[account.pk]), headers={"Accept-Language": "de"}).content.decode()

    assert "Account-Reviews" in reviews
    assert "Pipeline-Abdeckung" in kpis
    assert "Gewinnquote" in kpis
    assert AccountReview.objects.count() == 1
