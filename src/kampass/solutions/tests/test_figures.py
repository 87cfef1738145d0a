"""The programme figures of the solutions context against hand-computed values: solution reuse,
an initiative's realised revenue and innovation revenue share against effort share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.models import ExchangeRate
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity
from kampass.solutions import facade, selectors, services
from kampass.solutions.tests.factories import SolutionFactory, key_account, make_initiative

pytestmark = pytest.mark.django_db


def test_reuse_share_counts_solutions_used_at_two_or_more_key_accounts(head):
    # given: three solutions in use at key accounts, one of them at two; a fourth used only at a prospect
    a, b = key_account("A"), key_account("B", kam_status="strategic")
    prospect = AccountFactory(name="Prospect")
    reused, single, twice_same, at_prospect = SolutionFactory.create_batch(4)
    for solution, account, plan in [
        (reused, a, None),
        (reused, b, None),
        (single, a, None),
        (twice_same, b, 1),
        (twice_same, b, 2),
        (at_prospect, prospect, None),
        (at_prospect, a, None),
    ]:
        services.solution_use_link(actor=head, solution=solution, account_id=account.pk, plan_id=plan)
    # when
    share = facade.programme_signals()["solution_reuse_share"]
    # then: in use at key accounts: reused, single, twice_same, at_prospect; reused at 2+ key accounts: reused
    assert share == pytest.approx(1 / 4)


def test_reuse_share_is_none_without_uses(db):
    SolutionFactory()
    assert facade.programme_signals()["solution_reuse_share"] is None


@pytest.fixture
def scenario(head, settings):
    """Key accounts A and B (customers C1, C2), a prospect P (C3); invoice lines in GBP; the
    reporting currency GBP (no conversion)."""
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    a, b = key_account("A"), key_account("B")
    p = AccountFactory(name="P")
    for customer, account in [("C1", a), ("C2", b), ("C3", p)]:
        CustomerLink.objects.create(customer_id=customer, account=account)
    insert_lines(
        [
            line("1", "C1", "10", "100", date=dt.date(2011, 3, 1), stock_code="G1"),  # 1000, A, G1
            line("2", "C1", "30", "100", date=dt.date(2011, 6, 1), stock_code="G2"),  # 3000, A, G2
            line("3", "C2", "5", "100", date=dt.date(2010, 12, 1), stock_code="G1"),  # 500, B, G1, before X's start
            line("4", "C2", "15", "100", date=dt.date(2011, 8, 1), stock_code="G1"),  # 1500, B, G1 (newest day)
            line("5", "C3", "1", "9999", date=dt.date(2011, 7, 1), stock_code="G1"),  # prospect: never counted
            line("6", "C1", "1", "777", date=dt.date(2009, 1, 1), stock_code="G1"),  # A, G1, before the window
        ]
    )
    won_in = make_opportunity(account=a, name="In window", amount="500", currency="GBP", stage_name="Closed Won")
    won_after = make_opportunity(account=a, name="Later", amount="700", currency="GBP", stage_name="Closed Won")
    open_opp = make_opportunity(account=b, name="Open", amount="900", currency="GBP")
    Opportunity.objects.filter(pk=won_in.pk).update(closed_on=dt.date(2011, 5, 1))
    Opportunity.objects.filter(pk=won_after.pk).update(closed_on=dt.date(2011, 9, 1))
    x = make_initiative(
        accounts=[a, b],
        actor=head,
        name="X",
        starts=dt.date(2011, 1, 1),
        effort_cost=Decimal("730"),
        currency="GBP",
        product_groups=["G1"],
        opportunity_ids=[won_in.pk, won_after.pk, open_opp.pk],
    )
    y = make_initiative(
        accounts=[a],
        actor=head,
        name="Y",
        starts=dt.date(2010, 2, 1),
        ends=dt.date(2010, 11, 30),
        effort_cost=Decimal("303"),
        currency="GBP",
        product_groups=["G1"],
        opportunity_ids=[won_in.pk],
    )
    return {"a": a, "b": b, "x": x, "y": y}


def test_realised_revenue_is_won_linked_opportunities_plus_product_groups_since_the_start(scenario):
    # when
    revenue = selectors.realised_revenue(scenario["x"])
    # then: won 500 + 700 (the open one not); G1 at A since 2011-01-01: 1000; at B: 1500 (500 was before the start)
    assert (revenue.currency, revenue.opportunities, revenue.product_groups) == (
        "GBP",
        Decimal("1200"),
        Decimal("2500"),
    )
    assert revenue.total == Decimal("3700")
    assert revenue.conversion == ""


def test_innovation_ratio_over_the_twelve_months_up_to_the_newest_invoice_day(scenario):
    # when
    figures = selectors.innovation_figures()
    # then: the window is 2010-08-02 .. 2011-08-01 (365 days up to B's line of 2011-08-01)
    assert (figures.window_start, figures.window_end) == (dt.date(2010, 8, 2), dt.date(2011, 8, 1))
    parts = figures.parts
    # key-account revenue in the window: 1000 + 3000 + 500 + 1500 (the prospect's and the 2009 line not)
    assert parts.key_account_revenue == Decimal("6000")
    # innovation revenue: opportunity won 2011-05-01 (500, once although linked twice; the one of 2011-09-01 is
    # after the window) + G1 at A from Y's start 2010-02-01 (1000) + G1 at B from X's start 2011-01-01 (1500)
    assert parts.innovation_revenue == Decimal("3000")
    # effort: X runs 2011-01-01 .. window end, all inside: 730; Y runs 303 days, 121 of them
    # (2010-08-02 .. 2010-11-30) inside: 303 * 121 / 303 = 121
    assert parts.innovation_effort == Decimal("851.00")
    assert parts.revenue_share == pytest.approx(3000 / 6000)
    assert parts.effort_share == pytest.approx(851 / 6000)
    assert facade.programme_signals()["innovation_revenue_effort_ratio"] == pytest.approx(3000 / 851)


def test_innovation_ratio_is_none_without_key_account_revenue(head):
    make_initiative(accounts=[key_account()], actor=head, effort_cost=Decimal("100"))
    assert facade.programme_signals()["innovation_revenue_effort_ratio"] is None


def test_revenue_in_another_currency_is_converted_at_its_days_rate_and_names_the_source(head, settings):
    # given: the reporting currency EUR and a loaded rate of 2 USD per euro on the close day
    settings.KAMPASS_REPORTING_CURRENCY = "EUR"
    day = dt.date(2024, 4, 2)
    ExchangeRate.objects.create(
        day=day, currency="USD", per_euro=Decimal(2), base_rate=Decimal(2), source="Treasury", loaded_at=timezone.now()
    )
    account = key_account()
    won = make_opportunity(account=account, amount="100", currency="USD", stage_name="Closed Won")
    Opportunity.objects.filter(pk=won.pk).update(closed_on=day)
    i = make_initiative(accounts=[account], actor=head, opportunity_ids=[won.pk])
    # when
    revenue = selectors.realised_revenue(i)
    # then
    assert revenue.total == Decimal("50.00")
    assert "Treasury" in revenue.conversion


def test_the_programme_reads_the_solutions_signals(head):
    # given
    from kampass.programme.facade import current_signals

    s = SolutionFactory()
    a, b = key_account("A"), key_account("B")
    services.solution_use_link(actor=head, solution=s, account_id=a.pk)
    services.solution_use_link(actor=head, solution=s, account_id=b.pk)
    # when / then
    assert current_signals()["solution_reuse_share"] == 1.0
