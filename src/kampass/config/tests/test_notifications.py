"""Notifications: who is told when something is assigned to them (an action's owner, an opportunity's owner,
a team membership), the bell with the unread count, the notifications page (mark read, mark all read), the
API and the e-mail digest; texts are shown in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kampass.accounts import services as accounts_services
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.models import Notification
from kampass.common.notifications import notification_text, notify, send_digests
from kampass.pipeline import services as pipeline_services
from kampass.pipeline.tests.factories import admin_actor, make_opportunity
from kampass.planning.action_services import action_create, action_update
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def _notify(*args: Any, **kwargs: Any) -> Notification:
    n = notify(*args, **kwargs)
    assert n is not None
    return n


def _texts(user) -> list[str]:
    return [notification_text(n) for n in Notification.objects.filter(recipient=user)]


def test_assigning_an_action_to_another_user_notifies_them_once(kam, kam2, head):
    # given
    account = AccountFactory(kam_status="key_account", name="Kone")
    TeamMemberFactory(account=account, user=kam)
    TeamMemberFactory(account=account, user=kam2)
    plan = make_plan(account=account)

    # when
    mine = action_create(actor=kam, plan=plan, title="Own task", owner_id=kam.pk)
    theirs = action_create(actor=kam, plan=plan, title="Call buyer", owner_id=kam2.pk)
    action_update(actor=kam, action=theirs, version=theirs.version, notes="unchanged owner")
    action_update(actor=kam, action=mine, version=mine.version, owner_id=kam2.pk)

    # then
    assert _texts(kam) == []
    assert sorted(_texts(kam2)) == [
        "Kam_T Tester assigned you the action “Call buyer” (Kone).",
        "Kam_T Tester assigned you the action “Own task” (Kone).",
    ]
    n = Notification.objects.filter(recipient=kam2).latest("pk")
    assert n.kind == "assignment"
    assert n.link == reverse("plan-detail", args=[plan.pk])


def test_handing_an_opportunity_to_another_owner_notifies_the_new_owner(kam, kam2):
    # given
    admin = admin_actor()
    account = AccountFactory(name="Schindler")
    deal = make_opportunity(account=account, name="Drives", owner=kam, actor=admin)
    assert [n.recipient_id for n in Notification.objects.all()] == [kam.pk]

    # when
    pipeline_services.opportunity_update(actor=admin, opportunity=deal, version=deal.version, owner=kam2)
    deal.refresh_from_db()
    pipeline_services.opportunity_update(actor=admin, opportunity=deal, version=deal.version, name="Drives 2")

    # then
    assert len(_texts(kam2)) == 1
    assert "made you the owner of the opportunity “Drives” (Schindler)" in _texts(kam2)[0]


def test_adding_a_user_to_a_team_notifies_them_but_changing_their_role_does_not(admin_user, kam):
    # given
    account = AccountFactory(name="Bosch")

    # when
    accounts_services.team_member_set(actor=admin_user, account=account, user=kam, role="kam", version=0)
    member = account.team.get(user=kam)
    accounts_services.team_member_set(actor=admin_user, account=account, user=kam, role="sales", version=member.version)

    # then
    assert _texts(kam) == [f"{admin_user} added you to the team of Bosch."]


def test_the_text_is_shown_in_the_readers_language(client, kam, kam2):
    # given
    _notify(kam, "assignment", "%(by)s added you to the team of %(account)s.", params={"by": "Anna", "account": "Kone"})
    kam.language = "de"
    kam.save()
    client.force_login(kam)

    # when
    html = client.get(reverse("notifications")).content.decode()

    # then
    assert "Anna hat Sie dem Team von Kone hinzugefügt." in html


def test_the_bell_counts_unread_notifications_and_the_page_marks_them_read(client, kam, kam2):
    # given
    first = _notify(
        kam,
        "mention",
        "%(by)s added you to the team of %(account)s.",
        params={"by": "A", "account": "X"},
        link="/accounts/",
    )
    _notify(kam, "approval", "%(by)s added you to the team of %(account)s.", params={"by": "B", "account": "Y"})
    _notify(kam2, "guardrail", "%(by)s added you to the team of %(account)s.", params={"by": "C", "account": "Z"})
    client.force_login(kam)

    # when
    before = client.get(reverse("my-work")).content.decode()
    opened = client.post(reverse("notification-read", args=[first.pk]))
    middle = client.get(reverse("my-work")).content.decode()
    client.post(reverse("notifications-read-all"))
    after = client.get(reverse("notifications")).content.decode()

    # then
    assert 'data-testid="unread-count">2<' in before
    assert opened["Location"] == "/accounts/"
    assert 'data-testid="unread-count">1<' in middle
    assert 'data-testid="unread-count"' not in after
    assert after.count('data-testid="notification-row"') == 2
    assert Notification.objects.get(recipient=kam2).read_at is None


def test_another_users_notification_cannot_be_marked_read(client, kam, kam2):
    theirs = _notify(kam2, "mention", "x")
    client.force_login(kam)
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_lists_the_callers_notifications_and_marks_one_read(api, kam, kam2):
    # given
    n = _notify(kam, "assignment", "%(by)s added you to the team of %(account)s.", params={"by": "A", "account": "X"})
    _notify(kam, "guardrail", "x")
    theirs = _notify(kam2, "mention", "y")

    # when
    listed = api(kam, "get", "/notifications?kind=assignment").json()
    read = api(kam, "post", f"/notifications/{n.pk}/read")
    unread = api(kam, "get", "/notifications?unread=true").json()
    refused = api(kam, "post", f"/notifications/{theirs.pk}/read")

    # then
    assert listed["count"] == 1
    assert listed["unread"] == 2
    assert listed["items"][0]["text"] == "A added you to the team of X."
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert [i["kind"] for i in unread["items"]] == ["guardrail"]
    assert refused.status_code == 404


def test_the_digest_mails_each_user_their_unread_notifications_of_the_last_day(kam, kam2, viewer):
    # given
    kam.email, kam2.email = "kam@example.com", ""
    kam.save()
    kam2.save()
    _notify(kam, "assignment", "%(by)s added you to the team of %(account)s.", params={"by": "A", "account": "X"})
    old = _notify(kam, "mention", "old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    read = _notify(kam, "mention", "read one")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    _notify(kam2, "mention", "no address")

    # when
    sent = send_digests()
    call_command("notifications", "digest")

    # then
    assert sent == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == ["kam@example.com"]
    assert "A added you to the team of X." in mail.outbox[0].body
    assert "old" not in mail.outbox[0].body
    assert "read one" not in mail.outbox[0].body


def test_a_user_who_opted_out_gets_no_digest_and_the_settings_page_switches_it(client, kam):
    # given
    kam.email = "kam@example.com"
    kam.save()
    _notify(kam, "mention", "x")
    client.force_login(kam)

    # when
    page = client.get(reverse("my-settings")).content.decode()
    client.post(reverse("my-settings"), {"language": "", "view_currency": "EUR"})  # the box left unticked
    kam.refresh_from_db()

    # then
    assert 'name="notification_digest"' in page
    assert kam.notification_digest is False
    assert send_digests() == 0
    assert mail.outbox == []
