"""``--link create`` keeps the account's country and parent when the file has them: a subsidiary named
before its parent, a parent that exists in kampass, a country by German name, a bad country and an unknown
parent each with a warning (never silently replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.importing import import_opportunities

pytestmark = pytest.mark.django_db

HEADER = "Id,Name,AccountId,AccountName,AccountCountry,AccountParent,Amount,StageName,CreatedDate,CloseDate\n"
ROWS = [
    "O1,Retrofit,S1,Sub Schweiz,Schweiz,G1,1000,Prospecting,2029-01-02,2029-06-30",
    "O2,Frame,G1,Group Holding,Deutschland,,2000,Prospecting,2029-01-02,2029-06-30",
    "O3,Spare,S2,Sub Existing,FR,Old Parent AG,3000,Prospecting,2029-01-02,2029-06-30",
    "O4,Pilot,S3,Sub Nowhere,Atlantis,Nobody GmbH,4000,Prospecting,2029-01-02,2029-06-30",
]


def write(tmp_path: Path) -> Path:
    path = tmp_path / "opps.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_created_accounts_keep_country_and_parent(admin_user, tmp_path):
    old_parent = AccountFactory(name="Old Parent AG")

    result = import_opportunities(actor=admin_user, path=write(tmp_path), mapping="generic", link="create")

    assert result.accounts_created == 4
    group = Account.objects.get(external_id="G1")
    swiss = Account.objects.get(external_id="S1")
    assert (group.parent, group.country) == (None, "DE")
    assert (swiss.parent, swiss.country) == (group, "CH")
    assert swiss.path == f"{group.path}{swiss.pk}/"
    assert Account.objects.get(external_id="S2").parent == old_parent
    nowhere = Account.objects.get(external_id="S3")
    assert (nowhere.parent, nowhere.country) == (None, "")
    warned = {(w.row, w.value) for w in result.warnings}
    assert (5, "Atlantis") in warned
    assert (5, "Nobody GmbH") in warned


def test_the_dry_run_creates_none(admin_user, tmp_path):
    result = import_opportunities(
        actor=admin_user, path=write(tmp_path), mapping="generic", link="create", dry_run=True
    )

    assert result.accounts_created == 4
    assert not Account.objects.filter(external_id__in=["G1", "S1", "S2", "S3"]).exists()
