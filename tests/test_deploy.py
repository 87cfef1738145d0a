"""``kampass check --deploy`` is clean in the production configuration README.md documents (section
"Production"), run as an administrator runs it: a separate process with that environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KAMPASS = str(Path(sys.executable).with_name("kampass"))

#: the environment of README.md's "Production" section (the host name is an example)
PRODUCTION = {
    "KAMPASS_HTTPS": "true",
    "KAMPASS_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "KAMPASS_ALLOWED_HOSTS": "kampass.example.com",
    "KAMPASS_CSRF_TRUSTED_ORIGINS": "https://kampass.example.com",
}


def _check_deploy(home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' conftest when xdist runs them in the same worker
    harness = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPASS_") and k not in harness}
    env.update(KAMPASS_HOME=str(home), **extra)
    return subprocess.run(
        [KAMPASS, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_documented_production_configuration_passes_the_deploy_check(tmp_path, database):
    extra = {"DATABASE_URL": "postgres://kampass@db.example.com/kampass"} if database == "postgres" else {}

    # when
    result = _check_deploy(tmp_path / "home", **PRODUCTION, **extra)

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_without_the_production_settings_the_deploy_check_warns(tmp_path):
    # when: the local defaults (plain HTTP on 127.0.0.1)
    result = _check_deploy(tmp_path / "home")

    # then: the check says what production needs
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout
