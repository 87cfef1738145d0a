"""The solution library as CSV and XLSX: the page's filters and sort, where each is used, flat queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.solutions import services
from kampass.solutions.tests.factories import SolutionFactory, key_account

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_filtered_solutions_and_where_they_are_used(client, viewer, head):
    pool = SolutionFactory(name="Spare-parts pool", segments="Machinery")
    SolutionFactory(name="+Ordering portal", segments="Hospitality")
    SolutionFactory(name="Remote service", segments="Machinery, Food")
    services.solution_use_link(actor=head, solution=pool, account_id=key_account("Globex").pk)
    services.solution_use_link(actor=head, solution=pool, account_id=key_account("Initech").pk, reference=True)
    client.force_login(viewer)
    rows = export(client, reverse("solution-library"), "xlsx", segment="Machinery", sort="name", dir="desc")
    assert rows[0][0] == "Solution"
    assert [r[0] for r in rows[1:]] == ["Spare-parts pool", "Remote service"]
    assert rows[1][4:] == (2, 2, "Globex; Initech", "Initech")
    assert rows[2][4:6] == (0, 0)
    everything = export(client, reverse("solution-library"), "csv", sort="name")
    assert [r[0] for r in everything[1:]] == ["'+Ordering portal", "Remote service", "Spare-parts pool"]


def test_the_library_offers_the_export_links(client, viewer):
    SolutionFactory(name="Pool")
    client.force_login(viewer)
    body = client.get(reverse("solution-library"), {"status": "active"}).content.decode()
    assert 'href="/solutions/?status=active&amp;export=csv"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, fmt):
    accounts = [key_account(f"Firm {i}") for i in range(3)]

    def add(n, start):
        for i in range(start, start + n):
            s = SolutionFactory(name=f"Solution {i:03d}")
            for a in accounts:
                services.solution_use_link(actor=head, solution=s, account_id=a.pk)

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("solution-library"), fmt)
    add(15, 2)
    many = export_queries(client, reverse("solution-library"), fmt)
    assert len(export(client, reverse("solution-library"), fmt)) == 18
    assert many == few
