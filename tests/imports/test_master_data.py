"""The master-data imports (``kampass import accounts|contacts|users|org-units|teams``) end to end:
the JSON contract, dry run = real run rolled back, rejects with every reason, idempotent re-runs,
hierarchies in one file, English and German headers and country names, XLSX, permissions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kampass.accounts.models import Account, BuyingCentreMember, Contact, Position, TeamMember
from kampass.common.imports.framework import ColumnMapping, ImportRefused, run_import
from kampass.common.imports.registry import importer_for
from kampass.users.models import OrgUnit, Role, User

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {"created", "updated", "unchanged", "rejected", "rejects"}


def run_cli(*args: str) -> dict:
    out = io.StringIO()
    call_command("import", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ACCOUNTS = """Account ID;Account Name;Parent Account;Land;Branche;Währung
S1;Müller Schweiz AG;G1;Schweiz;Chemicals;CHF
G1;Müller Gruppe;;Deutschland;Chemicals;EUR
S2;Müller France;Müller Gruppe;FR;Chemicals;EUR
S3;Bad Land AG;G1;Narnia;X;EUR
S4;Orphan AG;ZZZ;;;XXX
"""


def test_accounts_with_their_hierarchy_in_one_file(tmp_path):
    # given: a child before its parent, the parent once by id and once by name, German headers and countries
    path = write(tmp_path, "accounts.csv", ACCOUNTS)

    # when
    outcome = run_cli("accounts", str(path))

    # then
    assert set(outcome) >= CONTRACT_KEYS
    assert (outcome["created"], outcome["updated"], outcome["unchanged"], outcome["rejected"]) == (3, 0, 0, 2)
    group = Account.objects.get(external_id="G1")
    assert group.country == "DE"
    assert group.parent is None
    swiss = Account.objects.get(external_id="S1")
    assert (swiss.parent, swiss.country.code, swiss.currency) == (group, "CH", "CHF")
    assert Account.objects.get(external_id="S2").parent == group
    assert swiss.path.startswith(group.path)


@pytest.mark.parametrize(
    "header",
    ["Übergeordnet", "Übergeordneter Account", "Konzern", "parent_external_id", "PARENT ACCOUNT ID", "Parent Name"],
)
def test_the_parent_column_is_found_by_more_header_names(tmp_path, header):
    # given: an export naming the parent column in another usual way (German, snake_case, upper case)
    path = write(
        tmp_path, "accounts.csv", f"Name;Land;{header};Externe ID\nAlpha AG;Schweiz;;A1\nAlpha Süd;CH;Alpha AG;A2\n"
    )
    # when
    outcome = run_cli("accounts", str(path))
    # then: the column is the parent, so the second account sits below the first
    assert outcome["columns"]["parent"] == header
    assert outcome["ignored_columns"] == []
    assert Account.objects.get(external_id="A2").parent == Account.objects.get(external_id="A1")


def test_every_reason_of_a_rejected_row_is_reported_and_the_row_counts_once(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS)

    outcome = run_cli("accounts", str(path))

    by_row: dict[int, list[dict]] = {}
    for reject in outcome["rejects"]:
        by_row.setdefault(reject["row"], []).append(reject)
    assert sorted(by_row) == [5, 6]
    assert [(r["column"], r["value"]) for r in by_row[5]] == [("Land", "Narnia")]
    # row 6: unknown parent and unknown currency, both named; one rejected row
    columns = {(r["column"], r["value"]) for r in by_row[6]}
    assert ("Parent Account", "ZZZ") in columns
    assert outcome["rejected"] == 2
    assert not Account.objects.filter(name__in=["Bad Land AG", "Orphan AG"]).exists()


def test_a_rejected_row_leaves_nothing_behind(tmp_path):
    # given: the currency is checked by the model after the row passed the importer's own checks
    path = write(tmp_path, "accounts.csv", "Account ID,Account Name,Currency\nX1,Bad Currency AG,XXX\n")

    outcome = run_cli("accounts", str(path))

    assert outcome["rejected"] == 1
    assert outcome["rejects"][0]["column"] == "Currency"
    assert not Account.objects.filter(external_id="X1").exists()


def test_the_dry_run_checks_what_the_real_run_checks_and_stores_nothing(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS)

    dry = run_cli("accounts", str(path), "--dry-run")
    assert not Account.objects.exists()
    real = run_cli("accounts", str(path))

    # the dry run resolved the children's parent from a row of the same file, like the real run
    keys = ("created", "updated", "unchanged", "rejected")
    assert [dry[k] for k in keys] == [real[k] for k in keys]
    assert dry["rejects"] == real["rejects"]
    assert dry["dry_run"]
    assert not dry["committed"]
    assert real["committed"]


def test_a_second_run_changes_nothing_and_a_changed_value_updates(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS)
    run_cli("accounts", str(path))
    count = Account.objects.count()

    again = run_cli("accounts", str(path))
    changed = run_cli("accounts", str(write(tmp_path, "b.csv", ACCOUNTS.replace("FR;Chemicals", "BE;Pharma"))))

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert Account.objects.count() == count
    assert Account.objects.get(external_id="S2").country == "BE"


def test_strict_stores_nothing_when_a_row_is_rejected(tmp_path):
    path = write(tmp_path, "accounts.csv", ACCOUNTS)

    outcome = run_cli("accounts", str(path), "--strict")

    assert outcome["rejected"] == 2
    assert not outcome["committed"]
    assert not Account.objects.exists()


def test_snake_case_headers_and_an_xlsx_workbook(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["external_id", "account_name", "country", "kam_status"])
    sheet.append(["A1", "Acme AG", "Germany", "Key account"])
    sheet.append(["A2", "Beta GmbH", "Österreich", "key_account"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)

    outcome = run_cli("accounts", str(path))

    assert outcome["created"] == 2, outcome
    assert {a.country.code for a in Account.objects.all()} == {"DE", "AT"}
    assert set(Account.objects.values_list("kam_status", flat=True)) == {"key_account"}


def test_a_missing_required_column_refuses_the_file_and_names_the_columns(tmp_path):
    path = write(tmp_path, "accounts.csv", "Kundennummer,Ort\n1,Bern\n")

    with pytest.raises(CommandError, match=r"no column for name .*Kundennummer, Ort"):
        run_cli("accounts", str(path))


def test_a_salesforce_account_export_with_its_built_in_mapping(tmp_path):
    path = write(
        tmp_path,
        "Account.csv",
        "Id,Name,ParentId,Industry,BillingCountry,CurrencyIsoCode\n"
        "001A,Globex Holding,,Energy,United States,USD\n"
        "001B,Globex Europe,001A,Energy,Germany,EUR\n",
    )

    outcome = run_cli("accounts", str(path), "--mapping", "salesforce")

    assert outcome["created"] == 2
    assert outcome["columns"]["parent"] == "ParentId"
    assert Account.objects.get(external_id="001B").parent.external_id == "001A"


def test_a_yaml_mapping_file_names_the_columns(tmp_path):
    mapping = write(
        tmp_path,
        "m.yaml",
        "kind: accounts\nname: erp\nsuggest: false\ncolumns:\n  external_id: KDNR\n  name: Bezeichnung\n",
    )
    path = write(tmp_path, "a.csv", "KDNR,Bezeichnung,Land\n7,Seven AG,CH\n")

    outcome = run_cli("accounts", str(path), "--mapping", str(mapping))

    # suggest: false -> only the named columns are read
    assert outcome["columns"] == {"external_id": "KDNR", "name": "Bezeichnung"}
    assert Account.objects.get(external_id="7").country == ""


def test_org_units_users_with_managers_and_teams(tmp_path, admin_user):
    units = write(
        tmp_path, "units.csv", "Name,Code,Land,Parent\nNorth,N,DE,Sales Germany\nSales Germany,DE,Deutschland,\n"
    )
    users = write(
        tmp_path,
        "users.csv",
        "Username,E-Mail,Vorname,Nachname,Rolle,Org unit,Vorgesetzter,Aktiv\n"
        "anna,anna@example.com,Anna,Adler,Key-Account-Manager,N,boss@example.com,ja\n"
        "boss,boss@example.com,Bea,Boss,Head of KAM,DE,,ja\n"
        "carl,carl@example.com,Carl,Clerk,Wizard,N,nobody,vielleicht\n",
    )
    run_cli("accounts", str(write(tmp_path, "a.csv", "Account ID,Account Name\nK1,Kappa AG\n")))
    teams = write(
        tmp_path,
        "teams.csv",
        "Account,User,Team role\nK1,anna,Key account manager\nKappa AG,Bea Boss,Executive sponsor\nK1,ghost,Sales\n",
    )

    unit_outcome = run_cli("org-units", str(units))
    user_outcome = run_cli("users", str(users))
    team_outcome = run_cli("teams", str(teams))

    assert (unit_outcome["created"], unit_outcome["rejected"]) == (2, 0)
    assert OrgUnit.objects.get(code="N").parent.name == "Sales Germany"
    assert (user_outcome["created"], user_outcome["rejected"]) == (2, 1)
    anna = User.objects.get(username="anna")
    assert (anna.role, anna.org_unit.code, anna.manager.username) == (Role.KAM, "N", "boss")
    assert not anna.has_usable_password()
    carl_reasons = {r["column"] for r in user_outcome["rejects"]}
    assert carl_reasons == {"Rolle", "Vorgesetzter", "Aktiv"}
    assert (team_outcome["created"], team_outcome["rejected"]) == (2, 1)
    assert TeamMember.objects.get(user=anna).role == "kam"
    assert TeamMember.objects.get(user__username="boss").role == "executive_sponsor"
    assert run_cli("teams", str(teams))["unchanged"] == 2


def test_contacts_with_positions_and_buying_roles(tmp_path):
    run_cli("accounts", str(write(tmp_path, "a.csv", "Account ID,Account Name\nK1,Kappa AG\n")))
    path = write(
        tmp_path,
        "contacts.csv",
        "Contact ID,First Name,Last Name,Email,Account,Title,Buying roles\n"
        "C1,Dora,Decker,dora@kappa.example,K1,CPO,Entscheider; economic_buyer\n"
        "C2,Emil,Ernst,emil@kappa.example,K1,Engineer,Wizard\n"
        "C3,Fritz,Frei,fritz@kappa.example,,,\n",
    )

    outcome = run_cli("contacts", str(path))
    again = run_cli("contacts", str(path))

    assert (outcome["created"], outcome["rejected"]) == (2, 1)
    dora = Contact.objects.get(external_id="C1")
    assert Position.objects.get(contact=dora).title == "CPO"
    assert sorted(BuyingCentreMember.objects.get(contact=dora).roles) == ["decider", "economic_buyer"]
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_a_kam_may_not_import_users_and_the_cli_acts_as_the_named_user(tmp_path, kam, monkeypatch):
    monkeypatch.setenv("KAMPASS_AS_USER", kam.username)
    path = write(tmp_path, "users.csv", "Username,Role\nzed,viewer\n")

    with pytest.raises(CommandError, match="permission"):
        run_cli("users", str(path))
    outcome = run_cli("accounts", str(write(tmp_path, "a.csv", "Account Name\nKam Own AG\n")))

    assert outcome["created"] == 1
    account = Account.objects.get(name="Kam Own AG")
    assert account.history.latest().history_user == kam
    assert TeamMember.objects.filter(account=account, user=kam).exists()


def test_without_as_the_work_is_the_system_users(tmp_path, admin_user, monkeypatch):
    monkeypatch.delenv("KAMPASS_AS_USER", raising=False)
    run_cli("accounts", str(write(tmp_path, "a.csv", "Account Name\nSys AG\n")))

    assert Account.objects.get(name="Sys AG").history.latest().history_user is None


def test_control_characters_reject_the_row(tmp_path):
    path = write(tmp_path, "a.csv", "Account Name\nEvil\u202eAG\nGood AG\n")

    outcome = run_cli("accounts", str(path))

    assert (outcome["created"], outcome["rejected"]) == (1, 1)
    assert "U+202E" in outcome["rejects"][0]["reason"]


def test_an_unknown_mapping_is_refused_with_the_known_ones(tmp_path, head):
    from kampass.common.imports.mappings import mapping_named

    importer = importer_for("accounts")
    with pytest.raises(ImportRefused, match="generic, salesforce, hubspot"):
        mapping_named(importer, "nope")
    # and the framework refuses a user who may not import at all
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(
            importer_for("org-units"),
            actor=head,
            path=write(tmp_path, "u.csv", "Name\nX\n"),
            mapping=ColumnMapping("generic"),
        )


def test_products_become_product_group_rules_the_whitespace_reads(tmp_path, head, monkeypatch):
    from kampass.screening.models import ProductGroupRule

    monkeypatch.setenv("KAMPASS_AS_USER", head.username)
    path = write(
        tmp_path,
        "products.csv",
        "Artikelnummer;Warengruppe;Art\n85123A;Candles;\n851;Home decor;prefix\nGifts;Gifts;Product group column\n"
        ";Empty;\n99;X;wizard\n",
    )

    outcome = run_cli("products", str(path))
    again = run_cli(
        "products", str(write(tmp_path, "p2.csv", "StockCode,Product group\n85123A,Lights\n851,Home decor\n"))
    )

    assert (outcome["created"], outcome["rejected"]) == (3, 2)
    assert {(r.kind, r.pattern, r.group) for r in ProductGroupRule.objects.all()} == {
        ("prefix", "85123A", "Lights"), ("prefix", "851", "Home decor"), ("category", "Gifts", "Gifts"),
    }  # fmt: skip
    assert (again["updated"], again["unchanged"]) == (1, 1)
    assert {r["column"] for r in outcome["rejects"]} == {"Artikelnummer", "Art"}


def test_a_kam_may_not_import_products(tmp_path, kam, monkeypatch):
    monkeypatch.setenv("KAMPASS_AS_USER", kam.username)

    with pytest.raises(CommandError, match="permission"):
        run_cli("products", str(write(tmp_path, "p.csv", "SKU,Family\n1,A\n")))


def test_columns_no_field_reads_are_named_not_dropped_silently(tmp_path):
    # given: a column kampass has no field for, and one whose name it does not know
    path = write(tmp_path, "accounts.csv", "Name;Land;Mother ship;Lieblingsfarbe\nAlpha AG;CH;;blau\n")
    # when
    outcome = run_cli("accounts", str(path))
    # then the JSON names them, and so does the text summary
    assert outcome["ignored_columns"] == ["Mother ship", "Lieblingsfarbe"]
    out = io.StringIO()
    call_command("import", "accounts", str(path), "--dry-run", stdout=out)
    assert "Columns not read: Mother ship, Lieblingsfarbe" in out.getvalue()


def test_the_text_output_speaks_the_language_of_the_user_it_runs_as(tmp_path, monkeypatch, head):
    # given a file with a good and a bad row, run as a head of KAM who reads German
    path = write(tmp_path, "accounts.csv", "Name;Land\nAlpha AG;CH\n;Atlantis\n")
    head.language = "de"
    head.save(update_fields=["language"])
    monkeypatch.setenv("KAMPASS_AS_USER", head.username)
    out = io.StringIO()
    call_command("import", "accounts", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    # then the summary and the reasons are German
    assert "accounts.csv: würde 1 anlegen, 0 aktualisieren, unverändert 0, abgewiesen 1 von 2 Zeilen." in text
    assert "  Zeile 3, Land „Atlantis“:" in text
    assert "row " not in text
    # and the JSON output keeps the default language for the scripts that read it
    assert run_cli("accounts", str(path), "--dry-run")["rejects"][0]["reason"] == "the name is empty"
    # without --as (the system user) the text stays English
    monkeypatch.delenv("KAMPASS_AS_USER")
    out = io.StringIO()
    call_command("import", "accounts", str(path), "--dry-run", stdout=out)
    assert "accounts.csv: would create 1, would update 0, unchanged 0, rejected 1 of 2 rows." in out.getvalue()
