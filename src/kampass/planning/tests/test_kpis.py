"""The account KPIs of the catalogue: every computed figure of a group stands for its subtree and is
checked against a computation in plain Python over the same rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kampass.accounts.models import BuyingCentreMember, Coverage
from kampass.accounts.tests.factories import AccountFactory, ContactFactory, TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.core import kpis as core
from kampass.pipeline.models import Opportunity, Target, TargetPeriod, TargetScope
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning.kpis import account_kpis
from kampass.planning.models import ManualKpiValue, RelationshipStageEntry

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def group(kam):
    group = AccountFactory(name="Holding", kam_status="key_account")
    child = AccountFactory(name="Holding Nord", parent=group)
    TeamMemberFactory(account=group, user=kam)
    CustomerLink.objects.bulk_create(
        [CustomerLink(customer_id="H1", account=group), CustomerLink(customer_id="C1", account=child)]
    )
    return group, child


def _rows():
    inside, outside = dt.date(2026, 3, 5), dt.date(2025, 6, 30)  # 2025-06-30 is 366 days before AS_OF
    return [
        line("1", "H1", "10", "100.00", unit_cost="60.00", date=inside),
        line("1", "H1", "1", "-50.00", "discounts", date=inside),
        line("2", "C1", "4", "250.00", unit_cost="100.00", date=inside),
        line("2", "C1", "1", "-30.00", "freight", date=inside),
        line("3", "C1", "100", "100.00", date=outside),
        line("4", "X9", "1", "999.00", date=inside),
    ]


def test_money_and_margin_kpis_sum_the_subtrees_lines_of_the_last_365_days(group):
    group, child = group
    rows = _rows()
    insert_lines(rows)
    # independent: the rows of H1 and C1 dated in the 365 days up to AS_OF
    mine = [r for r in rows if r["customer_id"] in ("H1", "C1") and (AS_OF - r["invoice_date"].date()).days < 365]
    gross = sum((r["amount"] for r in mine if r["amount"] > 0), Decimal(0))
    pocket = sum((r["amount"] for r in mine), Decimal(0))
    costs = sum((r["quantity"] * r["unit_cost"] for r in mine if r["unit_cost"] is not None), Decimal(0))

    got = account_kpis([group.pk, child.pk], as_of=AS_OF, currency="GBP")

    g = got[group.pk]
    assert g["revenue"].value == gross == Decimal("2000.00")
    assert (g["revenue"].currency, g["revenue"].unit) == ("GBP", "money")
    assert g["contribution"].value == pocket - costs
    assert g["pocket_margin"].value == round(float(pocket / gross), 4)
    assert g["leakage_share"].value == round(float((gross - pocket) / gross), 4)
    assert got[child.pk]["revenue"].value == Decimal("1000.00")  # the subsidiary alone
    assert g["share_of_wallet"].value is None


def test_without_lines_the_money_kpis_have_no_value(group):
    group, _child = group

    got = account_kpis([group.pk], as_of=AS_OF)[group.pk]

    assert got["revenue"].value is None
    assert got["pocket_margin"].value is None
    assert got["pipeline_coverage"].value is None  # no target either


def test_pipeline_coverage_win_rate_decision_makers_relationship_and_manual_values(group, kam):
    group, child = group
    Target.objects.create(scope=TargetScope.ACCOUNT, account=group, period=TargetPeriod.QUARTER, year=2026, number=3,
                          amount=Decimal("10000"), currency="EUR")  # fmt: skip
    make_opportunity(account=group, amount="10000", stage_name="Value Proposition")  # 50 %
    make_opportunity(account=child, amount="4000", stage_name="Negotiation/Review")  # 90 %
    for stage_name, day in [("Closed Won", dt.date(2026, 5, 1)), ("Closed Lost", dt.date(2026, 2, 1)),
                            ("Closed Lost", dt.date(2026, 4, 1)), ("Closed Won", dt.date(2024, 1, 1))]:  # fmt: skip
        o = make_opportunity(account=child, stage_name=stage_name)
        Opportunity.objects.filter(pk=o.pk).update(closed_on=day)
    team = TeamMemberFactory(account=child, user=kam2_user())
    decider = ContactFactory()
    BuyingCentreMember.objects.create(account=child, contact=decider, roles=["decider"])
    Coverage.objects.create(team_member=team, contact=decider, level_now=4, level_target=3)
    stamp = timezone.make_aware(dt.datetime(2026, 1, 10, 12))
    RelationshipStageEntry.objects.create(account=group, stage="cooperative", recorded_at=stamp)
    RelationshipStageEntry.objects.create(
        account=group, stage="interdependent", recorded_at=stamp + dt.timedelta(days=200)
    )
    ManualKpiValue.objects.create(account=group, kpi_key="customer_satisfaction", value=Decimal("7.5"),
                                  measured_on=dt.date(2026, 6, 1))  # fmt: skip
    ManualKpiValue.objects.create(account=group, kpi_key="customer_satisfaction", value=Decimal("9"),
                                  measured_on=dt.date(2026, 7, 15))  # fmt: skip

    got = account_kpis([group.pk], as_of=AS_OF, currency="EUR")[group.pk]

    weighted = Decimal("10000") * Decimal("0.5") + Decimal("4000") * Decimal("0.9")
    assert got["pipeline_coverage"].value == round(float(weighted / Decimal("10000")), 4)
    assert "2026-Q3" in got["pipeline_coverage"].source
    assert got["win_rate"].value == round(1 / 3, 4)
    assert got["decision_makers_covered"].value == Decimal(1)
    assert got["relationship_level"].value == Decimal(3)  # the July stage comes after AS_OF
    assert got["customer_satisfaction"].value == Decimal("7.5")
    assert got["joint_initiatives"].value is None
    assert set(got) == set(core.KPI_BY_KEY)


def kam2_user():
    from kampass.accounts.tests.factories import UserFactory

    return UserFactory(role="kam", username="kpi-team-member")
