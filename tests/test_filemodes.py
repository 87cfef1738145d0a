"""Data files are not for other users of the machine: whatever kampass writes into its data directory is
0640 at most (directories 0750); uploads, backups and the secret key are 0600 (uploads' directory 0700).

The processes start with a permissive umask (0000, as a careless service unit might give them), so the
modes come from kampass itself, not from the test runner's umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kampass.common.filemodes import PRIVATE_DIR, PRIVATE_FILE, UMASK, restrict_umask

KAMPASS = str(Path(sys.executable).with_name("kampass"))

# the CLI's processes open their own SQLite database
pytestmark = pytest.mark.database

OPEN_STORE = "from kampass.common.analytics import analytics_store\nwith analytics_store() as store: pass"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(home: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["KAMPASS_HOME"] = str(home)
    result = subprocess.run(
        [KAMPASS, *args], env=env, capture_output=True, text=True, check=False, preexec_fn=lambda: os.umask(0)
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.own_sqlite
def test_the_data_directory_and_everything_in_it_is_closed_to_others(tmp_path):
    home = tmp_path / "home"

    # when a new installation is migrated, its analytics store opened (which publishes a snapshot)
    # and backed up, by processes started with umask 0000
    _run(home, "migrate", "-v", "0")
    _run(home, "shell", "-c", OPEN_STORE)
    backup = tmp_path / "backups" / "kampass.tar.gz"
    _run(home, "backup", str(backup))

    # then the data directory, the database, the analytics store and its snapshots grant others nothing
    # and the group no writing
    created = [home, *home.rglob("*")]
    names = {p.relative_to(home).as_posix() for p in created if p != home}
    assert {"kampass.sqlite3", "analytics.duckdb", "secret_key"} <= names, names
    assert any(name.startswith("analytics.duckdb.snapshots/") for name in names), names
    too_open = {p.as_posix(): oct(_mode(p)) for p in created if _mode(p) & UMASK and not p.is_symlink()}
    assert too_open == {}
    # and the secret key and the backup are the owner's alone
    assert _mode(home / "secret_key") == PRIVATE_FILE
    assert _mode(backup) == PRIVATE_FILE


def test_an_uploaded_file_is_the_owners_alone(head, settings, tmp_path):
    from kampass.commercial.services import import_job_create

    # given a process with a permissive umask (restored afterwards)
    source = tmp_path / "lines.csv"
    source.write_text("InvoiceNo,StockCode\n1,A\n")
    old = os.umask(0)
    try:
        # when a file is uploaded for import
        job = import_job_create(actor=head, source=source, original_name="lines.csv", enqueue=False)
    finally:
        os.umask(old)

    # then the file and its directory are readable by kampass's user only
    uploaded = Path(job.file_path)
    assert _mode(uploaded) == PRIVATE_FILE
    assert _mode(uploaded.parent) == PRIVATE_DIR


def test_restricting_the_umask_keeps_a_stricter_one():
    old = os.umask(0o077)
    try:
        restrict_umask()
        assert os.umask(0o077) == 0o077
        os.umask(0)
        restrict_umask()
        assert os.umask(0) == UMASK
    finally:
        os.umask(old)
