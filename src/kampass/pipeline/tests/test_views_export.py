"""The opportunity lists (all, and an account's) as CSV and XLSX: the page's filters, sort and
permissions, amounts as numbers, flat queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.pipeline.tests.factories import make_opportunity


@pytest.fixture
def deals(group, site, other):
    make_opportunity(account=group, name="Deal A", amount=300, owner_probability=40)
    make_opportunity(account=site, name="Deal B", amount=Decimal("100.50"))
    make_opportunity(account=group, name="=cmd()", amount=50)
    make_opportunity(account=other, name="Foreign deal", amount=900)


def test_the_export_holds_the_filtered_rows_in_the_pages_order(client, head, deals):
    client.force_login(head)
    params = {"q": "deal", "sort": "amount", "dir": "desc"}
    rows = export(client, reverse("opportunity-list"), "xlsx", **params)
    assert rows[0][:2] == ("Name", "Account")
    assert [r[0] for r in rows[1:]] == ["Foreign deal", "Deal A", "Deal B"]
    page = client.get(reverse("opportunity-list"), params).context["page"]
    assert [o.name for o in page.object_list] == [r[0] for r in rows[1:]]
    deal_b = rows[3]
    assert deal_b[1] == "Schindler Ebikon"
    assert deal_b[4] == 100.5
    assert isinstance(deal_b[4], float)
    assert deal_b[5] == "EUR"
    assert rows[2][9] == 40


def test_a_kam_exports_only_the_opportunities_the_page_shows_them(client, kam, deals):
    client.force_login(kam)
    rows = export(client, reverse("opportunity-list"), "csv")
    assert sorted(r[0] for r in rows[1:]) == ["'=cmd()", "Deal A", "Deal B"]
    assert len(rows) - 1 == client.get(reverse("opportunity-list")).context["page"].paginator.count


def test_the_accounts_opportunities_export_keeps_the_subtree_choice(client, kam, group, deals):
    client.force_login(kam)
    url = reverse("account-opportunities", args=[group.pk])
    assert sorted(r[0] for r in export(client, url, "csv")[1:]) == ["'=cmd()", "Deal A"]
    assert sorted(r[0] for r in export(client, url, "csv", subtree="1")[1:]) == ["'=cmd()", "Deal A", "Deal B"]
    response = client.get(url, {"export": "csv"})
    assert 'filename="opportunities-schindler-group-' in response["Content-Disposition"]


def test_the_list_offers_the_export_links(client, head, deals):
    client.force_login(head)
    body = client.get(reverse("opportunity-list"), {"q": "deal", "page": "1"}).content.decode()
    assert 'href="/pipeline/opportunities/?q=deal&amp;export=xlsx"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, kam, group, site, fmt):
    def add(n, start):
        for i in range(start, start + n):
            make_opportunity(account=group if i % 2 else site, name=f"Deal {i:03d}", amount=i)

    client.force_login(kam)
    add(2, 0)
    few = export_queries(client, reverse("opportunity-list"), fmt)
    add(20, 2)
    many = export_queries(client, reverse("opportunity-list"), fmt)
    assert len(export(client, reverse("opportunity-list"), fmt)) == 23
    assert many == few
