"""The optimism table's win rate is the one the bias rests on: the win rate of the closed deals that
have an owner's probability (and for the model, of those with a model probability), so that
mean − win rate = bias in every row. Checked against the deals counted independently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.pipeline import selectors
from kampass.pipeline.models import Opportunity, Outcome
from kampass.pipeline.tests.factories import make_opportunity


def _closed(group, owner, name, *, won, owner_probability, model=None):
    o = make_opportunity(account=group, name=name, owner=owner, owner_probability=owner_probability,
                         stage_name="Closed Won" if won else "Closed Lost")  # fmt: skip
    if model is not None:
        Opportunity.objects.filter(pk=o.pk).update(
            probability=model, scored_at=timezone.now() - dt.timedelta(days=1), closed_on=timezone.localdate()
        )
    return o


def test_win_rate_covers_the_same_deals_as_the_bias(client, head, kam, group):
    # given kam's closed deals: three won without an owner's probability, and four with one (one won)
    for i in range(3):
        _closed(group, kam, f"Unrated {i}", won=True, owner_probability=None, model=0.5)
    for i in range(4):
        _closed(group, kam, f"Rated {i}", won=i == 0, owner_probability=80)
    # the figures computed independently from the stored deals
    closed = Opportunity.objects.filter(owner=kam).exclude(outcome=Outcome.OPEN)
    rated = closed.exclude(owner_probability=None)
    scored = closed.exclude(probability=None)
    owner_rate = rated.filter(outcome=Outcome.WON).count() / rated.count()
    owner_mean = sum(o.owner_probability or 0 for o in rated) / rated.count() / 100
    model_rate = scored.filter(outcome=Outcome.WON).count() / scored.count()
    all_rate = closed.filter(outcome=Outcome.WON).count() / closed.count()
    assert (owner_rate, model_rate, all_rate) == (0.25, 1.0, 4 / 7)  # the three differ: the test can tell them apart

    # when the selector reports per owner
    row = {r.group: r for r in selectors.optimism(user=head, by="owner").rows}[str(kam)]
    # then the owners' win rate is the one over the rated deals, and mean − win rate = bias
    assert row.owner_win_rate == pytest.approx(owner_rate)
    assert row.owner_mean - row.owner_win_rate == pytest.approx(row.owner_bias)
    assert row.owner_bias == pytest.approx(owner_mean - owner_rate)
    assert row.model_win_rate == pytest.approx(model_rate)
    assert row.model_mean - row.model_win_rate == pytest.approx(row.model_bias)
    assert row.win_rate == pytest.approx(all_rate)

    # and the page's table shows the owners' win rate (25.0), labelled as such, next to their bias (+55.0)
    client.force_login(head)
    response = client.get(reverse("forecast"))
    shown = {r["group"]: r for r in response.context["optimism_rows"]}[str(kam)]
    assert shown["owner_win_rate"] == pytest.approx(owner_rate * 100)
    assert shown["owner_mean"] - shown["owner_win_rate"] == pytest.approx(shown["owner_bias"])
    body = response.content.decode()
    assert "Owners: win rate" in body
    assert "Model: win rate" in body
    assert 'data-testid="owner-win-rate">25.0' in body
    assert "+55.0" in body
    # the API names both win rates
    report = selectors.optimism(user=head, by="owner").as_json()
    api_row = next(r for r in report["rows"] if r["group"] == str(kam))
    assert api_row["owner_win_rate"] == pytest.approx(owner_rate)
    assert api_row["model_win_rate"] == pytest.approx(model_rate)
