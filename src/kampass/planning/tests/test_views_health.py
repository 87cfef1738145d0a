"""Pages of the actions and the health score: who sees what, the forms, the panels on the start page
and on the account page, German texts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.planning.action_services import action_create
from kampass.planning.models import ActionStatus, HealthSnapshot, HealthWeights, Notice, PlanAction, PlanStatus
from kampass.planning.tests.factories import make_plan
from kampass.users.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]
TODAY = timezone.localdate()


@pytest.fixture
def plan(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return make_plan(account=account, status=PlanStatus.ACTIVE)


@pytest.fixture
def member(plan):
    user = UserFactory(username="service_t", role=Role.VIEWER)
    TeamMemberFactory(account=plan.account, user=user, role="service")
    return user


def test_the_kam_adds_an_action_through_the_form(client, kam, member, plan):
    client.force_login(kam)
    url = reverse("action-create", args=[plan.pk])

    response = client.post(
        url, {"title": "Visit the plant", "owner": member.pk, "status": "open", "due_date": "2026-02-01", "links": ""}
    )

    assert response.status_code == 302
    action = PlanAction.objects.get()
    assert (action.title, action.owner) == ("Visit the plant", member)
    page = client.get(reverse("plan-actions", args=[plan.pk]))
    assert "Visit the plant" in page.content.decode()


def test_a_bad_link_is_shown_on_the_form(client, kam, plan):
    client.force_login(kam)

    response = client.post(
        reverse("action-create", args=[plan.pk]), {"title": "x", "status": "open", "links": "deal 5"}
    )

    assert response.status_code == 422
    assert "is not a link" in response.content.decode()


def test_the_owner_sees_a_progress_form_and_others_are_refused(client, kam, kam2, member, plan):
    action = action_create(
        actor=kam, plan=plan, title="Call", owner_id=member.pk, due_date=TODAY - dt.timedelta(days=2)
    )
    client.force_login(member)

    form = client.get(reverse("action-edit", args=[action.pk]))
    done = client.post(
        reverse("action-edit", args=[action.pk]), {"status": "done", "notes": "went well", "version": action.version}
    )

    assert 'name="title"' not in form.content.decode()
    assert done.status_code == 302
    assert PlanAction.objects.get().status == ActionStatus.DONE
    client.force_login(kam2)
    assert client.get(reverse("action-edit", args=[action.pk])).status_code == 404
    assert client.get(reverse("action-create", args=[plan.pk])).status_code == 403


def test_my_actions_lists_mine_and_flags_overdue_ones(client, kam, member, plan):
    action_create(actor=kam, plan=plan, title="Late call", owner_id=member.pk, due_date=TODAY - dt.timedelta(days=2))
    action_create(actor=kam, plan=plan, title="Kam's own", owner_id=kam.pk)
    client.force_login(member)

    page = client.get(reverse("my-actions")).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()

    assert "Late call" in page
    assert "Kam's own" not in page
    assert "overdue" in page
    assert "Late call" in dashboard


def test_the_head_may_list_everyones_actions(client, head, kam, member, plan):
    action_create(actor=kam, plan=plan, title="Late call", owner_id=member.pk)
    client.force_login(head)

    assert "Late call" not in client.get(reverse("my-actions")).content.decode()
    assert "Late call" in client.get(reverse("my-actions") + "?who=all").content.decode()


def test_scorecard_and_account_health_pages(client, head, plan):
    for months_back, score in ((2, 80.0), (1, 70.0)):
        HealthSnapshot.objects.create(
            account=plan.account, day=TODAY - dt.timedelta(days=30 * months_back), score=score
        )
    client.force_login(head)

    card = client.get(reverse("scorecard")).content.decode()
    health = client.get(reverse("account-health", args=[plan.account_id])).content.decode()
    cockpit = client.get(reverse("account-detail", args=[plan.account_id])).content.decode()

    assert "Kone" in card
    assert 'data-testid="scorecard-row"' in card
    assert 'data-testid="health-trend"' in health
    assert 'data-testid="account-health-panel"' in cockpit


def test_the_weights_page_is_for_the_head_only(client, head, kam, plan):
    client.force_login(kam)
    assert client.get(reverse("health-weights")).status_code == 403
    client.force_login(head)
    data = {
        "profitability_trend": 1, "leakage_share": 3, "pipeline_coverage": 2, "forecast_bias": 0,
        "decision_maker_coverage": 2, "plan_freshness": 1, "action_completion": 1, "reviews_held": 1,
        "note": "leakage first",
    }  # fmt: skip

    assert client.post(reverse("health-weights"), data).status_code == 302
    assert HealthWeights.objects.get().weights["leakage_share"] == 3
    bad = client.post(reverse("health-weights"), {**data, "leakage_share": 12, "version": 1})
    assert bad.status_code == 422


def test_notices_are_shown_to_their_recipient_and_marked_read(client, kam, kam2, plan):
    notice = Notice.objects.create(
        recipient=kam, account=plan.account, text="x", params={"account": "Kone", "points": 12.0, "score": 40.0}
    )
    client.force_login(kam2)
    assert client.post(reverse("notice-read", args=[notice.pk])).status_code == 404
    client.force_login(kam)

    assert "Kone" in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("notice-read", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_pages_speak_german(client, kam, plan):
    kam.language = "de"
    kam.save()
    client.force_login(kam)

    assert "Meine Maßnahmen" in client.get(reverse("my-actions"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Punkte je Komponente" in client.get(reverse("scorecard"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
