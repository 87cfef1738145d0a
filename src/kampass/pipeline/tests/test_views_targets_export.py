"""The target list as CSV and XLSX: the page's filters and sort, whose targets a KAM reads, amounts as
numbers, flat queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.pipeline.services import target_create

pytestmark = pytest.mark.django_db


def test_a_kam_exports_only_their_targets(client, head, kam, kam2):
    target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=Decimal("1000.50"))
    target_create(actor=head, scope="owner", owner=kam2, period="year", year=2030, amount=2)
    client.force_login(kam)
    rows = export(client, reverse("target-list"), "xlsx")
    assert rows[0] == ("For", "Kind", "Period", "Period type", "Target", "Currency", "Note")
    assert len(rows) == 2
    assert rows[1][0] == str(kam)
    assert rows[1][2] == "2030"
    assert rows[1][4] == 1000.5


def test_the_export_keeps_the_filters_and_sort(client, head, kam):
    for month in (1, 2, 3):
        target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=month, amount=month,
                      note=f"-note {month}")  # fmt: skip
    target_create(actor=head, scope="owner", owner=kam, period="year", year=2031, amount=10)
    client.force_login(head)
    rows = export(client, reverse("target-list"), "csv", period="month", sort="amount", dir="desc")
    assert [r[4] for r in rows[1:]] == ["3.00", "2.00", "1.00"]
    assert rows[1][6] == "'-note 3"
    assert [r[2] for r in export(client, reverse("target-list"), "csv", year="2031")[1:]] == ["2031"]


def test_the_list_offers_the_export_links(client, head, kam):
    target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    client.force_login(head)
    body = client.get(reverse("target-list"), {"year": "2030"}).content.decode()
    assert 'href="/pipeline/targets/?year=2030&amp;export=xlsx"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, kam, fmt):
    def add(years):
        for year in years:
            target_create(actor=head, scope="owner", owner=kam, period="year", year=year, amount=year)

    client.force_login(kam)
    add(range(2030, 2032))
    few = export_queries(client, reverse("target-list"), fmt)
    add(range(2032, 2050))
    many = export_queries(client, reverse("target-list"), fmt)
    assert len(export(client, reverse("target-list"), fmt)) == 21
    assert many == few
