"""`kampass backup` and `kampass restore` as an administrator runs them: separate processes, real data directories."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

KAMPASS = str(Path(sys.executable).with_name("kampass"))

pytestmark = pytest.mark.database


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KAMPASS, *args], env=env, capture_output=True, text=True, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`kampass serve` on a data directory, for as long as the with-block lasts."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [KAMPASS, "serve", "--no-migrate", "--no-worker", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def __enter__(self) -> Server:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=5).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("kampass serve did not answer")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)

    def get_json(self, path: str, token: str) -> object:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())


@pytest.fixture(scope="module")
def installation(
    tmp_path_factory: pytest.TempPathFactory, demo_home: Callable[[Path], dict[str, str]]
) -> tuple[dict[str, str], str]:
    """A data directory with the demo data (a copy of ``demo_home``) and an API token of the head of KAM."""
    env = demo_home(tmp_path_factory.mktemp("source") / "home")
    token = run(env, "token", "create", "head")
    assert token.returncode == 0, token.stderr
    return env, token.stdout.strip()


@pytest.mark.own_sqlite
def test_a_backup_taken_while_serving_restores_to_the_same_figures_and_objects(installation, tmp_path, env_of):
    source, token = installation
    backup = tmp_path / "kampass-backup.tar.gz"
    # given a running installation: the backup is taken while it serves
    with Server(source) as server:
        taken = run(source, "backup", str(backup))
        accounts_before = server.get_json("/api/v1/accounts?limit=500", token)
    assert taken.returncode == 0, taken.stderr
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only
    # when it is restored onto a fresh data directory
    target = env_of(tmp_path / "restored")
    restored = run(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    # then the figures and the objects are the same
    before = run(source, "analyze", "profitability", "--json")
    after = run(target, "analyze", "profitability", "--json")
    assert before.returncode == 0, before.stderr
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert json.loads(before.stdout)["accounts"]  # the comparison is not between two empty reports
    with Server(target) as server:
        assert server.get_json("/api/v1/accounts?limit=500", token) == accounts_before
    assert accounts_before["count"] > 0  # type: ignore[index]


@pytest.mark.own_sqlite
def test_restore_refuses_an_installation_that_holds_data(installation, tmp_path):
    source, _token = installation
    backup = tmp_path / "b.tar.gz"
    assert run(source, "backup", str(backup)).returncode == 0
    # when restoring onto the installation that holds data, without --force
    refused = run(source, "restore", str(backup))
    # then nothing is replaced and the message says what to do
    assert refused.returncode != 0
    assert "--force" in refused.stderr


@pytest.mark.own_sqlite
def test_restore_refuses_a_file_that_is_no_backup_and_unsafe_entries(tmp_path, env_of):
    target = env_of(tmp_path / "target")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    out = run(target, "restore", str(junk))
    assert out.returncode != 0
    assert "not a kampass backup" in out.stderr
    # an archive with a path that climbs out of the restore directory
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        data = b"{}"
        info = tarfile.TarInfo("../../outside.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    out = run(target, "restore", str(evil))
    assert out.returncode != 0
    assert "unsafe" in out.stderr
    assert not (tmp_path / "outside.txt").exists()


# ---------------------------------------------------------------- PostgreSQL


def _postgres_server() -> str:
    """``user@host:port`` of the PostgreSQL server of ``make test-postgres`` (its ``DATABASE_URL``)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("a PostgreSQL installation's backup runs in `make test-postgres` (DATABASE_URL=postgres://...)")
    return url.split("://", 1)[1].rsplit("/", 1)[0]


@pytest.fixture
def postgres_databases() -> Iterator[Callable[[str], str]]:
    """Create throw-away databases on the server of ``DATABASE_URL``; returns their URLs; drops them after."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    server = _postgres_server()
    try:
        admin = psycopg.connect(f"postgresql://{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {server} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {server} is not reachable: {exc}")
    created: list[str] = []

    def create(purpose: str) -> str:
        name = f"kampass_backup_{purpose}_{uuid.uuid4().hex[:10]}"
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return f"postgres://{server}/{name}"

    try:
        yield create
    finally:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.mark.postgres
@pytest.mark.parametrize("analytics", ["duckdb", "postgres"])
def test_a_postgresql_installation_backed_up_while_serving_restores_to_the_same_figures_and_objects(
    postgres_databases, tmp_path, analytics, env_of
):
    # given: an installation on PostgreSQL (its analytics store embedded, or on PostgreSQL too) with the demo data
    source = env_of(tmp_path / "source")
    source["DATABASE_URL"] = postgres_databases("source")
    target = env_of(tmp_path / "restored")
    target["DATABASE_URL"] = postgres_databases("target")
    if analytics == "postgres":
        source["KAMPASS_ANALYTICS_URL"] = postgres_databases("source_facts")
        target["KAMPASS_ANALYTICS_URL"] = postgres_databases("target_facts")
    for args in (("migrate", "-v", "0"), ("demo",)):
        done = run(source, *args)
        assert done.returncode == 0, done.stderr
    created = run(source, "token", "create", "head")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    backup = tmp_path / "kampass-backup.tar.gz"

    # when: the backup is taken while the installation serves, and restored into a fresh database and directory
    with Server(source) as server:
        taken = run(source, "backup", str(backup))
        accounts_before = server.get_json("/api/v1/accounts?limit=500", token)
    assert taken.returncode == 0, taken.stderr
    restored = run(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    # then: the same figures and objects, and the token works on the restored installation
    with tarfile.open(backup) as archive:
        names = set(archive.getnames())
    assert "database.pgdump" in names
    assert ("analytics.pgdump" if analytics == "postgres" else "analytics.duckdb") in names
    before = run(source, "analyze", "profitability", "--json")
    after = run(target, "analyze", "profitability", "--json")
    assert before.returncode == 0, before.stderr
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert json.loads(before.stdout)["accounts"]  # the comparison is not between two empty reports
    with Server(target) as server:
        assert server.get_json("/api/v1/accounts?limit=500", token) == accounts_before
    assert accounts_before["count"] > 0  # type: ignore[index]
