"""The programme facade: the signals collected from the other contexts (computed here independently)
and the confirmed phase."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.accounts.models import KamStatus
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.commercial.tests.factories import insert_lines, line
from kampass.core.concept import SIGNALS
from kampass.programme import facade


def test_signals_cover_every_documented_key_and_every_guardrail(db, catalogue):
    signals = facade.current_signals()
    assert set(SIGNALS) <= set(signals)
    assert {lg.guardrail.key for lg in catalogue.logics} <= set(signals)
    assert signals["key_accounts"] == 0
    assert signals["leakage_share"] is None  # no invoice lines
    assert signals["account_heterogeneity"] is None


def test_account_signals(db):
    # given three key accounts, one with a KAM on its team, and one prospect
    kam = UserFactory()
    a = AccountFactory(name="A", industry="Chemicals", kam_status=KamStatus.KEY_ACCOUNT)
    AccountFactory(name="B", industry="Chemicals", kam_status=KamStatus.STRATEGIC)
    AccountFactory(name="C", industry="Food", kam_status=KamStatus.KEY_ACCOUNT)
    AccountFactory(name="D", industry="Food", kam_status=KamStatus.PROSPECT)
    TeamMemberFactory(account=a, user=kam, role="kam")
    # when (the accounts' signals are defined in the accounts facade; the programme merges them)
    from kampass.accounts import facade as accounts_facade

    signals = accounts_facade.programme_signals()
    # then
    assert signals["key_accounts"] == 3
    assert signals["kams_appointed"] == 1
    assert signals["accounts_with_team_share"] == pytest.approx(1 / 3)
    # the heterogeneity of key accounts is the screening context's (segments), no longer the industries'
    assert "account_heterogeneity" not in signals


def test_leakage_share_and_profitability_trend_from_invoice_lines(db):
    # given four months: the first two at a pocket margin of 90 %, the last two at 80 %
    # (the rebates are in the leakage category "discounts": the leakage share is the commercial context's,
    # which sums the leakage categories; an unknown category such as "discount" is no leakage there)
    rows = []
    for month in (1, 2, 3, 4):
        rows.append(line(f"I{month}", "C1", "1", "1000", date=dt.date(2011, month, 5)))
        leak = "100" if month <= 2 else "200"
        rows.append(line(f"R{month}", "C1", "-1", leak, "discounts", date=dt.date(2011, month, 6)))
    insert_lines(rows)
    # when
    signals = facade.current_signals()
    # then
    assert signals["leakage_share"] == pytest.approx(600 / 4000)
    assert signals["profitability_trend"] == pytest.approx((0.8 - 0.9) / 0.9)


def test_asked_for_some_keys_the_facades_after_the_one_that_has_them_are_not_asked(db, monkeypatch):
    # given invoice lines (the commercial facade, asked second, has the leakage share) and a pipeline
    # facade that records whether it was asked
    insert_lines([line("I1", "C1", "1", "1000", date=dt.date(2011, 1, 5))])
    from kampass.pipeline import facade as pipeline_facade

    asked: list[str] = []

    def pipeline_signals() -> dict[str, float]:
        asked.append("pipeline")
        return {"win_rate": 0.5}

    monkeypatch.setattr(pipeline_facade, "programme_signals", pipeline_signals)
    # when
    some = facade.current_signals(["leakage_share"])
    everything = facade.current_signals()
    # then the same leakage share, and the pipeline was asked only for all signals
    assert some["leakage_share"] == everything["leakage_share"] == pytest.approx(0.0)
    assert asked == ["pipeline"]
    assert everything["win_rate"] == 0.5


def test_signals_of_other_contexts_are_merged_and_failures_tolerated(db, monkeypatch):
    from kampass.organisation import facade as organisation_facade
    from kampass.roadmap import facade as roadmap_facade

    monkeypatch.setattr(organisation_facade, "programme_signals", lambda: {"raci_conflicts": 4, "kams_appointed": 7})

    def broken() -> dict[str, float]:
        raise RuntimeError("roadmap down")

    monkeypatch.setattr(roadmap_facade, "programme_signals", broken)
    signals = facade.current_signals()
    assert signals["raci_conflicts"] == 4.0
    assert signals["kams_appointed"] == 7.0
    assert signals["active_topics"] is None


def test_a_missing_facade_function_is_skipped(db, monkeypatch):
    from kampass.organisation import facade as organisation_facade

    monkeypatch.delattr(organisation_facade, "programme_signals")
    assert facade._facade_signals("kampass.organisation.facade") == {}
    assert facade._facade_signals("kampass.nonexistent.facade") == {}
