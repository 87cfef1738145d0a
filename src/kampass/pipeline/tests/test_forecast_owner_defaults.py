"""The owners' forecast is honest about stage defaults: a deal whose owner gave no probability keeps none
(it used to get the stage's default stored as the owner's), the forecast uses the stage's default for it
and counts it; the page names the share. Checked against a hand computation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.pipeline.selectors import forecast, optimism
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def test_a_deal_without_an_owners_probability_counts_as_a_stage_default(client, head, kam, group):
    given = make_opportunity(account=group, name="Given", amount="1000", owner=kam, owner_probability=70,
                             expected_close_date=dt.date(2030, 5, 1))  # fmt: skip
    bare = make_opportunity(account=group, name="Bare", amount="2000", owner=kam, stage_name="Proposal/Price Quote",
                            expected_close_date=dt.date(2030, 5, 2))  # fmt: skip
    assert bare.owner_probability is None
    assert given.owner_probability == 70
    default = stage("Proposal/Price Quote").probability
    report = forecast(user=head)
    assert report.owner_default_deals == 1
    assert report.owner_default_expected == Decimal("2000") * default / 100
    (row,) = report.rows
    assert row.owner_expected == Decimal("700") + Decimal("2000") * default / 100
    client.force_login(head)
    body = client.get(reverse("forecast")).content.decode()
    assert 'data-testid="owner-default-share"' in body
    assert "stage default where none given" in body


def test_the_optimism_deals_column_counts_deals_with_an_owners_probability(head, kam, group):
    make_opportunity(account=group, name="W", amount=1, owner=kam, owner_probability=80, stage_name="Closed Won")
    make_opportunity(account=group, name="L", amount=1, owner=kam, stage_name="Closed Lost")
    report = optimism(user=head, by="owner")
    (row,) = report.rows
    assert (row.deals, row.owner_deals) == (2, 1)
    assert report.as_json()["rows"][0]["deals"] == 1
    assert report.as_json()["rows"][0]["closed_deals"] == 2
    assert row.owner_bias == pytest.approx(0.8 - 1.0)  # over the deal with a probability only
