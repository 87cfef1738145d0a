"""Business rules the pages show, defined once in the selectors: risk severity bands, the optimism
threshold, the best scorer of a model report, the probability gap, who may add opportunities."""

from __future__ import annotations

import pytest

from kampass.pipeline import selectors
from kampass.pipeline.services import risk_create
from kampass.pipeline.tests.factories import make_opportunity


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (20, "critical"),
        (25, "critical"),
    ],
)
def test_risk_severity_bands(score, band):
    assert selectors.risk_severity(score) == band


@pytest.mark.parametrize(
    ("bias", "leaning"),
    [
        (None, ""),
        (0.0, ""),
        (0.05, ""),
        (0.051, "optimistic"),
        (-0.05, ""),
        (-0.051, "sandbagging"),
        (0.3, "optimistic"),
    ],
)
def test_bias_leaning_beyond_five_points(bias, leaning):
    assert selectors.bias_leaning(bias) == leaning


@pytest.mark.django_db
def test_the_detail_gives_each_risk_its_band_and_the_active_ones(kam, group):
    # given: two risks, one closed
    opp = make_opportunity(account=group)
    high = risk_create(actor=kam, opportunity=opp, title="Steel", category="commercial", likelihood=4, impact=3)
    low = risk_create(
        actor=kam, opportunity=opp, title="Weather", category="delivery", likelihood=1, impact=2, status="closed"
    )
    # when
    detail = selectors.opportunity_detail(user=kam, pk=opp.pk, explain=False)
    # then
    assert {(row.risk.pk, row.severity) for row in detail.risk_rows} == {(high.pk, "high"), (low.pk, "low")}
    assert detail.active_risks == [high]


@pytest.mark.django_db
def test_probability_gap_and_confirmed_count(kam, group):
    opp = make_opportunity(account=group, owner_probability=60)
    detail = selectors.opportunity_detail(user=kam, pk=opp.pk, explain=False)
    assert detail.probability_gap is None  # not scored
    assert detail.confirmed_count == 0
    opp.probability = 0.424
    opp.save()
    detail = selectors.opportunity_detail(user=kam, pk=opp.pk, explain=False)
    assert detail.probability_gap == 60 - 42


def test_best_scorer_is_the_lowest_brier_and_ties_keep_the_model_first():
    def report(metrics):
        return selectors.ModelReport(
            version=None, metrics=metrics, reliability={}, versions=[], latest_job=None, scored_open=0, open_total=0
        )

    assert report({}).best_scorer is None
    assert report({"kampass": {"brier": 0.2}, "base_rate": {"brier": 0.1}}).best_scorer == "base_rate"
    assert report({"kampass": {"brier": 0.1}, "naive_bayes": {"brier": 0.1}}).best_scorer == "kampass"
    assert report({"kampass": {"brier": None}, "naive_bayes": {"brier": 0.3}}).best_scorer == "naive_bayes"


@pytest.mark.django_db
def test_who_may_add_opportunities(head, kam, kam2, viewer, group):
    assert selectors.may_add_opportunities(head)
    assert selectors.may_add_opportunities(kam)  # on the team of group
    assert not selectors.may_add_opportunities(kam2)  # on no team
    assert not selectors.may_add_opportunities(viewer)
