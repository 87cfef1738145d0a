"""Fixtures of the tests that run ``kampass`` as separate processes on a data directory of their own."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

KAMPASS = str(Path(sys.executable).with_name("kampass"))


def kampass_env(home: Path) -> dict[str, str]:
    """The environment of a ``kampass`` process on the data directory ``home``: SQLite and DuckDB there,
    whatever the test run's own database and analytics store are."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.pop("KAMPASS_ANALYTICS_URL", None)
    env["KAMPASS_HOME"] = str(home)
    return env


@pytest.fixture
def env_of() -> Callable[[Path], dict[str, str]]:
    """:func:`kampass_env` for a test: the environment of a ``kampass`` process on a data directory."""
    return kampass_env


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict[str, str]]:
    """Copies of one data directory, migrated and holding the whole demo (``kampass migrate`` and
    ``kampass demo``, run once per test run, by the first pytest-xdist worker that asks; the others wait
    for it). Call it with the directory to create; it returns that copy's environment (:func:`kampass_env`).

    A copy is a plain installation of its own: what a test does there (serve, back up, fuzz the API)
    reaches neither the template nor the other tests' copies."""
    base = tmp_path_factory.getbasetemp()
    # the workers' directories (popen-gw0 ...) share the run's directory; one process has it alone
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    template = shared / "demo-home"
    ready = shared / "demo-home.ready"
    with (shared / "demo-home.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(template, ignore_errors=True)
            env = kampass_env(template)
            for args in (("migrate", "-v", "0"), ("demo",)):
                done = subprocess.run([KAMPASS, *args], env=env, capture_output=True, text=True, check=False)
                assert done.returncode == 0, f"kampass {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
            ready.touch()

    def copy(home: Path) -> dict[str, str]:
        shutil.copytree(template, home)
        return kampass_env(home)

    return copy
