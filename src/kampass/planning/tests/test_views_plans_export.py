"""The plan list as CSV and XLSX: the page's search, status filter, sort and visibility, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.tests.factories import export, export_queries
from kampass.planning.models import PlanStatus
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(kam, kam2):
    mine = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=mine, user=kam, role="kam")
    foreign = AccountFactory(name="Schindler", kam_status="key_account")
    TeamMemberFactory(account=foreign, user=kam2, role="kam")
    make_plan(account=mine, status=PlanStatus.ACTIVE)
    make_plan(account=mine, period_start=dt.date(2028, 1, 1), period_end=dt.date(2028, 12, 31))
    make_plan(account=foreign, status=PlanStatus.APPROVED)
    return mine


def test_a_kam_exports_only_the_plans_of_their_accounts(client, kam, plans):
    client.force_login(kam)
    rows = export(client, reverse("plan-list"), "xlsx", sort="period")
    assert rows[0][:4] == ("Account", "Period from", "Period to", "Version")
    assert [(r[0], r[1].year, r[4]) for r in rows[1:]] == [("Kone", 2027, "Active"), ("Kone", 2028, "Draft")]
    assert rows[1][3] == 1
    assert isinstance(rows[1][5], dt.datetime)  # approved at
    assert rows[2][5] is None


def test_the_export_keeps_the_status_filter_and_search(client, head, plans):
    client.force_login(head)
    assert [r[0] for r in export(client, reverse("plan-list"), "csv", status="approved")[1:]] == ["Schindler"]
    assert [r[0] for r in export(client, reverse("plan-list"), "csv", q="kon")[1:]] == ["Kone", "Kone"]
    assert len(export(client, reverse("plan-list"), "csv")) == 4


def test_the_list_offers_the_export_links(client, head, plans):
    client.force_login(head)
    body = client.get(reverse("plan-list"), {"q": "kone"}).content.decode()
    assert 'href="/plans/?q=kone&amp;export=csv"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, fmt):
    def add(n, start):
        for i in range(start, start + n):
            make_plan(
                account=AccountFactory(name=f"Firm {i:03d}", kam_status="key_account"), status=PlanStatus.APPROVED
            )

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("plan-list"), fmt)
    add(10, 2)
    many = export_queries(client, reverse("plan-list"), fmt)
    assert len(export(client, reverse("plan-list"), fmt)) == 13
    assert many == few
