"""The board of a user who sees only some accounts is read by the ids of the open deals there
(``selectors.board._named_open_deals``): the same columns, cards, counts and totals as when it is read
without them, and none of another manager's deals."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.pipeline.models import Opportunity
from kampass.pipeline.selectors import board as board_selectors
from kampass.pipeline.selectors.board import pipeline_board
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def _shown(board):
    return [
        (c.stage.name, c.count, [o.name for o in c.opportunities], c.total, c.weighted_total, c.amounts)
        for c in board.columns
    ]


def test_the_named_deals_give_the_same_board_and_only_the_users_deals(monkeypatch, kam, group, site, other):
    # given open deals at kam's accounts in several stages (one more than a column shows), a won deal there,
    # and open deals at another manager's account
    stages = ["Prospecting", "Qualification", "Proposal/Price Quote"]
    for k in range(7):
        make_opportunity(
            account=site if k % 2 else group,
            name=f"Mine {k}",
            amount=1000 * (k + 1),
            stage_name=stages[k % 3],
            owner_probability=10 * k,
            expected_close_date=dt.date(2030, 1, 1) + dt.timedelta(days=k),
        )
    make_opportunity(account=group, name="Mine won", stage_name="Closed Won")
    for k in range(3):
        make_opportunity(account=other, name=f"Theirs {k}", stage_name=stages[k])
    # when kam's board is read with the ids and without them (more deals than may be named)
    named = _shown(pipeline_board(user=kam, limit=2))
    monkeypatch.setattr(board_selectors, "NAMED_OPEN_DEALS_MAX", 0)
    walked = _shown(pipeline_board(user=kam, limit=2))
    # then both are the same board: kam's seven open deals, two cards per column, the rest counted
    assert named == walked
    counts = {name: count for name, count, *_rest in named}
    assert (counts["Prospecting"], counts["Qualification"], counts["Proposal/Price Quote"]) == (3, 2, 2)
    cards = {card for _stage, _count, names, *_totals in named for card in names}
    assert cards == {"Mine 0", "Mine 3", "Mine 1", "Mine 4", "Mine 2", "Mine 5"}
    assert not any(card.startswith("Theirs") for card in cards)


def test_only_a_user_who_sees_some_accounts_gets_the_ids(monkeypatch, head, kam, group, other):
    # given an open deal at kam's account, one at another manager's, and one won at kam's
    mine = make_opportunity(account=group, name="Mine")
    make_opportunity(account=other, name="Theirs")
    make_opportunity(account=group, name="Won", stage_name="Closed Won")
    everything = Opportunity.objects.all()
    # then kam's deals are named by id: the open one at kam's account only
    named = board_selectors._named_open_deals(everything, kam)
    assert list(named.values_list("name", flat=True)) == ["Mine"]
    assert f"IN ({mine.pk})" in str(named.query)
    # the head of KAM sees everything: nothing to name
    assert board_selectors._named_open_deals(everything, head) is everything
    # more open deals than may be named: read as before
    monkeypatch.setattr(board_selectors, "NAMED_OPEN_DEALS_MAX", 0)
    assert board_selectors._named_open_deals(everything, kam) is everything
