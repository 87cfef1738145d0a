"""``--link keep``: rows whose account is not found are kept as opportunities awaiting an account
(``UnlinkedOpportunity``) instead of rejected; counted in the JSON and by the dry run; a re-run updates them
(or the real opportunity once linked); rows with other errors are rejected as before."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.importing import import_opportunities
from kampass.pipeline.models import Opportunity, OpportunityStageChange, UnlinkedOpportunity

pytestmark = pytest.mark.django_db

HEADER = "Id,Name,AccountId,AccountName,AccountCountry,AccountParent,Amount,StageName,CreatedDate,CloseDate,Owner\n"
ROWS = [
    "O1,Known deal,K1,Known AG,DE,,1000,Prospecting,2029-01-02,2029-06-30,",
    "O2,Retrofit,N1,Neu GmbH,Schweiz,,2500.50,Prospecting,2029-01-03,2029-07-31,",
    "O3,Spare parts,N1,Neu GmbH,CH,,700,Closed Won,2029-01-04,2029-02-15,",
    "O4,Broken,N2,Broken Ltd,,,not money,Prospecting,2029-01-05,2029-07-31,",
]


def write(tmp_path: Path, rows: list[str] = ROWS) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run_json(path: Path, *args: str) -> dict:
    out = StringIO()
    call_command("import", "opportunities", str(path), "--mapping", "generic", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_keep_stores_rows_without_an_account_and_rejects_other_errors(tmp_path):
    # given one known account and a file with deals of an unknown company and one broken row
    known = AccountFactory(name="Known AG", external_id="K1")

    # when the file is imported keeping deals without an account
    outcome = run_json(write(tmp_path), "--link", "keep")

    # then the known deal is an opportunity, the unknown company's two deals wait for an account
    assert (outcome["created"], outcome["unlinked"], outcome["unlinked_new"], outcome["rejected"]) == (1, 2, 2, 1)
    assert Opportunity.objects.get().account == known
    retrofit = UnlinkedOpportunity.objects.get(external_id="O2")
    assert (retrofit.company_name, retrofit.company_external_id, str(retrofit.country)) == ("Neu GmbH", "N1", "CH")
    assert (retrofit.amount, retrofit.currency, retrofit.stage_name) == (Decimal("2500.50"), "EUR", "Prospecting")
    assert retrofit.stage is not None
    assert str(retrofit.expected_close_date) == "2029-07-31"
    assert retrofit.import_file == "deals.csv"
    won = UnlinkedOpportunity.objects.get(external_id="O3")
    assert (won.outcome, str(won.closed_on)) == ("won", "2029-02-15")
    assert outcome["rejects"][0]["row"] == 5


def test_the_dry_run_counts_and_writes_nothing(tmp_path):
    outcome = run_json(write(tmp_path), "--link", "keep", "--dry-run")

    assert (outcome["unlinked"], outcome["unlinked_new"], outcome["created"]) == (3, 3, 0)
    assert not UnlinkedOpportunity.objects.exists()
    assert not Opportunity.objects.exists()


def test_a_rerun_updates_the_unlinked_ones(tmp_path):
    run_json(write(tmp_path), "--link", "keep")
    changed = [r.replace("2500.50", "3000") for r in ROWS]

    again = run_json(write(tmp_path, changed), "--link", "keep")

    assert (again["unlinked"], again["unlinked_new"]) == (3, 0)
    assert UnlinkedOpportunity.objects.count() == 3
    assert UnlinkedOpportunity.objects.get(external_id="O2").amount == Decimal("3000")


def test_a_rerun_updates_the_opportunity_linked_meanwhile(admin_user, tmp_path):
    # given a kept deal the head of KAM has linked to an account of their choice since
    run_json(write(tmp_path), "--link", "keep")
    chosen = AccountFactory(name="Chosen AG")
    from kampass.pipeline.services import unlinked_link

    unlinked_link(actor=admin_user, items=UnlinkedOpportunity.objects.filter(external_id="O2"), account=chosen)
    changed = [r.replace("2500.50", "3000") for r in ROWS]

    # when the file is imported again
    again = run_json(write(tmp_path, changed), "--link", "keep")

    # then the real opportunity is updated on its account, and no new unlinked record appears
    o = Opportunity.objects.get(external_id="O2")
    assert (o.account, o.amount) == (chosen, Decimal("3000"))
    assert not UnlinkedOpportunity.objects.filter(external_id="O2").exists()
    assert (again["updated"], again["unlinked"]) == (1, 2)


def test_a_row_whose_account_now_exists_replaces_its_unlinked_record(tmp_path):
    AccountFactory(name="Known AG", external_id="K1")
    run_json(write(tmp_path), "--link", "keep")
    AccountFactory(name="Neu GmbH", external_id="N1")

    again = run_json(write(tmp_path), "--link", "keep")

    assert (again["created"], again["unlinked"], again["unlinked_replaced"]) == (2, 0, 2)
    assert not UnlinkedOpportunity.objects.exists()
    assert OpportunityStageChange.objects.filter(opportunity__external_id="O2").count() == 1


def test_other_modes_still_reject_rows_without_an_account(admin_user, tmp_path):
    AccountFactory(name="Known AG", external_id="K1")
    result = import_opportunities(actor=admin_user, path=write(tmp_path), mapping="generic", link="external_id")

    assert result.rejected_rows == 3
    assert "no account with this external id" in {r.reason.split(";")[0] for r in result.rejects}
    assert result.unlinked == 0
    assert not UnlinkedOpportunity.objects.exists()


def test_the_text_output_names_the_kept_ones(tmp_path):
    out = StringIO()
    call_command("import", "opportunities", str(write(tmp_path)), "--mapping", "generic", "--link", "keep", stdout=out)

    assert "3 opportunities without an account kept (3 new)" in out.getvalue()
