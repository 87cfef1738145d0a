"""``kampass import transactions FILE``: counts, idempotent re-import, strict and dry runs, and the figures
the imported lines produce (checked against quantity x price of the good lines)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kampass.accounts.models import Account
from kampass.commercial.models import CustomerLink, ImportJob
from kampass.commercial.tests.conftest import (
    ONLINE_RETAIL_GOOD,
    money,
    online_retail_pocket,
    online_retail_sample,
    write_online_retail_csv,
)

pytest.importorskip("kampass.core.analytics.ingest")


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import", "transactions", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def totals() -> dict[str, Any]:
    out = StringIO()
    call_command("analyze", "profitability", "--json", stdout=out)
    return json.loads(out.getvalue())["totals"]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return online_retail_sample(tmp_path / "online_retail.csv")


def test_import_counts_lines_and_rejects_and_links_customers(admin_user, sample: Path):
    # when
    outcome = run(str(sample), "--link", "create")
    # then
    assert outcome["lines"] == len(ONLINE_RETAIL_GOOD)
    assert outcome["rejected"] == 1
    assert outcome["already_imported"] is False
    assert outcome["committed"] is True
    assert outcome["customers"] == 2
    assert outcome["customers_linked"] == 2
    assert outcome["unmatched_customers"] == 0
    assert set(CustomerLink.objects.values_list("customer_id", flat=True)) == {"17850", "13047"}
    assert Account.objects.filter(external_id__in=["17850", "13047"]).count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.progress, job.lines, job.rejected) == ("done", 1.0, len(ONLINE_RETAIL_GOOD), 1)


def test_rejects_name_file_row_column_and_value(admin_user, sample: Path, tmp_path: Path):
    # given
    rejects = tmp_path / "rejects.csv"
    # when
    run(str(sample), "--rejects", str(rejects))
    # then
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,row,column,value,reason"
    assert len(lines) == 2
    assert lines[1].startswith("online_retail.csv,7,Quantity,abc,")


def test_figures_after_import_equal_quantity_times_price_of_the_good_lines(admin_user, sample: Path):
    # when
    run(str(sample), "--link", "create")
    figures = totals()
    # then
    assert figures["lines"] == len(ONLINE_RETAIL_GOOD)
    assert figures["pocket_revenue"] == money(online_retail_pocket(ONLINE_RETAIL_GOOD))
    assert figures["leakage"]["returns"] == "3.70"
    assert figures["leakage"]["freight"] == "0.00"


def test_reimport_adds_nothing(admin_user, sample: Path):
    # given
    run(str(sample), "--link", "create")
    before = totals()
    # when
    again = run(str(sample), "--link", "create")
    # then
    assert again["already_imported"] is True
    assert again["committed"] is False
    assert again["lines"] == 0
    assert totals() == before


def test_strict_import_with_a_bad_line_commits_nothing(admin_user, sample: Path):
    # when
    outcome = run(str(sample), "--strict", "--link", "create")
    # then
    assert outcome["rejected"] == 1
    assert outcome["committed"] is False
    assert totals()["lines"] == 0
    assert not CustomerLink.objects.exists()
    # and the file can still be imported once it is fixed or imported without --strict
    assert run(str(sample))["committed"] is True


def test_dry_run_commits_nothing(admin_user, sample: Path):
    # when
    outcome = run(str(sample), "--dry-run", "--link", "create")
    # then
    assert outcome["dry_run"] is True
    assert outcome["committed"] is False
    assert outcome["rejected"] == 1
    assert totals()["lines"] == 0
    assert not CustomerLink.objects.exists()
    assert run(str(sample))["committed"] is True


def test_unlinked_customers_count_as_unassigned(admin_user, tmp_path: Path):
    # given
    path = write_online_retail_csv(tmp_path / "clean.csv", ONLINE_RETAIL_GOOD)
    # when
    outcome = run(str(path), "--link", "none")
    # then
    assert (outcome["lines"], outcome["rejected"], outcome["unmatched_customers"]) == (6, 0, 2)
    out = StringIO()
    call_command("analyze", "profitability", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert [r["account_id"] for r in doc["accounts"]] == [None]
    assert doc["accounts"][0]["pocket_revenue"] == money(online_retail_pocket(ONLINE_RETAIL_GOOD))


def test_import_without_an_administrator_uses_the_cli_actor(db, sample: Path):
    # when: a fresh installation, nobody has signed up yet
    outcome = run(str(sample), "--link", "create")
    # then
    assert outcome["committed"] is True
    assert CustomerLink.objects.count() == 2


def test_missing_file_is_a_command_error(db, tmp_path: Path):
    # when / then
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.csv"))


def test_unknown_mapping_is_a_command_error(db, sample: Path):
    # when / then
    with pytest.raises(CommandError):
        run(str(sample), "--mapping", "no-such-mapping")
