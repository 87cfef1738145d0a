"""``kampass import opportunities`` on small files: rejects, link modes, owners, dry run, strict,
mappings and the command line."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, UserFactory
from kampass.pipeline.importing import OpportunityImportError, import_opportunities
from kampass.pipeline.models import Opportunity

pytestmark = pytest.mark.django_db

HEADER = "Id,OpportunityName,AccountId,AccountName,AccountIndustry,Amount,CloseDate,StageName,Stage,IsClosed,IsWon,Probability,OpportunityOwner,LeadSource,ForecastCategory,CreatedDate\n"  # noqa: E501
OPENED = "2029-01-02"


def write(tmp_path: Path, *lines: str, name: str = "opps.csv") -> Path:
    """The rows under HEADER, each opened on OPENED (kampass never invents an opened date)."""
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{line},{OPENED}\n" for line in lines), encoding="utf-8")
    return path


GOOD = [
    "O1,Retrofit,A1,Acme,Machinery,1000,2030-01-31,Negotiation,Negotiation,false,false,90,Courtney Brown,Reseller,"
    "Commit",
    "O2,Service,A1,Acme,Machinery,250.5,2029-06-30,Closed Won,Closed Won,true,true,100,Ann Jones,Reseller,Closed",
    "O3,Spares,A2,Beta AG,Retail,80,2029-05-01,Closed Lost,Closed Lost,true,false,0,Ann Jones,Other,Omitted",
]


def test_rows_with_bad_values_are_rejected_with_file_row_column_value_and_reason(admin_user, tmp_path):
    # given accounts that exist by external id
    AccountFactory(name="Acme", external_id="A1")
    path = write(
        tmp_path,
        GOOD[0],
        "O4,Bad amount,A1,Acme,Machinery,12x,2030-01-31,Qualification,Qualification,false,false,20,,,",
        "O5,Bad date,A1,Acme,Machinery,-10,31.02.2030,Qualification,Qualification,false,false,20,,,",
        "O6,Bad stage,A1,Acme,Machinery,10,2030-01-31,Dreaming,Dreaming,false,false,20,,,",
        "O7,No account,A9,Gone,Machinery,10,2030-01-31,Qualification,Qualification,false,false,20,,,",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path)
    # then
    rejects = {(r.row, r.column, r.value) for r in result.rejects}
    assert rejects == {(3, "Amount", "12x"), (4, "Amount", "-10"), (5, "StageName", "Dreaming"),
                       (6, "AccountId", "A9")}  # fmt: skip
    # a bad optional value (the close date) leaves the field empty with a warning, not a reject
    assert [(w.row, w.column, w.value) for w in result.warnings] == [(4, "CloseDate", "31.02.2030")]
    assert all(r.file == "opps.csv" and r.reason for r in result.rejects)
    assert result.created == 1
    assert list(Opportunity.objects.values_list("external_id", flat=True)) == ["O1"]


def test_strict_and_dry_run_write_nothing(admin_user, tmp_path):
    AccountFactory(name="Acme", external_id="A1")
    path = write(tmp_path, GOOD[0], "O4,Bad amount,A1,Acme,Machinery,12x,2030-01-31,Qualification,X,false,false,20,,,")
    assert not import_opportunities(actor=admin_user, path=path, strict=True).committed
    assert not import_opportunities(actor=admin_user, path=path, dry_run=True).committed
    assert not Opportunity.objects.exists()


def test_link_create_makes_missing_accounts_and_owners_link_to_users_by_name(admin_user, tmp_path):
    # given an existing top-level account named like one in the file but with another id, and a user
    AccountFactory(name="Beta AG", external_id="other")
    courtney = UserFactory(first_name="Courtney", last_name="Brown", username="cbrown")
    path = write(tmp_path, *GOOD)
    # when
    result = import_opportunities(actor=admin_user, path=path, link="create")
    # then
    assert result.accounts_created == 2
    acme = Account.objects.get(external_id="A1")
    assert (acme.name, acme.industry) == ("Acme", "Machinery")
    assert Account.objects.get(external_id="A2").name == "Beta AG (A2)"
    o1, o2, o3 = Opportunity.objects.order_by("external_id")
    assert o1.owner == courtney
    assert o2.owner is None
    assert o2.owner_name == "Ann Jones"
    assert result.owners_unlinked == ["Ann Jones"]
    # outcome, stage mapping, amounts, forecast category, owner's probability only for open deals
    assert (o1.stage.name, o1.outcome, o1.owner_probability, o1.forecast_category) == (
        "Negotiation/Review", "open", 90, "commit",
    )  # fmt: skip
    assert (o2.outcome, o2.amount, o2.owner_probability, str(o2.closed_on)) == ("won", Decimal("250.50"), None,
                                                                                 "2029-06-30")  # fmt: skip
    assert o3.outcome == "lost"


def test_link_name_matches_accounts_by_name(admin_user, tmp_path):
    AccountFactory(name="ACME", external_id="")
    path = write(tmp_path, GOOD[0])
    result = import_opportunities(actor=admin_user, path=path, link="name")
    assert result.created == 1
    assert Opportunity.objects.get().account.name == "ACME"


def test_a_user_mapping_file_and_a_missing_column(admin_user, tmp_path):
    AccountFactory(name="Acme", external_id="K-1")
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        "name: crm\nsource: crm\ncolumns:\n  external_id: Nr\n  name: Titel\n  account_id: Kunde\n"
        "  amount: Betrag\n  stage: Phase\n  created_date: Erstellt\n"
        "default_currency: CHF\ndate_formats: ['%d.%m.%Y']\n"
        "stages: {Angebot: Proposal/Price Quote}\n",
        encoding="utf-8",
    )
    path = tmp_path / "crm.csv"
    path.write_text("Nr;Titel;Kunde;Betrag;Phase;Erstellt\n7;Umbau;K-1;1.234,50;Angebot;02.01.2029\n", encoding="utf-8")
    result = import_opportunities(actor=admin_user, path=path, mapping=mapping)
    o = Opportunity.objects.get()
    assert (result.created, o.source, o.amount, o.currency, o.stage.name) == (
        1, "crm", Decimal("1234.50"), "CHF", "Proposal/Price Quote",
    )  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("Nr;Titel\n1;x\n", encoding="utf-8")
    with pytest.raises(OpportunityImportError, match="missing column"):
        import_opportunities(actor=admin_user, path=bad, mapping=mapping)


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_and_admin_import(request, role, tmp_path):
    with pytest.raises(PermissionDenied):
        import_opportunities(actor=request.getfixturevalue(role), path=write(tmp_path, *GOOD))


def test_command_refuses_contradictions_and_imports_with_prefer(admin_user, tmp_path):
    AccountFactory(name="Acme", external_id="A1")
    path = write(
        tmp_path,
        GOOD[0],
        "O8,Odd,A1,Acme,Machinery,10,2030-01-31,Closed Won,Proposal/Quote,false,false,75,,,Best Case",
    )
    out = StringIO()
    with pytest.raises(CommandError, match="--prefer"):
        call_command("import", "opportunities", str(path), stdout=out)
    text = out.getvalue()
    assert "row,Id,StageName,IsClosed,IsWon,rule" in text
    assert "3,O8,Closed Won,false,false" in text
    assert not Opportunity.objects.exists()
    out = StringIO()
    call_command("import", "opportunities", str(path), "--prefer", "flags", "--json", stdout=out)
    outcome = json.loads(out.getvalue())
    assert outcome["created"] == 2
    assert outcome["contradictions"] == 1
    assert outcome["committed"] is True
    odd = Opportunity.objects.get(external_id="O8")
    assert (odd.outcome, odd.stage.name, odd.owner_probability) == ("open", "Proposal/Price Quote", 75)


def test_contradiction_report_neutralises_formulas(admin_user, tmp_path):
    # given contradictory rows whose id a spreadsheet would run as a formula
    AccountFactory(name="Acme", external_id="A1")
    path = write(
        tmp_path,
        '"=HYPERLINK(""http://x"",""y"")",Odd,A1,Acme,Machinery,10,2030-01-31,Closed Won,Proposal/Quote,false,false,'
        "75,,,Best Case",
        "@SUM(1),Odd,A1,Acme,Machinery,10,2030-01-31,Closed Won,Proposal/Quote,false,false,75,,,Best Case",
    )
    report = tmp_path / "report.csv"
    # when
    with pytest.raises(CommandError):
        call_command("import", "opportunities", str(path), "--report", str(report), stdout=StringIO())
    # then
    rows = list(csv.DictReader(report.open(encoding="utf-8", newline="")))
    assert [r["Id"] for r in rows] == ['\'=HYPERLINK("http://x","y")', "'@SUM(1)"]
    assert rows[0]["row"] == "2"
