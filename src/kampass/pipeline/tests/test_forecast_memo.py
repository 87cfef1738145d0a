"""The forecast's simulations are kept in the process by a digest of their inputs: the same pipeline
gives the same (kept) result, and any changed input is simulated afresh."""

from __future__ import annotations

from decimal import Decimal

from kampass.core.forecasting import forecast_distribution
from kampass.pipeline.selectors import revenue_forecast


def test_the_same_inputs_are_simulated_once_and_a_changed_amount_again(monkeypatch):
    # given a memo of its own and a simulation that counts its calls
    monkeypatch.setattr(revenue_forecast, "_distributions", revenue_forecast.ProcessMemo(size=4))
    calls: list[int] = []

    def counted(*args, **kwargs):
        calls.append(1)
        return forecast_distribution(*args, **kwargs)

    monkeypatch.setattr("kampass.core.forecasting.forecast_distribution", counted)
    p, amounts, periods = [0.2, 0.7], [Decimal("100"), Decimal("50")], ["2027-01", "2027-02"]
    # when
    first = revenue_forecast._distribution(p, amounts, periods, simulations=500, seed=0)
    again = revenue_forecast._distribution(list(p), list(amounts), list(periods), simulations=500, seed=0)
    changed = revenue_forecast._distribution(p, [Decimal("100"), Decimal("51")], periods, simulations=500, seed=0)
    other_seed = revenue_forecast._distribution(p, amounts, periods, simulations=500, seed=1)
    # then
    assert again == first == forecast_distribution(p, amounts, periods, simulations=500, seed=0)
    assert changed != first
    assert changed[1].expected == Decimal("35.70")
    assert other_seed[0].expected == first[0].expected
    assert len(calls) == 3


def test_periods_are_part_of_the_key():
    # the same probabilities and amounts in other periods are another forecast
    p, amounts = [0.5, 0.5], [Decimal("10"), Decimal("10")]
    a = revenue_forecast._distribution(p, amounts, ["2027-01", "2027-01"], simulations=200, seed=0)
    b = revenue_forecast._distribution(p, amounts, ["2027-01", "2027-02"], simulations=200, seed=0)
    assert [x.period for x in a] == ["2027-01"]
    assert [x.period for x in b] == ["2027-01", "2027-02"]


def test_the_forecast_is_kept_while_its_inputs_stay_the_same_and_follows_a_new_deal_and_a_rescore(db, head, group):
    import datetime as dt

    from kampass.pipeline.models import Opportunity
    from kampass.pipeline.selectors import forecast
    from kampass.pipeline.tests.factories import make_opportunity

    # given one open deal
    deal = make_opportunity(account=group, amount=Decimal("1000"), expected_close_date=dt.date(2030, 3, 1))
    first = forecast(user=head, simulations=200)
    # when nothing changed, the same report is answered
    assert forecast(user=head, simulations=200) is first
    # when a deal is added, it counts
    make_opportunity(account=group, amount=Decimal("500"), expected_close_date=dt.date(2030, 3, 2))
    second = forecast(user=head, simulations=200)
    assert (first.deals, second.deals) == (1, 2)
    # when the deals are scored in bulk (no history, no change time), the scores count
    Opportunity.objects.filter(pk=deal.pk).update(probability=0.5, scored_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    third = forecast(user=head, simulations=200)
    assert (second.unscored, third.unscored) == (2, 1)
    assert third.rows[0].expected == Decimal("500.00")
