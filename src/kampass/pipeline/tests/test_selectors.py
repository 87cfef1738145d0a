"""Selectors: visibility, list filters and sorting, the board, the forecast and the optimism analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.pipeline.models import Opportunity
from kampass.pipeline.selectors import (
    OpportunityFilters,
    account_pipeline,
    forecast,
    model_report,
    opportunity_detail,
    opportunity_list,
    optimism,
    owner_options,
    pipeline_board,
)
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(kam, kam2, group, site, other):
    """Deals on kam's group and site and on kam2's account."""
    return {
        "a": make_opportunity(account=group, name="Alpha", amount=100, stage_name="Qualification", owner=kam,
                              expected_close_date=dt.date(2030, 1, 10)),
        "b": make_opportunity(account=site, name="Beta", amount=300, stage_name="Negotiation/Review", owner=kam,
                              expected_close_date=dt.date(2030, 2, 20), owner_probability=80),
        "c": make_opportunity(account=other, name="Gamma", amount=200, owner=kam2,
                              expected_close_date=dt.date(2030, 1, 31)),
        "d": make_opportunity(account=site, name="Delta", amount=50, stage_name="Closed Won", owner=kam,
                              expected_close_date=dt.date(2029, 12, 1), owner_probability=70),
    }  # fmt: skip


def test_kam_sees_the_subtree_of_their_team_others_see_all(kam, kam2, viewer, deals):
    assert set(opportunity_list(user=kam).values_list("name", flat=True)) == {"Alpha", "Beta", "Delta"}
    assert set(opportunity_list(user=kam2).values_list("name", flat=True)) == {"Gamma"}
    assert opportunity_list(user=viewer).count() == 4


def test_filters_and_sorting(head, group, deals):
    def names(**kw):
        return list(opportunity_list(user=head, filters=OpportunityFilters(**kw)).values_list("name", flat=True))

    assert names(sort="amount") == ["Delta", "Alpha", "Gamma", "Beta"]
    assert names(sort="amount", descending=True)[0] == "Beta"
    assert names(q="alp") == ["Alpha"]
    assert names(account=group.pk) == ["Alpha"]
    assert set(names(account=group.pk, subtree=True)) == {"Alpha", "Beta", "Delta"}
    assert names(outcome="won") == ["Delta"]
    assert names(close_from=dt.date(2030, 1, 1), close_to=dt.date(2030, 1, 31)) == ["Alpha", "Gamma"]
    assert set(names(close_from=dt.date(2030, 1, 15))) == {"Gamma", "Beta"}
    assert [label for _v, label in owner_options(user=head)] == ["Kam2_T Tester", "Kam_T Tester"]


def test_board_columns_count_and_weight(kam, deals):
    board = pipeline_board(user=kam)
    by_stage = {c.stage.name: c for c in board.columns}
    assert "Closed Won" not in by_stage
    assert board.count == 2
    beta = by_stage["Negotiation/Review"]
    assert beta.count == 1
    assert beta.amounts == {"EUR": Decimal("300.00")}
    assert beta.weighted == {"EUR": Decimal("240.00")}  # not scored: the owner's 80 %
    assert [o.name for o in by_stage["Qualification"].opportunities] == ["Alpha"]
    assert pipeline_board(user=kam, include_closed=True).count == 3


def test_forecast_matches_an_independent_computation(head, kam, deals):
    # given calibrated probabilities on two of the three open deals
    Opportunity.objects.filter(name="Alpha").update(probability=0.25)
    Opportunity.objects.filter(name="Gamma").update(probability=0.5)
    # when
    report = forecast(user=head, period="month")
    # then: deals per month, pipeline, exact expectations
    rows = {r.period: r for r in report.rows}
    assert list(rows) == ["2030-01", "2030-02"]
    jan, feb = rows["2030-01"], rows["2030-02"]
    assert (jan.deals, jan.pipeline, feb.deals, feb.pipeline) == (2, Decimal(300), 1, Decimal(300))
    assert jan.expected == Decimal("125.00")  # 0.25 x 100 + 0.5 x 200
    assert feb.expected is None  # Beta is not scored
    assert report.unscored == 1
    # owners: their probability, else the stage's default (Qualification 10 %, Prospecting 10 %)
    assert jan.owner_expected == Decimal("30.00")  # 0.1 x 100 + 0.1 x 200
    assert feb.owner_expected == Decimal("240.00")
    assert jan.p10 is not None
    assert jan.p50 is not None
    assert jan.p90 is not None
    assert jan.p10 <= jan.p50 <= jan.p90
    # by quarter, by owner, and what a key account manager sees
    assert [r.period for r in forecast(user=head, period="quarter").rows] == ["2030-Q1"]
    grouped = forecast(user=head, group_by="owner")
    assert [g.label for g in grouped.groups] == ["Kam2_T Tester", "Kam_T Tester"]
    assert forecast(user=kam).deals == 2
    assert forecast(user=head).as_json()["rows"][0]["calibrated"]["expected"] == "125.00"


def test_forecast_converts_other_currencies_and_leaves_none_out(head, group):
    make_opportunity(account=group, name="E", amount=100, currency="EUR")
    make_opportunity(account=group, name="U1", amount=100, currency="USD")
    make_opportunity(account=group, name="U2", amount=100, currency="USD", expected_close_date=None)
    report = forecast(user=head)
    assert (report.currency, report.currencies) == ("EUR", ["USD", "EUR"])
    assert (report.deals, report.undated, report.converted) == (2, 1, 1)
    assert "1 amount in 1 currency" in report.conversion
    assert "ECB" in report.conversion
    in_usd = forecast(user=head, currency="USD")
    assert (in_usd.currency, in_usd.deals, in_usd.converted) == ("USD", 2, 1)


def test_optimism_per_owner_against_an_independent_computation(head, kam, kam2, group, other):
    # given closed deals with the owner's estimate made while they were open
    for i, (won, p) in enumerate([(True, 90), (False, 80), (False, 70), (True, 60)]):
        make_opportunity(account=group, name=f"K{i}", owner=kam, owner_probability=p,
                         stage_name="Closed Won" if won else "Closed Lost")  # fmt: skip
    make_opportunity(account=other, name="X", owner=kam2, owner_probability=20, stage_name="Closed Won")
    # when
    report = optimism(user=head, by="owner")
    rows = {r.group: r for r in report.rows}
    # then: bias = mean(owner p) - win rate; Brier = mean((p - outcome)^2)
    k = rows["Kam_T Tester"]
    assert k.deals == 4
    assert k.win_rate == pytest.approx(0.5)
    assert k.owner_bias == pytest.approx((0.9 + 0.8 + 0.7 + 0.6) / 4 - 0.5)
    assert k.owner_brier == pytest.approx((0.01 + 0.64 + 0.49 + 0.16) / 4)
    assert k.model_mean is None
    assert rows["Kam2_T Tester"].owner_bias == pytest.approx(0.2 - 1.0)
    assert report.with_owner_probability == 5
    # a key account manager sees only their deals; by account groups by the account
    assert {r.group for r in optimism(user=kam).rows} == {"Kam_T Tester"}
    assert {r.group for r in optimism(user=head, by="account").rows} == {group.name, other.name}


def test_detail_account_pipeline_and_model_report(kam, viewer, group, site, deals):
    detail = opportunity_detail(user=kam, pk=deals["b"].pk)
    assert detail.can_edit
    assert detail.flags == ["economic_buyer", "champion"]
    assert [s.name for s in detail.stages][:1] == ["Prospecting"]
    assert not opportunity_detail(user=viewer, pk=deals["b"].pk).can_edit
    summary = account_pipeline(user=kam, account=group, subtree=True)
    assert (summary.open_count, summary.won_count, summary.amounts) == (2, 1, {"EUR": Decimal("400.00")})
    report = model_report(user=viewer)
    assert report.version is None
    assert (report.open_total, report.scored_open, report.can_train) == (3, 0, False)


def test_optimism_per_team_uses_the_owners_org_unit_on_the_account(head, kam, kam2, group, other):
    from kampass.accounts.models import TeamMember
    from kampass.users.models import OrgUnit

    north, south = OrgUnit.objects.create(name="Sales North"), OrgUnit.objects.create(name="Sales South")
    TeamMember.objects.filter(user=kam, account=group).update(org_unit=north)
    TeamMember.objects.filter(user=kam2, account=other).update(org_unit=south)
    make_opportunity(account=group, owner=kam, owner_probability=60, stage_name="Closed Won")
    make_opportunity(account=other, owner=kam2, owner_probability=40, stage_name="Closed Lost")
    make_opportunity(account=other, owner_name="Imported Owner", owner_probability=50, stage_name="Closed Won")
    rows = {r.group: r for r in optimism(user=head, by="team").rows}
    assert set(rows) == {"Sales North", "Sales South", "–"}
    assert rows["Sales North"].owner_bias == pytest.approx(0.6 - 1.0)
    assert rows["Sales South"].deals == 1


def test_text_sorts_ignore_case(head, group, other):
    # given: names whose byte order differs from their alphabetical order
    for name in ("beta", "Alpha", "Zeta", "gamma"):
        make_opportunity(account=group, name=name, amount=1, owner_name=name.upper() if name == "Zeta" else name)

    # when
    def names(**kw):
        return list(opportunity_list(user=head, filters=OpportunityFilters(**kw)).values_list("name", flat=True))

    # then
    assert names(sort="name") == ["Alpha", "beta", "gamma", "Zeta"]
    assert names(sort="name", descending=True) == ["Zeta", "gamma", "beta", "Alpha"]
    assert names(sort="owner") == ["Alpha", "beta", "gamma", "Zeta"]


def test_optimism_is_kept_while_the_closed_deals_stay_the_same_and_follows_each_change(head, kam, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kampass.pipeline.services import opportunity_change_stage
    from kampass.pipeline.tests.factories import stage

    # given one closed deal and one open deal of the KAM
    make_opportunity(account=group, name="W", owner=kam, owner_probability=80, stage_name="Closed Won")
    open_deal = make_opportunity(account=group, name="O", owner=kam, owner_probability=30)
    first = optimism(user=head, by="owner")
    # when nothing changed, the report is the kept one and no deal is read again
    with CaptureQueriesContext(connection) as queries:
        again = optimism(user=head, by="owner")
    assert again is first
    assert not any('pipeline_opportunity"."owner_probability' in q["sql"] for q in queries.captured_queries)
    # when the open deal is lost, the report counts it
    opportunity_change_stage(actor=head, opportunity=open_deal, stage=stage("Closed Lost"), reason="Price")
    after_loss = optimism(user=head, by="owner")
    assert after_loss.deals == 2
    assert {r.group: r.deals for r in after_loss.rows} == {"Kam_T Tester": 2}
    # when the owner is renamed, the group is named after the new name
    kam.last_name = "Renamed"
    kam.save()
    assert {r.group for r in optimism(user=head, by="owner").rows} == {"Kam_T Renamed"}


def test_a_kept_optimism_report_follows_a_change_of_role(head, kam, kam2, group, other):
    from kampass.users.models import Role

    # given deals of two owners; the KAM sees only their own
    make_opportunity(account=group, owner=kam, owner_probability=60, stage_name="Closed Won")
    make_opportunity(account=other, owner=kam2, owner_probability=40, stage_name="Closed Lost")
    assert optimism(user=kam).deals == 1
    # when the KAM becomes head of KAM (a role, no group), the report is no longer the kept one
    kam.role = Role.HEAD
    kam.save()
    assert optimism(user=kam).deals == 2
