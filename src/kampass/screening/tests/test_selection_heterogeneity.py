"""``account_heterogeneity`` over the portfolio: the dispersion of today's key accounts over the quadrants
of the newest closed selection round, averaged with the dispersion over the segments when both exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory
from kampass.screening import facade
from kampass.screening.models import Decision, SelectionRound
from kampass.screening.models.selection import Move, RoundStatus
from kampass.screening.selectors_selection import portfolio_dispersion
from kampass.screening.tests.factories_selection import small_catalogue

pytestmark = pytest.mark.django_db


def _round(period: str, quadrants: dict, *, closed: bool, days_ago: int = 0) -> SelectionRound:
    first = SelectionRound.objects.first()
    r = SelectionRound.objects.create(
        period=period,
        as_of=dt.date(2026, 1, 1),
        catalogue=first.catalogue if first else small_catalogue(),
        status=RoundStatus.CLOSED if closed else RoundStatus.OPEN,
        closed_at=timezone.now() - dt.timedelta(days=days_ago) if closed else None,
    )
    for account, quadrant in quadrants.items():
        Decision.objects.create(
            round=r, account=account, quadrant=quadrant, from_status=account.kam_status,
            proposed_move=Move.KEEP, proposed_status=account.kam_status,
        )  # fmt: skip
    return r


def test_dispersion_over_the_quadrants_of_the_newest_closed_round():
    keys = [AccountFactory(kam_status="key_account") for _ in range(4)]
    candidate = AccountFactory(kam_status="candidate")
    assert portfolio_dispersion() is None  # no round yet
    # an older closed round with all four key accounts in one quadrant
    _round("2025", dict.fromkeys(keys, "invest"), closed=True, days_ago=30)
    assert portfolio_dispersion() == pytest.approx(0.0)
    # the newest closed round: two quadrants, two key accounts each; the candidate does not count, nor does
    # an account without a quadrant, nor an open round
    _round("2026", {keys[0]: "invest", keys[1]: "invest", keys[2]: "hold", keys[3]: "hold", candidate: "exit"},
           closed=True)  # fmt: skip
    _round("2027", dict(zip(keys, ["invest", "hold", "exit", "big_step"], strict=True)), closed=False)
    # Gini-Simpson: 1 - (1/2)^2 - (1/2)^2 = 0.5
    assert portfolio_dispersion() == pytest.approx(0.5)
    # without a segment run, account_heterogeneity is the portfolio's dispersion alone
    assert facade.account_heterogeneity() == pytest.approx(0.5)
