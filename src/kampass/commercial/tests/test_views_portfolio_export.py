"""The portfolio's ABC table as CSV and XLSX: every ranked account (not only the page), the accounts a
KAM may see, contributions as numbers, flat queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.accounts.services import account_create, team_member_set
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.test_views_profitability import accounts, put_lines  # noqa: F401 (fixture)
from kampass.common.tests.factories import export, export_queries


def test_the_export_holds_every_ranked_account_with_numbers(client, head, accounts):  # noqa: F811
    client.force_login(head)
    rows = export(client, reverse("portfolio"), "xlsx")
    assert rows[0] == ("Rank", "Account", "Contribution", "Currency", "Share (%)", "Cumulative share (%)", "Class")
    page = client.get(reverse("portfolio")).context["data"].abc
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [(r.rank, r.account, r.abc) for r in page]
    assert [r[2] for r in rows[1:]] == [float(r.contribution) for r in page]
    assert rows[-1][5] == pytest.approx(100.0)


def test_a_kam_exports_only_their_accounts(client, kam, accounts):  # noqa: F811
    client.force_login(kam)
    rows = export(client, reverse("portfolio"), "csv")
    assert [r[1] for r in rows[1:]] == ["Other Co"]
    assert Decimal(rows[1][2]) == client.get(reverse("portfolio")).context["data"].abc[0].contribution


def test_the_portfolio_offers_the_export_links(client, head, accounts):  # noqa: F811
    client.force_login(head)
    body = client.get(reverse("portfolio")).content.decode()
    assert f'href="{reverse("portfolio")}?export=xlsx"' in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, admin_user, head, kam, fmt):
    def add(n, start):
        lines = []
        for i in range(start, start + n):
            account = account_create(actor=admin_user, name=f"Firm {i:03d}", currency="GBP")
            team_member_set(actor=admin_user, account=account, user=kam)
            CustomerLink.objects.create(customer_id=f"K{i}", account=account)
            lines.append((f"K{i}", f"{i}01", "A1", str(i + 1), "10.00", "goods"))
        put_lines(lines)

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("portfolio"), fmt)
    add(15, 2)
    many = export_queries(client, reverse("portfolio"), fmt)
    assert len(export(client, reverse("portfolio"), fmt)) == 18
    assert many == few
