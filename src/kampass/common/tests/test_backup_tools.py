"""Which ``pg_dump``/``pg_restore`` a PostgreSQL backup uses: the server's major version (Debian keeps
each version's client tools in ``/usr/lib/postgresql/<major>/bin``), never an older one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kampass.common import backup
from kampass.common.backup import BackupError, pg_tool


def fake_tool(directory: Path, name: str, major: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.3'\n", encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH directory and versioned directories under tmp_path."""
    monkeypatch.setattr(backup, "PG_BIN_DIRS", str(tmp_path / "lib" / "{major}" / "bin"))
    monkeypatch.setenv("PATH", str(tmp_path / "path") + os.pathsep + "/usr/bin:/bin")
    return tmp_path


def test_the_tool_of_the_servers_version_is_taken_when_installed(tools):
    # given: version 15 beside an older default on the PATH
    exact = fake_tool(tools / "lib" / "15" / "bin", "pg_dump", 15)
    fake_tool(tools / "path", "pg_dump", 13)

    # when / then
    assert pg_tool("pg_dump", 15) == str(exact)


def test_a_newer_tool_on_the_path_is_taken(tools):
    # given
    newer = fake_tool(tools / "path", "pg_restore", 99)

    # when / then: newer client tools read and write older servers' dumps
    assert pg_tool("pg_restore", 15) == str(newer)


def test_an_older_tool_is_refused_naming_both_versions(tools):
    # given
    fake_tool(tools / "path", "pg_dump", 13)

    # when
    with pytest.raises(BackupError) as exc:
        pg_tool("pg_dump", 15)

    # then
    assert "version 13" in str(exc.value)
    assert "postgresql-client-15" in str(exc.value)


def test_this_machine_has_the_tools_of_its_postgresql_server():
    # given: the server in CI is PostgreSQL 15 (Debian 12); its tools must be usable
    if not Path("/usr/lib/postgresql").is_dir():
        pytest.skip("no PostgreSQL installed here")
    majors = sorted(int(p.name) for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit())

    # then
    for major in majors:
        for name in ("pg_dump", "pg_restore"):
            assert pg_tool(name, major) == f"/usr/lib/postgresql/{major}/bin/{name}"
