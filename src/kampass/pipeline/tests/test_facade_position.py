"""The pipeline position of accounts as of a day (``facade.pipeline_position``), read by the plan exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampass.pipeline.facade import pipeline_position
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 30)


def _dated(opportunity: Opportunity, created: dt.date, closed: dt.date | None = None) -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(created_on=created, closed_on=closed)


def test_open_then_and_closed_in_the_year_before(group, site, other):
    # given: open now and opened before the day; opened after the day; won after the day (open then)
    _dated(make_opportunity(account=group, name="open", amount="100", currency="EUR"), dt.date(2026, 1, 1))
    _dated(make_opportunity(account=site, name="later", amount="50"), dt.date(2026, 7, 2))
    won_late = make_opportunity(account=site, name="won late", amount="70", currency="USD", stage_name="Closed Won")
    _dated(won_late, dt.date(2026, 2, 1), dt.date(2026, 8, 1))
    # and closed in the 365 days before the day: two won, one lost; one lost long before; another account's
    closed_before = (
        ("w1", "Closed Won", dt.date(2026, 3, 1)),
        ("w2", "Closed Won", DAY),
        ("l1", "Closed Lost", dt.date(2025, 7, 1)),
        ("l0", "Closed Lost", dt.date(2025, 6, 30)),  # 365 days before: out of the year
    )
    for name, stage, closed in closed_before:
        _dated(make_opportunity(account=group, name=name, stage_name=stage), dt.date(2025, 1, 1), closed)
    _dated(make_opportunity(account=other, name="theirs", stage_name="Closed Won"), dt.date(2026, 1, 1), DAY)

    position = pipeline_position([group.pk, site.pk], as_of=DAY)

    assert [(i.stage, i.amount, i.currency) for i in position.open_items] == [
        (Opportunity.objects.get(name="open").stage.name, Decimal("100.00"), "EUR"),
        ("", Decimal("70.00"), "USD"),  # its stage on the day is not kept
    ]
    assert (position.won, position.lost) == (2, 1)
    assert position.win_rate == pytest.approx(2 / 3)


def test_without_closed_opportunities_the_win_rate_is_unknown(group):
    assert pipeline_position([group.pk], as_of=DAY).win_rate is None
