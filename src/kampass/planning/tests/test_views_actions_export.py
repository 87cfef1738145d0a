"""The action list as CSV and XLSX: the page's filters, who sees whose actions, the links, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, ContactFactory, TeamMemberFactory, UserFactory
from kampass.common.tests.factories import export, export_queries
from kampass.planning.action_services import action_create
from kampass.planning.models import PlanStatus
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
    user = UserFactory(username="service_t", role=Role.KAM)
    TeamMemberFactory(account=plan.account, user=user, role="service")
    return user


def test_a_kam_exports_only_their_own_actions(client, kam, member, plan):
    action_create(actor=kam, plan=plan, title="Late call", owner_id=member.pk, due_date=TODAY - dt.timedelta(days=2))
    action_create(actor=kam, plan=plan, title="Kam's own", owner_id=kam.pk)
    client.force_login(member)
    rows = export(client, reverse("my-actions"), "xlsx", who="all")  # "all" is not theirs to ask for
    assert rows[0] == ("Action", "Account", "Owner", "Due", "Status", "Overdue", "Links")
    assert [r[0] for r in rows[1:]] == ["Late call"]
    assert rows[1][1] == "Kone"
    assert rows[1][3] == dt.datetime.combine(TODAY - dt.timedelta(days=2), dt.time())
    assert rows[1][5] is True


def test_the_head_exports_everyones_actions_with_the_filters(client, head, kam, member, plan):
    contact = ContactFactory(last_name="Muster")
    action_create(
        actor=kam, plan=plan, title="-Call Muster", owner_id=member.pk, links=[{"kind": "contact", "id": contact.pk}]
    )
    action_create(actor=kam, plan=plan, title="Visit plant", owner_id=kam.pk, status="done")
    client.force_login(head)
    assert export(client, reverse("my-actions"), "csv")[1:] == []  # the head's own: none
    rows = export(client, reverse("my-actions"), "csv", who="all", status="all", sort="title")
    assert [r[0] for r in rows[1:]] == ["'-Call Muster", "Visit plant"]
    assert rows[1][6] == f"Contact: {contact}"
    rows = export(client, reverse("my-actions"), "csv", who="all")  # open ones by default
    assert [r[0] for r in rows[1:]] == ["'-Call Muster"]


def test_the_list_offers_the_export_links(client, kam, plan):
    action_create(actor=kam, plan=plan, title="Call", owner_id=kam.pk)
    client.force_login(kam)
    body = client.get(reverse("my-actions"), {"status": "all"}).content.decode()
    assert 'href="/plans/actions/?status=all&amp;export=xlsx"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, kam, plan, fmt):
    def add(n, start):
        for i in range(start, start + n):
            contact = ContactFactory(last_name=f"Person {i}")
            action_create(
                actor=kam,
                plan=plan,
                title=f"Call {i:03d}",
                owner_id=kam.pk,
                links=[{"kind": "contact", "id": contact.pk}],
            )

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("my-actions"), fmt, who="all")
    add(20, 2)
    many = export_queries(client, reverse("my-actions"), fmt, who="all")
    assert len(export(client, reverse("my-actions"), fmt, who="all")) == 23
    assert many == few
