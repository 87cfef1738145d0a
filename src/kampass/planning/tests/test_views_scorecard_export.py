"""The scorecard as CSV and XLSX: the page's filters and sort, the key accounts a KAM may read,
health and points per component as numbers, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.tests.factories import export, export_queries
from kampass.core import scorecard as core
from kampass.planning.models import HealthSnapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_noon_of_today")]
TODAY = timezone.localdate()


def key_account(name, *, kam=None, score=None):
    account = AccountFactory(name=name, kam_status="key_account")
    if kam is not None:
        TeamMemberFactory(account=account, user=kam, role="kam")
    if score is not None:
        HealthSnapshot.objects.create(account=account, day=TODAY - dt.timedelta(days=1), score=score)
    return account


def test_a_kam_exports_only_the_key_accounts_they_may_read(client, kam, kam2):
    key_account("Kone", kam=kam, score=80.0)
    key_account("Schindler", kam=kam2, score=40.0)
    client.force_login(kam)
    rows = export(client, reverse("scorecard"), "xlsx")
    assert rows[0][:7] == ("Account", "KAM", "Team", "Health", "Status", "Change in points", "Snapshot")
    assert len(rows[0]) == 7 + len(core.COMPONENTS)
    assert rows[0][7] == f"Points: {core.COMPONENTS[0].label('en')}"
    assert [r[0] for r in rows[1:]] == ["Kone"]
    assert rows[1][3] == 80.0
    assert rows[1][4] == client.get(reverse("scorecard")).context["rows"][0]["row"].light
    assert rows[1][6] == dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time())


def test_the_export_keeps_the_filters_and_sort(client, head, kam, kam2):
    key_account("Kone", kam=kam, score=80.0)
    key_account("Schindler", kam=kam2, score=20.0)
    key_account("Otis", kam=kam2, score=60.0)
    client.force_login(head)
    rows = export(client, reverse("scorecard"), "csv", sort="name")
    assert [r[0] for r in rows[1:]] == ["Kone", "Otis", "Schindler"]
    page = client.get(reverse("scorecard"), {"sort": "name"})
    assert [r["row"].name for r in page.context["rows"]] == [r[0] for r in rows[1:]]
    assert [r[0] for r in export(client, reverse("scorecard"), "csv", kam=str(kam2.pk), sort="health")[1:]] == [
        "Schindler",
        "Otis",
    ]
    assert [r[0] for r in export(client, reverse("scorecard"), "csv", light="red")[1:]] == ["Schindler"]


def test_the_scorecard_offers_the_export_links(client, head, kam):
    key_account("Kone", kam=kam, score=30.0)
    client.force_login(head)
    body = client.get(reverse("scorecard"), {"light": "red"}).content.decode()
    assert 'href="/scorecard/?light=red&amp;export=csv"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, kam, fmt):
    def add(n, start):
        for i in range(start, start + n):
            key_account(f"Firm {i:03d}", kam=kam, score=float(i))

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("scorecard"), fmt)
    add(15, 2)
    many = export_queries(client, reverse("scorecard"), fmt)
    assert len(export(client, reverse("scorecard"), fmt)) == 18
    assert many == few
