"""The model's amount feature is in the reporting currency, converted at the deal's rate day (its expected
close date; the snapshot's day for a later one): a GBP deal and a EUR deal of equal value weigh the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kampass.pipeline.features import feature_rows, snapshot_row
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

RATE_DAY = dt.date(2020, 1, 2)


def _load_rate(per_euro: str) -> None:
    """A rate file an administrator loaded: 1 EUR = ``per_euro`` GBP on RATE_DAY (source "Board")."""
    from django.utils import timezone as tz

    from kampass.common import fx
    from kampass.common.models import ExchangeRate

    ExchangeRate.objects.create(
        day=RATE_DAY, currency="GBP", per_euro=Decimal(per_euro), base="EUR", base_rate=Decimal(per_euro),
        source="Board", loaded_at=tz.now(),
    )  # fmt: skip
    fx.invalidate_loaded_rates()


def _loaded(o: Opportunity) -> Opportunity:
    return Opportunity.objects.select_related("account", "stage", "owner").get(pk=o.pk)


@pytest.fixture
def equal_deals(group, settings):
    settings.KAMPASS_REPORTING_CURRENCY = "EUR"
    _load_rate("0.8")
    in_eur = Decimal("12500.00")  # 10000 GBP at 0.8 GBP per EUR
    gbp = make_opportunity(account=group, name="UK", amount=Decimal("10000"), currency="GBP",
                           expected_close_date=RATE_DAY)  # fmt: skip
    eur = make_opportunity(account=group, name="DE", amount=in_eur, currency="EUR", expected_close_date=RATE_DAY)
    return _loaded(gbp), _loaded(eur), float(in_eur)


def test_a_gbp_and_a_eur_deal_of_equal_value_get_the_same_amount_feature(equal_deals):
    gbp, eur, in_eur = equal_deals
    # when the features are read as of now (scoring) and as of a later moment (a snapshot)
    now_gbp, now_eur = feature_rows([gbp, eur])
    later = timezone.now() + dt.timedelta(hours=1)
    snap_gbp, snap_eur = snapshot_row(gbp, later), snapshot_row(eur, later)
    # then both carry the euro value
    assert now_gbp["amount"] == pytest.approx(in_eur, abs=0.01)
    assert now_eur["amount"] == pytest.approx(in_eur, abs=0.01)
    assert snap_gbp["amount"] == pytest.approx(snap_eur["amount"], abs=0.01)
    assert snap_gbp["amount"] == pytest.approx(in_eur, abs=0.01)


def test_a_future_close_date_converts_at_the_snapshots_day(group, settings):
    settings.KAMPASS_REPORTING_CURRENCY = "EUR"
    o = _loaded(make_opportunity(account=group, amount=Decimal("10000"), currency="GBP",
                                 expected_close_date=dt.date(2031, 6, 30)))  # fmt: skip
    at = timezone.now() + dt.timedelta(hours=1)
    row = snapshot_row(o, at)
    from kampass.common import fx

    expected = float(fx.convert(Decimal("10000"), "GBP", "EUR", timezone.localdate(at)))
    assert row["amount"] == pytest.approx(expected, abs=0.01)
    assert row["amount"] != pytest.approx(10000.0, abs=1.0)


def test_the_reporting_currency_decides_the_unit(equal_deals, settings):
    gbp, _eur, _in_eur = equal_deals
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    assert feature_rows([gbp])[0]["amount"] == pytest.approx(10000.0, abs=0.01)
