"""The demo solutions and initiatives: reuse as the guardrail needs it, one initiative per stage with
effort and revenue, idempotence and reset."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.pipeline.tests.factories import make_opportunity
from kampass.solutions import facade, selectors
from kampass.solutions.demo import INITIATIVES, SOLUTIONS, USES, demo_solutions_load
from kampass.solutions.models import Initiative, Solution, Stage
from kampass.solutions.tests.factories import key_account
from kampass.users.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(db):
    User.objects.create_user(username="head", password="pw-for-tests-1", role=Role.HEAD)
    names = {a for uses in USES.values() for a, _ in uses} | {a for i in INITIATIVES.values() for a in i["accounts"]}
    accounts = {name: key_account(name) for name in sorted(names)}
    CustomerLink.objects.create(customer_id="C1", account=accounts["BondDesk Trading"])
    CustomerLink.objects.create(customer_id="C2", account=accounts["Connections for Business"])
    insert_lines(
        [
            line("1", "C1", "10", "100", date=dt.date(2011, 6, 1), stock_code="229"),
            line("2", "C1", "1", "50", date=dt.date(2011, 12, 9), stock_code="231"),
            line("3", "C2", "20", "100", date=dt.date(2011, 9, 1), stock_code="227"),
            line("4", "C2", "1", "10", date=dt.date(2010, 3, 1), stock_code="227"),
        ]
    )
    make_opportunity(account=accounts["BondDesk Trading"], name="Sensors", stage_name="Closed Won")
    return accounts


def test_the_demo_reuses_three_of_seven_solutions_and_has_one_initiative_per_stage(demo_accounts):
    # when
    created = demo_solutions_load()
    # then
    assert Solution.objects.count() == len(SOLUTIONS) == 8
    assert list(Solution.objects.filter(status="retired").values_list("name", flat=True)) == [
        "On-site repair contract (legacy)"
    ]
    assert facade.programme_signals()["solution_reuse_share"] == pytest.approx(3 / 7)
    assert sorted(Initiative.objects.values_list("stage", flat=True)) == sorted(Stage.values)
    predictive = Initiative.objects.get(name="Predictive maintenance, co-developed")
    assert predictive.opportunities.count() == 1
    assert selectors.realised_revenue(predictive).total > 0
    assert predictive.stage_changes.count() == 3
    # the initiatives lie in the window up to the newest invoice day (9 Dec 2011): the ratio is a number
    figures = selectors.innovation_figures()
    assert figures.window_end == dt.date(2011, 12, 9)
    assert figures.parts.ratio is not None
    assert figures.parts.ratio > 0
    # idempotent; reset loads the same again
    assert demo_solutions_load() == 0
    assert demo_solutions_load(reset=True) == created
    assert Initiative.objects.count() == len(INITIATIVES)
