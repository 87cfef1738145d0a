"""The ``kampass`` console script as a user runs it: separate processes, a fresh data directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

KAMPASS = str(Path(sys.executable).with_name("kampass"))

# the CLI's processes open their own SQLite database: these tests are database-backed (not in `make test-fast`)
pytestmark = [pytest.mark.database, pytest.mark.own_sqlite]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["KAMPASS_HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory migrated once by ``kampass migrate`` (each test gets a copy of it)."""
    home = tmp_path_factory.mktemp("migrated") / "home"
    subprocess.run([KAMPASS, "migrate", "-v", "0"], env=_env(home), check=True)
    return home


@pytest.fixture
def home(migrated: Path, tmp_path: Path) -> dict[str, str]:
    """A fresh data directory of its own: a copy of the migrated one (database and secret key)."""
    own = tmp_path / "home"
    shutil.copytree(migrated, own)
    return _env(own)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KAMPASS, *args], env=env, capture_output=True, text=True, check=False)


def test_createuser_and_token_create_prints_only_the_token(home):
    created = run(home, "createuser", "anna", "--role", "kam", "--password", "Str0ng-Passw0rd!")
    assert created.returncode == 0, created.stderr
    out = run(home, "token", "create", "anna")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kp_")
    assert len(lines[0]) > 30


def test_token_create_for_unknown_user_fails_clearly(home):
    out = run(home, "token", "create", "nobody")
    assert out.returncode != 0
    assert "nobody" in out.stderr


def test_createuser_refuses_weak_password(home):
    out = run(home, "createuser", "bob", "--role", "viewer", "--password", "123")
    assert out.returncode != 0
    assert "password" in out.stderr.lower()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_login_page_and_static_files(home):
    port = _free_port()
    proc = subprocess.Popen(
        [KAMPASS, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        deadline = time.monotonic() + 180  # a loaded machine needs long to start gunicorn and Django
        while not body and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.5)
        assert "id_username" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/kampass/kampass.css", timeout=5) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/vega/vega-embed.min.js", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
