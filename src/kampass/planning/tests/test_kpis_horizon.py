"""Money KPIs when the facts end before the KPI window (the demo: invoices of 2010-2011, plans dated
now): they are measured over the twelve months up to the newest invoice day instead of being empty,
and say so; while the window holds facts of any customer, it stays where it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.planning.kpis import account_kpis

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account = AccountFactory(name="Retail Ltd", kam_status="key_account")
    CustomerLink.objects.create(customer_id="R1", account=account)
    return account


def _rows():
    return [
        line("1", "R1", "10", "20.00", unit_cost="12.00", date=dt.date(2011, 11, 30)),
        line("1", "R1", "1", "-15.00", "discounts", date=dt.date(2011, 11, 30)),
        line("2", "R1", "5", "40.00", unit_cost="25.00", date=dt.date(2011, 3, 1)),
        line("3", "R1", "100", "1.00", date=dt.date(2010, 12, 1)),  # more than 365 days before the newest day
        line("4", "Z1", "1", "10.00", date=dt.date(2011, 12, 9)),  # another customer: the newest invoice day
    ]


def test_money_kpis_beyond_the_facts_are_measured_as_of_the_newest_invoice_day(account):
    # given invoice lines that end on 2011-12-09 and a KPI date years later
    rows = _rows()
    insert_lines(rows)
    newest = dt.date(2011, 12, 9)
    # independent: the account's lines in the 365 days up to the newest invoice day
    mine = [r for r in rows if r["customer_id"] == "R1" and 0 <= (newest - r["invoice_date"].date()).days < 365]
    gross = sum((r["amount"] for r in mine if r["amount"] > 0), Decimal(0))
    pocket = sum((r["amount"] for r in mine), Decimal(0))
    costs = sum((r["quantity"] * r["unit_cost"] for r in mine if r["unit_cost"] is not None), Decimal(0))

    # when the KPIs are asked as of a day whose window holds no invoice line at all
    got = account_kpis([account.pk], as_of=dt.date(2026, 12, 5), currency="GBP")[account.pk]

    # then the money KPIs are those of the freshest twelve months of facts, dated and sourced so
    assert gross == Decimal("400.00")
    assert got["revenue"].value == gross
    assert got["contribution"].value == pocket - costs
    assert got["pocket_margin"].value == round(float(pocket / gross), 4)
    assert got["leakage_share"].value == round(float((gross - pocket) / gross), 4)
    assert got["revenue"].as_of == newest
    assert "newest invoice day" in got["revenue"].source
    assert got["win_rate"].as_of == dt.date(2026, 12, 5)  # the other KPIs keep the day asked for


def test_a_window_with_facts_of_other_customers_is_not_moved(account):
    # given the account's customer stopped buying in 2011 while another customer bought last month
    insert_lines([*_rows(), line("9", "Z1", "1", "10.00", date=dt.date(2026, 11, 1))])

    got = account_kpis([account.pk], as_of=dt.date(2026, 12, 5), currency="GBP")[account.pk]

    # then the account has no revenue in the window (nothing is borrowed from an older one)
    assert got["revenue"].value is None
    assert got["revenue"].as_of == dt.date(2026, 12, 5)
    assert "newest invoice day" not in got["revenue"].source


def test_without_any_invoice_line_the_money_kpis_stay_empty(account):
    got = account_kpis([account.pk], as_of=dt.date(2026, 12, 5))[account.pk]

    assert got["revenue"].value is None
    assert got["revenue"].as_of == dt.date(2026, 12, 5)


def test_the_demo_objectives_on_money_kpis_have_values_although_the_invoices_end_in_2011(head, account, settings):
    # given a key account whose invoice lines (in GBP, the reporting currency here) end in 2011 as the demo's
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    from django.utils import timezone

    from kampass.planning.demo_reviews import demo_reviews_load
    from kampass.planning.models import Objective
    from kampass.planning.selectors_objectives import objectives_progress

    rows = _rows()
    insert_lines(rows)
    newest = dt.date(2011, 12, 9)
    mine = [r for r in rows if r["customer_id"] == "R1" and 0 <= (newest - r["invoice_date"].date()).days < 365]
    gross = sum((r["amount"] for r in mine if r["amount"] > 0), Decimal(0))
    pocket = sum((r["amount"] for r in mine), Decimal(0))
    costs = sum((r["quantity"] * r["unit_cost"] for r in mine if r["unit_cost"] is not None), Decimal(0))

    # when the demo loads its objectives (on a plan of this year) and their progress is read today
    demo_reviews_load()
    objectives = {o.kpi_key: o for o in Objective.objects.filter(plan__account=account)}
    progress = {
        p.objective.kpi_key: p for p in objectives_progress(objectives["revenue"].plan, today=timezone.localdate())
    }

    # then the four money KPIs are objectives with a baseline and an actual value from the 2011 facts
    assert {"revenue", "contribution", "pocket_margin", "leakage_share"} <= set(objectives)
    assert objectives["revenue"].baseline == gross
    assert objectives["contribution"].baseline == pocket - costs
    assert progress["revenue"].actual == gross
    assert progress["contribution"].actual == pocket - costs
    assert progress["pocket_margin"].actual == round(float(pocket / gross), 4)
    assert progress["leakage_share"].actual == round(float((gross - pocket) / gross), 4)
