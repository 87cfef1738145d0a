"""The assessment round list as CSV and XLSX: the page's filters, the rounds a user may see, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.programme.models import Function
from kampass.programme.tests.conftest import make_round, open_round_with


def test_a_user_exports_only_the_rounds_they_may_see(client, head, kam, kam2, viewer):
    open_round_with(head, [(kam2, Function.KAM)])
    make_round(head, title="Draft round", starts=dt.date(2026, 5, 1))
    client.force_login(viewer)
    assert export(client, reverse("programme-rounds"), "csv")[1:] == []
    client.force_login(kam2)
    rows = export(client, reverse("programme-rounds"), "xlsx")
    assert rows[0] == ("Title", "Starts", "Status", "Invited", "Submitted", "Minimum")
    assert len(rows) == 2
    assert rows[1][3:5] == (1, 0)


def test_the_manager_exports_every_round_with_the_filters(client, head, kam):
    open_round_with(head, [(kam, Function.KAM)])
    make_round(head, title="@Draft round", starts=dt.date(2026, 5, 1))
    client.force_login(head)
    rows = export(client, reverse("programme-rounds"), "csv")
    assert next(r[0] for r in rows[1:]) == "'@Draft round"  # newest first, as on the page
    assert len(rows) == 3
    assert [r[0] for r in export(client, reverse("programme-rounds"), "csv", status="draft")[1:]] == ["'@Draft round"]
    assert (
        'href="/programme/rounds/?status=draft&amp;export=csv"'
        in client.get(reverse("programme-rounds"), {"status": "draft"}).content.decode()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, fmt):
    def add(n, start):
        for i in range(start, start + n):
            make_round(head, title=f"Round {i:03d}", starts=dt.date(2026, 1, 1) + dt.timedelta(days=i))

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("programme-rounds"), fmt)
    add(15, 2)
    many = export_queries(client, reverse("programme-rounds"), fmt)
    assert len(export(client, reverse("programme-rounds"), fmt)) == 18
    assert many == few
