"""Profitability and portfolio pages: figures, charts, drill-down, XLSX export and permissions."""

from __future__ import annotations

import datetime as dtm
import io
import json
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pytest
from django.urls import reverse

from kampass.accounts.services import account_create, team_member_set
from kampass.commercial.models import CustomerLink
from kampass.common.analytics import analytics_store
from kampass.core.analytics.schema import INVOICE_LINES, SCHEMAS

# (customer, invoice no, stock code, quantity, unit price, category)
LINES = [
    ("C1", "1001", "A1", "100", "10.00", "goods"),
    ("C1", "1001", "A2", "2", "117.28", "goods"),
    ("C1", "1001", "D", "1", "-50.00", "discounts"),
    ("C1", "C1002", "A1", "-12", "10.00", "returns"),
    ("C1", "1003", "POST", "1", "-15.50", "freight"),
    ("C2", "2001", "B1", "50", "10.00", "goods"),
    ("C2", "C2002", "B1", "-10", "10.00", "returns"),
    ("C3", "3001", "X", "30", "10.00", "goods"),
    ("C3", "3002", "BD", "1", "-30.00", "bad_debt"),
    ("C4", "4001", "Y", "2", "10.00", "goods"),
    ("C9", "9001", "Z", "1", "10.00", "goods"),  # customer linked to no account
]
# Acme Group (C1): gross 1,234.56, discounts 50, returns 120, freight 15.50 -> invoice 1,184.56, pocket 1,049.06
# Acme UK (C2, child of the group): gross 500, returns 100 -> pocket 400; subtree: gross 1,734.56, pocket 1,449.06


def put_lines(rows, *, start=dtm.datetime(2011, 3, 1, 9, 30, tzinfo=dtm.UTC)):
    """Append invoice lines to the per-test analytics store."""
    dec = pa.decimal128(18, 4)
    n = len(rows)
    table = pa.table(
        {
            "batch_id": ["test"] * n,
            "source_row": list(range(1, n + 1)),
            "invoice_no": [r[1] for r in rows],
            "invoice_date": pa.array(
                [start + dtm.timedelta(days=31 * (i % 3)) for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "customer_id": [r[0] for r in rows],
            "country": ["United Kingdom"] * n,
            "stock_code": [r[2] for r in rows],
            "description": [f"item {r[2]}" for r in rows],
            "product_group": [r[2] for r in rows],
            "quantity": pa.array([Decimal(r[3]) for r in rows], dec),
            "unit_price": pa.array([Decimal(r[4]).copy_abs() for r in rows], dec),
            "amount": pa.array(
                [Decimal(r[3]) * Decimal(r[4]) if Decimal(r[4]) > 0 else Decimal(r[4]) for r in rows], dec
            ),
            "unit_cost": pa.array([None] * n, dec),
            "currency": ["GBP"] * n,
            "category": [r[5] for r in rows],
        },
        schema=SCHEMAS[INVOICE_LINES].to_pyarrow(),
    )
    with analytics_store(write=True) as store:
        store.insert(INVOICE_LINES, table)


@pytest.fixture
def accounts(admin_user, kam):
    group = account_create(actor=admin_user, name="Acme Group", currency="EUR")
    uk = account_create(actor=admin_user, name="Acme UK", parent=group, currency="GBP")
    other = account_create(actor=admin_user, name="Other Co", currency="GBP")
    tiny = account_create(actor=admin_user, name="Tiny Ltd", currency="GBP")
    for customer, account in (("C1", group), ("C2", uk), ("C3", other), ("C4", tiny)):
        CustomerLink.objects.create(customer_id=customer, account=account)
    team_member_set(actor=admin_user, account=other, user=kam)
    put_lines(LINES)
    return {"group": group, "uk": uk, "other": other, "tiny": tiny}


def test_profitability_page_shows_figures_and_charts(client, head, accounts):
    client.force_login(head)
    response = client.get(reverse("account-profitability", args=[accounts["group"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    figures = response.context["figures"]
    assert figures.pocket_revenue == Decimal("1049.06")
    assert "1,049.06" in body  # pocket revenue, en format with thousands separator
    assert "1,234.56" in body
    assert "1,184.56" in body
    assert "GBP" in body  # the currency of the lines, not the account's EUR
    assert 'data-vega-spec="waterfall-spec"' in body
    assert 'id="waterfall-spec"' in body
    spec = json.dumps(response.context["waterfall_spec"])
    assert '"label": "Gross revenue"' in spec
    assert '"label": "Discounts and rebates"' in spec
    assert response.context["monthly_spec"] is not None
    assert 'data-testid="leakage-table"' in body
    assert "Returns and cancellations" in body
    assert "vega-embed.min.js" in body


def test_profitability_subtree_sums_the_children(client, head, accounts):
    client.force_login(head)
    url = reverse("account-profitability", args=[accounts["group"].pk])
    response = client.get(url, {"subtree": "1"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.gross_revenue == Decimal("1734.56")
    assert figures.pocket_revenue == Decimal("1449.06")
    assert figures.leakage["returns"] == Decimal("220")
    body = response.content.decode()
    assert "1,449.06" in body
    assert 'data-testid="subtree-breakdown"' in body
    assert "Acme UK" in body
    assert "profitability.xlsx?subtree=1" in body
    single = client.get(url).context["figures"]
    assert single.pocket_revenue == Decimal("1049.06")


def test_drill_down_fragment_lists_lines_of_a_category(client, head, accounts):
    client.force_login(head)
    url = reverse("account-profitability", args=[accounts["group"].pk])
    response = client.get(url, {"category": "returns"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="lines-table"' in body
    assert "C1002" in body
    assert "-120.00" in body
    assert "<td>1001</td>" not in body  # goods and discount lines are not returns


def test_drill_down_pages_by_50(client, head, admin_user):
    big = account_create(actor=admin_user, name="Big Returns plc")
    CustomerLink.objects.create(customer_id="R1", account=big)
    put_lines(
        [("R1", "1", "G", "1000", "1.00", "goods")]
        + [("R1", f"C{i:03d}", "G", "-1", "1.00", "returns") for i in range(60)]
    )
    client.force_login(head)
    url = reverse("account-profitability", args=[big.pk])
    first = client.get(url, {"category": "returns"}, headers={"HX-Request": "true"})
    assert len(first.context["lines"].rows) == 50
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' not in first.content.decode()
    second = client.get(url, {"category": "returns", "page": "2"}, headers={"HX-Request": "true"})
    lines = second.context["lines"]
    assert len(lines.rows) == 10
    assert lines.total == 60
    assert 'rel="prev"' in second.content.decode()
    # without HTMX the same URL is the whole page with the lines opened
    full = client.get(url, {"category": "returns"})
    assert "<html" in full.content.decode()
    assert 'data-testid="lines-table"' in full.content.decode()


def test_xlsx_export_has_the_pnl(client, head, accounts):
    client.force_login(head)
    response = client.get(reverse("account-profitability-xlsx", args=[accounts["group"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["P&L", "Leakage", "Months", "Lines"]
    pnl = wb["P&L"]
    steps = {row[0].value: row[2] for row in pnl.iter_rows(min_row=5, max_col=6) if row[2].value is not None}
    assert steps["Gross revenue"].value == pytest.approx(1234.56)
    assert steps["Invoice revenue"].value == pytest.approx(1184.56)
    assert steps["Returns and cancellations"].value == pytest.approx(120)
    assert steps["Pocket revenue"].value == pytest.approx(1049.06)
    assert steps["Pocket revenue"].number_format == "#,##0.00"
    leakage = {r[0]: r[1] for r in wb["Leakage"].iter_rows(min_row=2, values_only=True)}
    assert leakage["Freight and postage"] == pytest.approx(15.5)
    assert wb["Lines"].max_row == 1 + 5  # header + the five lines of C1
    assert isinstance(wb["Lines"]["H2"].value, int | float)
    assert wb["Lines"]["H2"].number_format == "#,##0.00"


def test_xlsx_export_in_german_with_subtree(client, head, accounts):
    head.language = "de"
    head.save()
    client.force_login(head)
    response = client.get(reverse("account-profitability-xlsx", args=[accounts["group"].pk]), {"subtree": "1"})
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    labels = {row[0]: row[2] for row in wb["P&L"].iter_rows(min_row=5, values_only=True) if row and row[2] is not None}
    assert labels["Pocket-Umsatz"] == pytest.approx(1449.06)
    assert wb["Lines"].max_row == 1 + 7


def test_profitability_page_in_german_formats_numbers(client, head, accounts):
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("account-profitability", args=[accounts["group"].pk])).content.decode()
    assert "1.049,06" in body


def test_empty_state_without_lines(client, head, admin_user):
    lonely = account_create(actor=admin_user, name="Lonely AG")
    client.force_login(head)
    response = client.get(reverse("account-profitability", args=[lonely.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="empty-state"' in body
    assert reverse("import-list") in body
    assert response.context["waterfall_spec"] is None


def test_kam_is_refused_figures_of_other_teams(client, kam, accounts):
    client.force_login(kam)
    group = accounts["group"]
    assert client.get(reverse("account-profitability", args=[group.pk])).status_code == 403
    assert client.get(reverse("account-profitability", args=[group.pk]), {"subtree": "1"}).status_code == 403
    assert client.get(reverse("account-profitability-xlsx", args=[group.pk])).status_code == 403
    assert (
        client.get(reverse("account-profitability", args=[accounts["uk"].pk]), {"category": "returns"}).status_code
        == 403
    )


def test_kam_sees_figures_of_own_accounts(client, kam, accounts):
    client.force_login(kam)
    response = client.get(reverse("account-profitability", args=[accounts["other"].pk]))
    assert response.status_code == 200
    assert response.context["figures"].pocket_revenue == Decimal("270")
    assert client.get(reverse("account-profitability-xlsx", args=[accounts["other"].pk])).status_code == 200


def test_account_page_links_to_profitability_only_when_allowed(client, kam, accounts):
    client.force_login(kam)
    own = client.get(reverse("account-detail", args=[accounts["other"].pk])).content.decode()
    assert reverse("account-profitability", args=[accounts["other"].pk]) in own
    foreign = client.get(reverse("account-detail", args=[accounts["group"].pk])).content.decode()
    assert reverse("account-profitability", args=[accounts["group"].pk]) not in foreign


def test_portfolio_shows_abc_classes(client, head, accounts):
    client.force_login(head)
    response = client.get(reverse("portfolio"))
    assert response.status_code == 200
    rows = [(r.account, r.abc) for r in response.context["data"].abc]
    assert rows == [("Acme Group", "A"), ("Acme UK", "A"), ("Other Co", "B"), ("Tiny Ltd", "C")]
    body = response.content.decode()
    assert 'data-testid="abc-table"' in body
    assert 'data-vega-spec="whale-spec"' in body
    assert response.context["data"].class_counts == {"A": 2, "B": 1, "C": 1}
    top = response.context["top_leakage"]
    assert [(r["f"].account, r["biggest"]) for r in top][:2] == [
        ("Acme Group", "Returns and cancellations"),
        ("Acme UK", "Returns and cancellations"),
    ]
    # totals include the unlinked customer's line
    assert response.context["totals"].gross_revenue == Decimal("2064.56")
    assert '"type": "rule"' in json.dumps(response.context["whale_spec"])  # the 100 % line


def test_portfolio_abc_fragment_for_htmx(client, head, accounts):
    client.force_login(head)
    response = client.get(reverse("portfolio"), headers={"HX-Request": "true", "HX-Target": "abc"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="abc-table"' in body


def test_kam_sees_only_own_accounts_on_portfolio(client, kam, accounts):
    client.force_login(kam)
    response = client.get(reverse("portfolio"))
    assert response.status_code == 200
    assert [r.account for r in response.context["data"].abc] == ["Other Co"]
    body = response.content.decode()
    assert "Acme Group" not in body
    assert "Tiny Ltd" not in body
    assert 'data-testid="restricted"' in body
    assert response.context["totals"].pocket_revenue == Decimal("270")


def test_controller_sees_every_account(client, controller, accounts):
    client.force_login(controller)
    assert client.get(reverse("account-profitability", args=[accounts["group"].pk])).status_code == 200
    assert client.get(reverse("account-profitability-xlsx", args=[accounts["uk"].pk])).status_code == 200


def test_controller_sees_the_whole_portfolio(client, controller, accounts):
    client.force_login(controller)
    lines = client.get(reverse("account-profitability", args=[accounts["group"].pk]), {"category": "returns"},
                       headers={"HX-Request": "true"})  # fmt: skip
    assert lines.status_code == 200
    assert "C1002" in lines.content.decode()
    response = client.get(reverse("portfolio"))
    assert len(response.context["data"].abc) == 4
    assert reverse("import-list") not in response.content.decode()  # no Imports link in the navigation


def test_portfolio_empty_state(client, head):
    client.force_login(head)
    response = client.get(reverse("portfolio"))
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()


def test_expected_risk_cost_of_customer_projects_feeds_the_figures(client, head, admin_user, accounts):
    # given an open project of Acme UK with two active risks in GBP and a closed one
    from kampass.pipeline.services import risk_create, risk_update
    from kampass.pipeline.tests.factories import make_opportunity

    project = make_opportunity(account=accounts["uk"], name="Line retrofit", currency="GBP")
    for title, likelihood, cost in (("Late parts", 4, "200.00"), ("Penalty", 1, "500.00"), ("Gone", 5, "900.00")):
        risk = risk_create(actor=admin_user, opportunity=project, title=title, category="delivery",
                           likelihood=likelihood, impact=3, cost=cost, currency="GBP")  # fmt: skip
    risk_update(actor=admin_user, risk=risk, status="closed")
    client.force_login(head)

    own = client.get(reverse("account-profitability", args=[accounts["uk"].pk]))
    group = client.get(reverse("account-profitability", args=[accounts["group"].pk]), {"subtree": "1"})
    group_only = client.get(reverse("account-profitability", args=[accounts["group"].pk]))

    # 0.7 x 200 + 0.1 x 500 = 190; the closed risk does not count
    assert own.context["risk_costs"] == [("GBP", Decimal("190.00"))]
    assert own.context["contribution_after_risks"] == Decimal("400.00") - Decimal("190.00")
    assert 'data-testid="kpi-risk-cost"' in own.content.decode()
    assert group.context["risk_costs"] == [("GBP", Decimal("190.00"))]  # rolls up along the hierarchy
    assert group_only.context["risk_costs"] == []
    assert 'data-testid="kpi-risk-cost"' not in group_only.content.decode()


def test_risk_cost_in_another_currency_is_converted_at_the_close_date_rate(client, head, admin_user, accounts):
    # given a project of Acme UK in USD closing on 15 March 2024 with one active risk: 0.7 x 1000 = 700 USD
    from kampass.common.tests.factories import ecb_table
    from kampass.pipeline.services import risk_create
    from kampass.pipeline.tests.factories import make_opportunity

    project = make_opportunity(account=accounts["uk"], name="Retrofit US", currency="USD",
                               expected_close_date=dtm.date(2024, 3, 15))  # fmt: skip
    risk_create(actor=admin_user, opportunity=project, title="Tariff", category="commercial", likelihood=4,
                impact=3, cost="1000.00")  # fmt: skip
    client.force_login(head)
    page = client.get(reverse("account-profitability", args=[accounts["uk"].pk]))
    currency = page.context["currency"]
    assert currency != "USD"
    # independently: 700 USD -> EUR -> the figures' currency at the ECB rates of the close date
    table = {**ecb_table("2024-03-15"), "EUR": Decimal(1)}
    expected = (Decimal("700.00") / table["USD"] * table[currency]).quantize(Decimal("0.01"))
    assert page.context["risk_costs"] == [("USD", Decimal("700.00"))]
    assert page.context["risk_cost_total"] == expected
    assert page.context["contribution_after_risks"] == page.context["figures"].contribution - expected
    assert page.context["risk_cost_conversion"] == f"converted into {currency} at ECB rates (1 amount in 1 currency)"
    assert 'data-testid="kpi-risk-cost-conversion"' in page.content.decode()
