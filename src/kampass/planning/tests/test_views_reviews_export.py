"""The review list as CSV and XLSX: the page's state and kind filters, visibility, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.tests.factories import export, export_queries
from kampass.planning.models import ReviewKind
from kampass.planning.services_reviews import review_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]
TODAY = timezone.localdate()


@pytest.fixture
def reviews(kam, kam2):
    mine = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=mine, user=kam, role="kam")
    foreign = AccountFactory(name="Schindler", kam_status="key_account")
    TeamMemberFactory(account=foreign, user=kam2, role="kam")
    review_plan(actor=kam, account_id=mine.pk, kind=ReviewKind.CHECK_IN, due_on=TODAY - dt.timedelta(days=3))
    review_plan(actor=kam, account_id=mine.pk, kind=ReviewKind.STRATEGIC, due_on=TODAY + dt.timedelta(days=60))
    review_plan(actor=kam2, account_id=foreign.pk, kind=ReviewKind.CHECK_IN, due_on=TODAY + dt.timedelta(days=5))
    return mine


def test_a_kam_exports_only_the_reviews_of_their_accounts(client, kam, reviews):
    client.force_login(kam)
    rows = export(client, reverse("review-list"), "xlsx")
    assert rows[0] == ("Account", "Kind", "Trigger", "Event", "Due", "Held on", "Status")
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [
        ("Kone", "Check-in", "overdue"),
        ("Kone", "Annual strategic review", "planned"),
    ]
    assert rows[1][4] == dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time())


def test_the_export_keeps_the_state_and_kind_filters(client, head, reviews):
    client.force_login(head)
    assert [r[0] for r in export(client, reverse("review-list"), "csv", state="due")[1:]] == ["Schindler"]
    assert [r[6] for r in export(client, reverse("review-list"), "csv", kind="check_in")[1:]] == ["overdue", "due"]
    assert len(export(client, reverse("review-list"), "csv", state="held")) == 1


def test_the_list_offers_the_export_links(client, head, reviews):
    client.force_login(head)
    body = client.get(reverse("review-list"), {"state": "all"}).content.decode()
    assert 'href="/plans/reviews/?state=all&amp;export=xlsx"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, kam, fmt):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")

    def add(n, start):
        for i in range(start, start + n):
            review_plan(actor=kam, account_id=account.pk, kind=ReviewKind.CHECK_IN, due_on=TODAY + dt.timedelta(days=i))

    client.force_login(kam)
    add(2, 0)
    few = export_queries(client, reverse("review-list"), fmt)
    add(20, 2)
    many = export_queries(client, reverse("review-list"), fmt)
    assert len(export(client, reverse("review-list"), fmt)) == 23
    assert many == few
