"""The forecast page: expected revenue per period with P10/P50/P90 from the calibrated
probabilities beside the owners' forecast, grouped by owner, account or account subtree; and the
optimism analysis per owner, team and account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity

HX = {"HX-Request": "true"}


def scored(opportunity, p):
    Opportunity.objects.filter(pk=opportunity.pk).update(probability=p, scored_at=timezone.now())
    return opportunity


@pytest.fixture
def pipeline(group, site, kam, head):
    # certain outcomes make the Monte Carlo quantiles exact: P10 = P50 = P90 = the sure deals
    a = make_opportunity(account=group, name="Sure", amount=Decimal("100000"), owner=kam, owner_probability=80,
                         expected_close_date=dt.date(2030, 2, 15))  # fmt: skip
    b = make_opportunity(account=site, name="Hopeless", amount=Decimal("50000"), owner=head, owner_probability=60,
                         expected_close_date=dt.date(2030, 3, 1))  # fmt: skip
    c = make_opportunity(account=group, name="April", amount=Decimal("20000"), owner=kam, owner_probability=50,
                         expected_close_date=dt.date(2030, 4, 1))  # fmt: skip
    make_opportunity(account=group, name="Undated", amount=Decimal("1"), expected_close_date=None)
    return scored(a, 1.0), scored(b, 0.0), scored(c, 1.0)


def test_forecast_per_month_with_quantiles_and_owner_forecast(client, head, pipeline):
    client.force_login(head)
    response = client.get(reverse("forecast"))
    assert response.status_code == 200
    report = response.context["report"]
    rows = {r.period: r for r in report.rows}
    assert set(rows) == {"2030-02", "2030-03", "2030-04"}
    feb = rows["2030-02"]
    assert feb.expected == feb.p10 == feb.p50 == feb.p90 == Decimal("100000")
    assert feb.owner_expected == Decimal("80000")
    assert rows["2030-03"].expected == Decimal("0")
    assert rows["2030-03"].owner_expected == Decimal("30000")
    assert report.undated == 1
    totals = response.context["totals"]
    assert totals["expected"] == Decimal("120000")
    assert totals["owner_expected"] == Decimal("120000")
    body = response.content.decode()
    assert 'data-testid="fan-chart"' in body
    assert "vendor/vega/vega-embed.min.js" in body
    spec = response.context["fan_spec"]
    assert [v["period"] for v in spec["layer"][0]["data"]["values"]] == ["2030-02", "2030-03", "2030-04"]
    diffs = {d["r"].period: d["diff"] for d in response.context["period_rows"]}
    assert diffs["2030-03"] == Decimal("30000")


def test_forecast_per_quarter_and_grouped_by_owner(client, head, kam, pipeline):
    client.force_login(head)
    response = client.get(reverse("forecast") + "?period=quarter&group=owner", headers=HX)
    assert "<html" not in response.content.decode()
    rows = {r.period: r for r in response.context["report"].rows}
    assert set(rows) == {"2030-Q1", "2030-Q2"}
    assert rows["2030-Q1"].expected == Decimal("100000")
    groups = {g["g"].label: g["totals"] for g in response.context["groups"]}
    assert groups[str(kam)]["expected"] == Decimal("120000")
    assert groups[str(head)]["owner_expected"] == Decimal("30000")


def test_forecast_grouped_by_account_subtree(client, head, group, site, other, pipeline):
    kone = make_opportunity(account=other, name="Kone", amount=Decimal("7000"), expected_close_date=dt.date(2030, 2, 1))
    scored(kone, 1.0)
    client.force_login(head)
    response = client.get(reverse("forecast") + "?group=subtree")
    groups = {g["g"].label: g["totals"] for g in response.context["groups"]}
    assert groups == {
        "Kone Oyj": groups["Kone Oyj"],
        "Schindler Group": groups["Schindler Group"],
    }
    assert groups["Schindler Group"]["expected"] == Decimal("120000")  # with the site
    assert groups["Kone Oyj"]["expected"] == Decimal("7000")
    # below the group: the group itself and the site's subtree
    response = client.get(reverse("forecast") + f"?group=subtree&account={group.pk}&subtree=1")
    groups = {g["g"].label: g["totals"] for g in response.context["groups"]}
    assert groups["Schindler Group (itself)"]["expected"] == Decimal("120000")
    assert groups["Schindler Ebikon"]["owner_expected"] == Decimal("30000")


def test_forecast_empty_state(client, head):
    client.force_login(head)
    body = client.get(reverse("forecast")).content.decode()
    assert 'data-testid="forecast-empty"' in body
    assert 'data-testid="optimism-empty"' in body


def test_optimism_analysis_per_owner_and_account(client, head, kam, group, other):
    # kam promised 90 % on four deals and won one; the model said 30 %
    for i in range(4):
        o = make_opportunity(account=group, name=f"Deal {i}", owner=kam, owner_probability=90,
                             stage_name="Closed Won" if i == 0 else "Closed Lost")  # fmt: skip
        Opportunity.objects.filter(pk=o.pk).update(probability=0.3, scored_at=timezone.now() - dt.timedelta(days=1),
                                                   closed_on=timezone.localdate())  # fmt: skip
    client.force_login(head)
    response = client.get(reverse("forecast"))
    rows = {r["group"]: r for r in response.context["optimism_rows"]}
    row = rows[str(kam)]
    assert row["deals"] == 4
    assert row["win_rate"] == pytest.approx(25.0)
    assert row["owner_bias"] == pytest.approx(65.0)
    assert row["model_bias"] == pytest.approx(5.0)
    body = response.content.decode()
    assert 'data-testid="optimism-chart"' in body
    assert "+65.0" in body
    # the calibration of the owners' numbers and of the model over the same deals
    calibration = response.context["calibration"]
    assert [(b.count, b.mean_predicted, b.observed_rate) for b in calibration.owner] == [(4, 0.9, 0.25)]
    assert calibration.owner_ece == pytest.approx(0.65)
    assert calibration.model_ece == pytest.approx(0.05)
    assert 'data-testid="calibration-chart"' in body
    response = client.get(reverse("forecast") + "?by=account", headers={**HX, "HX-Target": "optimism"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="optimism"')
    assert [r["group"] for r in response.context["optimism_rows"]] == ["Schindler Group"]


def test_kam_forecast_covers_only_their_accounts(client, kam, group, other):
    scored(make_opportunity(account=group, name="Mine", amount=Decimal("10"), expected_close_date=dt.date(2030, 1, 1)),
           1.0)  # fmt: skip
    scored(make_opportunity(account=other, name="Not mine", amount=Decimal("99"),
                            expected_close_date=dt.date(2030, 1, 1)), 1.0)  # fmt: skip
    client.force_login(kam)
    report = client.get(reverse("forecast")).context["report"]
    assert report.deals == 1
    assert report.rows[0].expected == Decimal("10")


def test_the_forecast_marks_past_periods_and_the_current_one(client, head, group, kam):
    # given: an open deal whose close date has passed, one closing this month, one next year
    today = timezone.localdate()
    past = today.replace(day=1) - dt.timedelta(days=40)
    for name, day in (("Overdue", past), ("Now", today), ("Later", today.replace(year=today.year + 1))):
        scored(make_opportunity(account=group, name=name, amount=Decimal("1000"), owner=kam, owner_probability=50,
                                expected_close_date=day), 0.5)  # fmt: skip
    client.force_login(head)

    # when
    response = client.get(reverse("forecast"))

    # then: the table marks the past period and the current one
    rows = {row["r"].period: row for row in response.context["period_rows"]}
    this_month, past_month = f"{today:%Y-%m}", f"{past:%Y-%m}"
    assert rows[past_month]["past"]
    assert not rows[past_month]["current"]
    assert rows[this_month]["current"]
    assert not rows[this_month]["past"]
    assert not any(r["past"] or r["current"] for p, r in rows.items() if p not in (past_month, this_month))
    body = response.content.decode()
    assert body.count('data-testid="past-period"') == 1
    assert body.count('data-testid="current-period"') == 1

    # and: the chart shades the same periods (a layer of its own)
    layers = response.context["fan_spec"]["layer"]
    marks = {v["period"]: v["when"] for shade in layers[:2] for v in shade["data"]["values"]}
    assert marks == {past_month: "past", this_month: "current period"}
    assert all(shade["mark"]["type"] == "rect" for shade in layers[:2])


def test_the_owners_forecast_says_how_much_rests_on_stage_defaults(client, head, group, kam):
    # given: one deal with the owner's probability, one without (stage default of Prospecting: 10 %)
    make_opportunity(account=group, name="Owned", amount=Decimal("1000"), owner=kam, owner_probability=50,
                     expected_close_date=dt.date(2030, 5, 1))  # fmt: skip
    unowned = make_opportunity(account=group, name="Default", amount=Decimal("2000"), owner=kam,
                               expected_close_date=dt.date(2030, 5, 1))  # fmt: skip
    Opportunity.objects.filter(pk=unowned.pk).update(owner_probability=None)
    client.force_login(head)

    # when
    response = client.get(reverse("forecast"))

    # then
    report = response.context["report"]
    assert report.owner_default_deals == 1
    assert report.owner_default_expected == Decimal("200")  # 2000 x 10 %
    body = response.content.decode()
    assert "stage default where none given" in body
    assert 'data-testid="owner-default-share"' in body
