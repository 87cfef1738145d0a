"""Settings come from the environment (django-environ); the test settings only add speed.

Each test loads ``kampass/config/settings.py`` afresh, as a separate module, with an
environment of its own, so the running Django is not touched.
"""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from types import ModuleType

import pytest

import kampass.config.settings as real_settings

SETTINGS_FILE = Path(real_settings.__file__)
VARIABLES = (
    "KAMPASS_HOME",
    "DATABASE_URL",
    "KAMPASS_SECRET_KEY",
    "KAMPASS_DEBUG",
    "KAMPASS_ALLOWED_HOSTS",
    "KAMPASS_CSRF_TRUSTED_ORIGINS",
    "KAMPASS_LOGIN_FAILURE_LIMIT",
    "KAMPASS_AXES_ENABLED",
    "KAMPASS_TIME_ZONE",
    "KAMPASS_ANALYTICS_URL",
    "KAMPASS_TASKS_BACKEND",
    "KAMPASS_HIGH_INFLUENCE",
    "KAMPASS_LOG_LEVEL",
    "KAMPASS_HTTPS",
    "KAMPASS_SSL_REDIRECT",
    "KAMPASS_SECURE_COOKIES",
    "KAMPASS_HSTS_SECONDS",
    "KAMPASS_HSTS_INCLUDE_SUBDOMAINS",
    "KAMPASS_HSTS_PRELOAD",
    "KAMPASS_REFERRER_POLICY",
    "KAMPASS_PROXY_SSL_HEADER",
    "KAMPASS_SESSION_IDLE_MINUTES",
)


@pytest.fixture
def load(monkeypatch, tmp_path):
    """``load(**env)``: the settings module as an installation with exactly this environment sees it."""

    def do(**env: str) -> ModuleType:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("KAMPASS_HOME", str(tmp_path / "home"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location("kampass_settings_probe", SETTINGS_FILE)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return do


def test_the_defaults_keep_everything_in_the_data_directory(load, tmp_path):
    # when
    s = load()

    # then
    home = (tmp_path / "home").resolve()
    assert home == s.KAMPASS_HOME
    assert (home / "static").is_dir()
    assert home / "static" == s.STATIC_ROOT
    assert s.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s.DATABASES["default"]["NAME"] == str(home / "kampass.sqlite3")
    assert f"duckdb://{home / 'analytics.duckdb'}" == s.KAMPASS_ANALYTICS_URL
    assert s.DEBUG is False
    assert s.ALLOWED_HOSTS == ["127.0.0.1", "localhost", "[::1]"]  # no "testserver": the test settings add it
    assert s.TIME_ZONE == "Europe/Zurich"
    assert (s.AXES_ENABLED, s.AXES_FAILURE_LIMIT) == (True, 10)
    assert s.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert s.KAMPASS_HIGH_INFLUENCE == 7
    assert s.LOGGING["root"]["level"] == "WARNING"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_immediate_transactions(load):
    # when
    options = load().DATABASES["default"]["OPTIONS"]

    # then
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA foreign_keys=ON" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20


def test_a_postgresql_url_selects_postgresql_without_the_sqlite_options(load):
    # when
    db = load(DATABASE_URL="postgres://kam:secret@db.example.com:5433/kampass").DATABASES["default"]

    # then
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "kampass",
        "kam",
        "secret",
        "db.example.com",
        5433,
    )
    assert "init_command" not in db.get("OPTIONS", {})


def test_every_other_setting_follows_its_variable(load):
    # when
    s = load(
        KAMPASS_DEBUG="true",
        KAMPASS_ALLOWED_HOSTS="kam.example.com,intra.example.com",
        KAMPASS_CSRF_TRUSTED_ORIGINS="https://kam.example.com",
        KAMPASS_LOGIN_FAILURE_LIMIT="4",
        KAMPASS_AXES_ENABLED="false",
        KAMPASS_TIME_ZONE="Europe/Berlin",
        KAMPASS_ANALYTICS_URL="postgres://warehouse/facts",
        KAMPASS_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        KAMPASS_HIGH_INFLUENCE="9",
        KAMPASS_LOG_LEVEL="INFO",
    )

    # then
    assert s.DEBUG is True
    assert s.WHITENOISE_AUTOREFRESH is True
    assert s.ALLOWED_HOSTS == ["kam.example.com", "intra.example.com"]
    assert s.CSRF_TRUSTED_ORIGINS == ["https://kam.example.com"]
    assert (s.AXES_FAILURE_LIMIT, s.AXES_ENABLED) == (4, False)
    assert s.TIME_ZONE == "Europe/Berlin"
    assert s.KAMPASS_ANALYTICS_URL == "postgres://warehouse/facts"
    assert s.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert s.KAMPASS_HIGH_INFLUENCE == 9
    assert s.LOGGING["root"]["level"] == "INFO"


def test_the_secret_key_from_the_environment_is_used_and_nothing_is_written(load, tmp_path):
    # when
    s = load(KAMPASS_SECRET_KEY="from-the-environment")

    # then
    assert s.SECRET_KEY == "from-the-environment"
    assert not (tmp_path / "home" / "secret_key").exists()


def test_without_a_secret_key_one_is_generated_kept_private_and_reused(load, tmp_path):
    # when
    first = load().SECRET_KEY
    second = load().SECRET_KEY

    # then
    path = tmp_path / "home" / "secret_key"
    assert len(first) >= 50
    assert first == second == path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_test_settings_differ_only_in_the_password_hasher():
    # given
    import kampass.config.settings_test as test_settings

    names = {n for n in dir(real_settings) if n.isupper()}

    # when
    differing = {n for n in names if getattr(test_settings, n) != getattr(real_settings, n)}
    added = {n for n in dir(test_settings) if n.isupper()} - names

    # then
    assert differing == {"ALLOWED_HOSTS"}
    assert [*real_settings.ALLOWED_HOSTS, "testserver"] == test_settings.ALLOWED_HOSTS
    assert added == {"PASSWORD_HASHERS"}
    assert test_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_running_tests_use_the_test_settings():
    # given
    import os

    from django.conf import settings

    # then: pytest-django loaded kampass.config.settings_test (pyproject.toml)
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "kampass.config.settings_test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE


def test_by_default_plain_http_works_and_sessions_end_after_an_idle_hour(load):
    # when
    s = load()

    # then: nothing forces HTTPS (a local installation on http://127.0.0.1)
    assert (s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE) == (False, False, False)
    assert s.SECURE_HSTS_SECONDS == 0
    assert s.SECURE_PROXY_SSL_HEADER is None
    assert s.SECURE_REFERRER_POLICY == "same-origin"
    # and a session lasts an hour from its last request, renewed at most once a minute (not on every request)
    assert (s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, s.KAMPASS_SESSION_RENEW_SECONDS) == (3600, False, 60)


def test_kampass_https_turns_on_the_set_for_a_site_served_over_https_only(load):
    # when
    s = load(KAMPASS_HTTPS="true")

    # then
    assert (s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE) == (True, True, True)
    assert s.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert s.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    # preloading is the domain owner's decision: off, and Django's reminder of it silenced
    assert s.SECURE_HSTS_PRELOAD is False
    assert s.SILENCED_SYSTEM_CHECKS == ["security.W021"]


def test_each_part_of_the_https_set_can_be_overridden(load):
    # when: TLS ends at a proxy that redirects itself, HSTS for a day first, preloading wanted
    s = load(
        KAMPASS_HTTPS="true",
        KAMPASS_SSL_REDIRECT="false",
        KAMPASS_HSTS_SECONDS="86400",
        KAMPASS_HSTS_INCLUDE_SUBDOMAINS="false",
        KAMPASS_HSTS_PRELOAD="true",
        KAMPASS_PROXY_SSL_HEADER="X-Forwarded-Proto",
        KAMPASS_REFERRER_POLICY="no-referrer",
        KAMPASS_SESSION_IDLE_MINUTES="15",
    )

    # then
    assert s.SECURE_SSL_REDIRECT is False
    assert (s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE) == (True, True)
    assert (s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD) == (86400, False, True)
    assert s.SILENCED_SYSTEM_CHECKS == []
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s.SECURE_REFERRER_POLICY == "no-referrer"
    assert (s.SESSION_COOKIE_AGE, s.KAMPASS_SESSION_RENEW_SECONDS) == (15 * 60, 60)
    # and a short idle time is renewed after a tenth of it
    assert load(KAMPASS_SESSION_IDLE_MINUTES="5").KAMPASS_SESSION_RENEW_SECONDS == 30
    # and secure cookies alone, without the rest
    alone = load(KAMPASS_SECURE_COOKIES="true")
    assert (alone.SESSION_COOKIE_SECURE, alone.SECURE_SSL_REDIRECT, alone.SECURE_HSTS_SECONDS) == (True, False, 0)


def test_the_new_data_directory_is_closed_to_others(load, tmp_path):
    # when
    load()

    # then
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) & 0o027 == 0
