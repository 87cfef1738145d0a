"""The real Salesforce sample export (7,545 opportunities), imported in full; the contradictions
and outcomes are checked against an independent computation with the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections import Counter
from pathlib import Path

import pytest

from kampass.accounts.models import Account
from kampass.pipeline.importing import RULES, import_opportunities
from kampass.pipeline.models import Opportunity, OpportunityStageChange

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "salesforce-sample" / "Opportunity_export.csv"
OPEN_STAGES = {"Discovery", "Qualification", "Needs Analysis", "Proposal/Quote", "Negotiation"}
MAPPED = {"Discovery": "Prospecting", "Proposal/Quote": "Proposal/Price Quote", "Negotiation": "Negotiation/Review"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    if not DATA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DATA} is missing (CI=true: the real-data tests must run)")
        pytest.skip(f"{DATA} is missing")
    with DATA.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def expected_rules(rows: list[dict[str, str]]) -> Counter[str]:
    """Independent: which rule each row breaks, straight from the text of the file."""
    counts: Counter[str] = Counter()
    for r in rows:
        stage, closed, won = r["StageName"], r["IsClosed"] == "true", r["IsWon"] == "true"
        if stage == "Closed Won" and not closed:
            counts["won/open"] += 1
        elif stage == "Closed Won" and not won:
            counts["won/lost"] += 1
        elif stage == "Closed Lost" and won:
            counts["lost/won"] += 1
        elif stage == "Closed Lost" and not closed:
            counts["lost/open"] += 1
        elif stage in OPEN_STAGES and closed:
            counts["open/closed"] += 1
    return counts


@pytest.fixture
def accounts(rows: list[dict[str, str]]) -> None:
    """The 4,974 accounts of the file, already in kampass with their Salesforce ids (bulk, for speed)."""
    names: dict[str, str] = {}
    for r in rows:
        names.setdefault(r["AccountId"], r["AccountName"])
    created = Account.objects.bulk_create(
        Account(name=f"{name} ({aid})", external_id=aid, industry="") for aid, name in names.items()
    )
    for a in created:
        a.path = f"{a.pk}/"
    Account.objects.bulk_update(created, ["path"], batch_size=1000)


def test_contradictions_are_reported_row_by_row_and_refused_without_a_choice(admin_user, rows, accounts):
    # when
    result = import_opportunities(actor=admin_user, path=DATA)
    # then: the counts match an independent computation, including the two documented ones
    expected = expected_rules(rows)
    assert expected["won/open"] == 191
    assert expected["lost/won"] == 63
    counts = result.contradiction_counts()
    assert counts[RULES[("won", "open")]] == expected["won/open"]
    assert counts[RULES[("lost", "won")]] == expected["lost/won"]
    assert counts[RULES[("lost", "open")]] == expected["lost/open"]
    assert len(result.contradictions) == sum(expected.values())
    # row by row: row number (line of the file), Id, StageName, IsClosed, IsWon
    first = result.contradictions[0]
    line = next(i for i, r in enumerate(rows, start=2) if r["Id"] == first.external_id)
    assert first.row == line
    assert (first.stage, first.is_closed, first.is_won) == (
        rows[line - 2]["StageName"],
        rows[line - 2]["IsClosed"],
        rows[line - 2]["IsWon"],
    )
    # nothing written
    assert result.refused
    assert not result.committed
    assert not Opportunity.objects.exists()


def test_prefer_stage_then_reimport_then_prefer_flags(admin_user, rows, accounts):
    # when the stage wins
    result = import_opportunities(actor=admin_user, path=DATA, prefer="stage")
    # then every row is imported, outcomes follow StageName
    assert result.committed
    assert result.created == len(rows) == 7545
    assert result.rejects == []
    outcomes = Counter(Opportunity.objects.values_list("outcome", flat=True))
    by_stage = Counter(r["StageName"] for r in rows)
    assert outcomes["won"] == by_stage["Closed Won"]
    assert outcomes["lost"] == by_stage["Closed Lost"]
    assert outcomes["open"] == sum(by_stage[s] for s in OPEN_STAGES)
    # amounts to the cent, per outcome
    total = sum(int(r["Amount"]) for r in rows)
    assert sum(Opportunity.objects.values_list("amount", flat=True)) == total
    # owners are kept by name (no users of these names), accounts linked by id
    sample = rows[0]
    o = Opportunity.objects.select_related("account").get(source="salesforce", external_id=sample["Id"])
    assert o.owner_name == sample["OpportunityOwner"]
    assert o.account.external_id == sample["AccountId"]
    changes = OpportunityStageChange.objects.count()

    # when imported again: nothing added, nothing changed
    again = import_opportunities(actor=admin_user, path=DATA, prefer="stage")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7545)
    assert Opportunity.objects.count() == 7545
    assert OpportunityStageChange.objects.count() == changes

    # when the flags win: only the contradictory rows change, outcome from IsClosed/IsWon
    flags = import_opportunities(actor=admin_user, path=DATA, prefer="flags")
    assert flags.updated == len(flags.contradictions)
    assert Opportunity.objects.count() == 7545
    outcomes = Counter(Opportunity.objects.values_list("outcome", flat=True))
    assert outcomes["won"] == sum(1 for r in rows if r["IsWon"] == "true")
    assert outcomes["lost"] == sum(1 for r in rows if r["IsClosed"] == "true" and r["IsWon"] != "true")
    assert outcomes["open"] == sum(1 for r in rows if r["IsClosed"] == "false")
    # a 'Closed Won' row the flags call open takes the open stage of the export's Stage column
    row = next(r for r in rows if r["StageName"] == "Closed Won" and r["IsClosed"] == "false")
    o = Opportunity.objects.select_related("stage").get(external_id=row["Id"])
    assert o.outcome == "open"
    assert o.stage.name == MAPPED.get(row["Stage"], row["Stage"])
    assert o.owner_probability == int(row["Probability"])
    # and the move is in its stage history
    last_change = o.stage_changes.last()
    assert last_change is not None
    assert last_change.from_stage is not None
    assert last_change.from_stage.name == "Closed Won"
    assert OpportunityStageChange.objects.count() == changes + len(flags.contradictions)


def test_us_dates_of_the_real_export_are_all_read_right(admin_user, rows, accounts, tmp_path):
    # given: the real export with its close dates rewritten US style (M/D/YYYY, the csv module), so that
    # 2,887 of them (day <= 12) fit both orders; the generic mapping used to read those day first
    us = tmp_path / "us_dates.csv"
    with us.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            y, m, d = r["CloseDate"].split("-")
            writer.writerow({**r, "CloseDate": f"{int(m)}/{int(d)}/{y}"})
    ambiguous = sum(1 for r in rows if int(r["CloseDate"][8:10]) <= 12)
    # when
    result = import_opportunities(actor=admin_user, path=us, mapping="generic", prefer="stage")
    # then: every close date as in the original ISO file
    assert ambiguous == 2887
    assert result.date_orders == {"CloseDate": "mdy"}
    assert (result.created, result.rejects, result.warnings) == (7545, [], [])
    got = dict(Opportunity.objects.values_list("external_id", "expected_close_date"))
    assert got == {r["Id"]: dt.date.fromisoformat(r["CloseDate"]) for r in rows}
    # closed deals carry their final amount and close day
    won = [r for r in rows if r["StageName"] == "Closed Won"]
    closed = Opportunity.objects.filter(outcome="won")
    assert sum(closed.values_list("amount", flat=True)) == sum(int(r["Amount"]) for r in won)
    assert sorted(d for d in closed.values_list("closed_on", flat=True) if d is not None) == sorted(
        dt.date.fromisoformat(r["CloseDate"]) for r in won
    )
