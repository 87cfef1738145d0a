"""Risk register services, the expected risk cost and the risk matrix."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.pipeline.facade import expected_risk_cost, expected_risk_costs
from kampass.pipeline.models import Risk
from kampass.pipeline.selectors import risk_matrix
from kampass.pipeline.services import opportunity_change_stage, risk_create, risk_delete, risk_update
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def test_kam_adds_a_risk_with_expected_cost(kam, group):
    opp = make_opportunity(account=group)
    risk = risk_create(
        actor=kam, opportunity=opp, title="Site access", category="delivery", likelihood=4, impact=3, cost="10000"
    )
    assert risk.currency == "EUR"
    assert risk.score == 12
    assert risk.expected_cost == Decimal("7000.00")  # likelihood 4 -> 0.7


def test_every_bad_field_is_reported_at_once(kam, group):
    opp = make_opportunity(account=group)
    with pytest.raises(ValidationError) as exc:
        risk_create(actor=kam, opportunity=opp, title="", category="weather", likelihood=0, impact=6, cost="-1")
    assert {"title", "category", "likelihood", "impact", "cost"} <= set(exc.value.message_dict)
    assert not Risk.objects.exists()


def test_risk_changes_are_denied_to_other_teams_and_readers(kam, kam2, controller, group):
    opp = make_opportunity(account=group)
    with pytest.raises(PermissionDenied):
        risk_create(actor=kam2, opportunity=opp, title="T", category="technical", likelihood=1, impact=1)
    risk = risk_create(actor=kam, opportunity=opp, title="T", category="technical", likelihood=1, impact=1)
    for actor in (kam2, controller):
        with pytest.raises(PermissionDenied):
            risk_update(actor=actor, risk=risk, likelihood=5)
        with pytest.raises(PermissionDenied):
            risk_delete(actor=actor, risk=risk)


def test_update_and_delete(kam, group):
    opp = make_opportunity(account=group)
    risk = risk_create(actor=kam, opportunity=opp, title="T", category="technical", likelihood=1, impact=1)
    risk_update(actor=kam, risk=risk, likelihood=5, status="mitigating", mitigation="Second supplier")
    risk.refresh_from_db()
    assert (risk.likelihood, risk.status, risk.mitigation) == (5, "mitigating", "Second supplier")
    with pytest.raises(ValidationError):
        risk_update(actor=kam, risk=risk, status="forgotten")
    risk_delete(actor=kam, risk=risk)
    assert not Risk.objects.exists()


def test_expected_risk_cost_counts_active_risks_of_open_and_won_projects(kam, admin_user, group, site):
    # given: three projects; one lost
    a, b, lost = (make_opportunity(account=acc) for acc in (group, site, group))
    risk_create(actor=kam, opportunity=a, title="1", category="technical", likelihood=1, impact=2, cost="1000")
    risk_create(actor=kam, opportunity=a, title="2", category="financial", likelihood=5, impact=5, cost="200")
    risk_create(actor=kam, opportunity=a, title="closed", category="financial", likelihood=5, impact=5, cost="9999",
                status="closed")  # fmt: skip
    risk_create(actor=kam, opportunity=a, title="no cost", category="delivery", likelihood=3, impact=3)
    risk_create(actor=kam, opportunity=b, title="3", category="delivery", likelihood=3, impact=1, cost="50",
                currency="CHF")  # fmt: skip
    risk_create(actor=kam, opportunity=lost, title="4", category="delivery", likelihood=3, impact=1, cost="5000")
    opportunity_change_stage(actor=kam, opportunity=lost, stage=stage("Closed Lost"), reason="Budget cut")
    # when
    costs = expected_risk_cost([group.pk, site.pk])
    # then: 0.1 x 1000 + 0.9 x 200; 0.5 x 50 CHF; the lost project's and closed risks do not count
    assert costs == {group.pk: (Decimal("280.00"), "EUR"), site.pk: (Decimal("25.00"), "CHF")}
    assert expected_risk_costs([site.pk]) == {site.pk: {"CHF": Decimal("25.00")}}
    # and the matrix of the group's subtree counts active risks by likelihood x impact
    matrix = risk_matrix(user=admin_user, account=group.pk, subtree=True)
    assert matrix.total == 5  # 1, 2, no cost, 3, 4 (4's project is lost but the risk is still open)
    assert matrix.count(5, 5) == 1
    assert matrix.count(1, 2) == 1
    assert matrix.count(3, 1) == 2


def test_risk_matrix_shows_kam_only_visible_risks(kam, group, other):
    mine, theirs = make_opportunity(account=group), make_opportunity(account=other)
    for opp in (mine, theirs):
        assert opp.owner is not None
        risk_create(actor=opp.owner, opportunity=opp, title="R", category="technical", likelihood=2, impact=2)
    assert risk_matrix(user=kam).total == 1
