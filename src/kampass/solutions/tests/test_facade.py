"""The solutions facade as the planning context will call it, and the facade functions of the
accounts, pipeline and commercial contexts the solutions context reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts import facade as accounts_facade
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.commercial import facade as commercial_facade
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.pipeline import facade as pipeline_facade
from kampass.pipeline.tests.factories import make_opportunity
from kampass.solutions import facade
from kampass.solutions.models import SolutionUse
from kampass.solutions.tests.factories import SolutionFactory, key_account

pytestmark = pytest.mark.django_db


def test_a_plan_links_and_unlinks_a_solution_through_the_facade(kam):
    # given a KAM on the team of a key account, and an opportunity there
    account = key_account("Globex")
    TeamMemberFactory(account=account, user=kam)
    opp = make_opportunity(account=account)
    s = SolutionFactory(name="Pool", segments="Machinery, Food")
    # when the planning context links it for plan 12 and for the opportunity
    facade.solution_use_link(actor=kam, solution_id=s.pk, account_id=account.pk, plan_id=12)
    facade.solution_use_link(actor=kam, solution_id=s.pk, account_id=account.pk, plan_id=12, opportunity_id=opp.pk)
    facade.solution_use_link(actor=kam, solution_id=s.pk, account_id=account.pk, plan_id=12)  # again: kept once
    # then
    refs = facade.solutions_for_account(account.pk)
    assert refs == [facade.SolutionRef(s.pk, "Pool", "active", s.problem, ("Machinery", "Food"))]
    assert SolutionUse.objects.count() == 2
    # when it unlinks the plan's use without opportunity
    facade.solution_use_unlink(actor=kam, solution_id=s.pk, account_id=account.pk, plan_id=12)
    # then only the opportunity's use is left
    assert list(SolutionUse.objects.values_list("plan_id", "opportunity_id")) == [(12, opp.pk)]


def test_the_facade_refuses_unknown_solutions_and_foreign_accounts(kam):
    other = key_account("Other")
    s = SolutionFactory()
    with pytest.raises(ValidationError):
        facade.solution_use_link(actor=kam, solution_id=999999, account_id=other.pk)
    with pytest.raises(PermissionDenied):
        facade.solution_use_link(actor=kam, solution_id=s.pk, account_id=other.pk)
    assert not SolutionUse.objects.exists()


def test_refs_and_choices(db):
    active, retired = SolutionFactory(name="B active"), SolutionFactory(name="A retired", status="retired")
    assert [r.name for r in facade.solution_refs([retired.pk, active.pk, 999999])] == ["A retired", "B active"]
    assert [r.id for r in facade.solution_choices()] == [active.pk]


def test_accounts_facade_lists_key_and_strategic_accounts(db):
    key_account("Zeta")
    key_account("Alpha", kam_status="strategic")
    AccountFactory(name="Prospect")
    assert [a.name for a in accounts_facade.key_account_refs()] == ["Alpha", "Zeta"]


def test_pipeline_facade_hands_out_opportunity_refs(db):
    a, b = AccountFactory(name="A"), AccountFactory(name="B")
    won = make_opportunity(account=a, name="Won", amount="120", currency="USD", stage_name="Closed Won")
    make_opportunity(account=b, name="Other")
    refs = pipeline_facade.opportunity_refs([won.pk, 999999])
    assert [(r.name, r.account_name, r.outcome, r.amount, r.currency) for r in refs] == [
        ("Won", "A", "won", Decimal("120.00"), "USD")
    ]
    assert refs[0].closed_on is not None
    assert [r.name for r in pipeline_facade.opportunity_choices([a.pk])] == ["Won"]


def test_commercial_facade_product_group_revenue_and_choices(db):
    a, b = AccountFactory(name="A"), AccountFactory(name="B")
    CustomerLink.objects.create(customer_id="C1", account=a)
    CustomerLink.objects.create(customer_id="C2", account=b)
    insert_lines(
        [
            line("1", "C1", "2", "10", date=dt.date(2011, 1, 5), stock_code="G1"),
            line("2", "C1", "3", "10", date=dt.date(2011, 1, 5), stock_code="G1"),
            line("3", "C1", "1", "99", date=dt.date(2011, 2, 1), stock_code="G2"),
            line("4", "C1", "-1", "10", date=dt.date(2011, 2, 1), stock_code="G1"),  # a credit: not gross revenue
            line("5", "C2", "1", "7", date=dt.date(2011, 3, 1), stock_code="G1"),
        ]
    )
    rows = commercial_facade.product_group_revenue([a.pk, b.pk], ["G1"], since=dt.date(2011, 1, 1))
    assert rows == [
        (a.pk, "G1", dt.date(2011, 1, 5), "GBP", Decimal("50")),
        (b.pk, "G1", dt.date(2011, 3, 1), "GBP", Decimal("7")),
    ]
    assert commercial_facade.product_group_revenue([a.pk], ["G1"], until=dt.date(2011, 1, 4)) == []
    assert commercial_facade.product_group_choices([a.pk]) == ["G2", "G1"]
