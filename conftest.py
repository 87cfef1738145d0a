"""Fixtures shared by all tests: a fresh analytics store and data directory per test, one user per
role, and ``api`` (the JSON API as a user); and the ``database`` marker the test tiers select on.
Fixtures of one context live in that context's tests/conftest.py; test data other contexts' tests
may use too lives in a context's tests/factories.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from kampass.users.models import Role, User

# No timing assertions in tests: Hypothesis' per-example deadline (200 ms by default) fails property
# tests on a loaded machine (CI, parallel workers) although nothing is wrong with the property.
hypothesis_settings.register_profile("kampass", deadline=None)
hypothesis_settings.load_profile("kampass")

# A test that requests one of these (directly or through another fixture) uses the database.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "django_db_setup",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def _uses_database(item: pytest.Item) -> bool:
    """Whether the test's fixture closure reaches a database fixture.

    Besides the fixtures the test requests, the string values of its parameters count as
    fixture names: several tests take a role parameter and call ``request.getfixturevalue``.
    """
    if item.get_closest_marker("django_db"):
        return True
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        names |= {value for value in callspec.params.values() if isinstance(value, str)}
    manager = item.session._fixturemanager
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for definition in manager.getfixturedefs(name, item) or ():
            todo.extend(definition.argnames)
    return bool(seen & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every database-backed test ``database`` and every test on the real data sets
    (``*_real.py``, reading ``../shared/data``) ``real_data``; ``make test-fast`` runs the others.

    A test that is not marked yet touches the database fails (pytest-django blocks
    database access), so the fast tier cannot silently include one.
    """
    for item in items:
        if _uses_database(item):
            item.add_marker(pytest.mark.database)
        if item.path.name.endswith("_real.py"):
            item.add_marker(pytest.mark.real_data)
    # The long files first, longest first: pytest-xdist (--dist loadfile) hands out files in this order, so
    # the contract fuzzing, the demo loads, real-data imports and model trainings, Spark and the CLI's
    # processes start while the short files fill the other worker, instead of one of them running alone at
    # the end (longest-first scheduling). A stable sort:
    # the order within each group stays as collected. Transactional tests stay last (as
    # pytest-django ordered them just before): they flush the database, data migrations' rows included.
    # xdist hands out whole files, placed where their first test is: a file with any transactional test
    # goes last as a whole, else its other tests would take it to the front and the flush would hit the
    # files its worker runs afterwards.
    # Among those, the files with serialized rollback come first: they reload the rows serialized when the test
    # database was made, which fails on rows that a flush and the migrations' signals re-created with new ids
    # (content types), so no other transactional file may run before them on their worker.
    flushing = {item.path for item in items if _is_transactional(item)}
    serialized = {item.path for item in items if "django_db_serialized_rollback" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: (item.path in flushing, item.path not in serialized, -_expected_seconds(item)))


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    flagged = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return flagged or bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


#: the files that take longest, with their seconds on one worker of a CI run (2 cores, coverage on; the
#: slowest durations `make test` prints): they are handed out first, the longest first
LONG_FILES: dict[str, int] = {
    "tests/api/test_contract.py": 1000,
    "src/kampass/demo/tests/test_demo_command.py": 390,
    "src/kampass/demo/tests/test_demo.py": 340,
    "tests/core/forecasting/test_ibm_win_loss_real.py": 270,
    "tests/api/test_contract_kam.py": 210,
    "tests/test_backup.py": 240,
    "tests/core/forecasting/test_backtest_blend.py": 190,
    "tests/test_backtest_demo.py": 140,
    "src/kampass/demo/tests/test_pipeline_demo.py": 130,
    "src/kampass/demo/tests/test_organisation_demo.py": 110,
    "tests/core/forecasting/test_backtest.py": 100,
    "src/kampass/pipeline/tests/test_import_salesforce_real.py": 95,
    "src/kampass/pipeline/tests/test_backtest_command.py": 90,
    "tests/core/forecasting/test_backtest_bands.py": 80,
    "tests/analytics/test_backend_parity.py": 80,
    "tests/test_cli_worker.py": 62,
    "src/kampass/solutions/tests/test_cli.py": 60,
    "tests/test_filemodes.py": 55,
    "tests/test_cli.py": 50,
}


def _expected_seconds(item: pytest.Item) -> int:
    """The file's seconds from :data:`LONG_FILES`; 40 for another real-data or Spark file; else 0."""
    try:
        name = item.path.relative_to(item.config.rootpath).as_posix()
    except ValueError:  # a file outside the project (named by an absolute path elsewhere)
        return 0
    if name in LONG_FILES:
        return LONG_FILES[name]
    return 40 if item.get_closest_marker("real_data") or item.get_closest_marker("spark") else 0


@pytest.fixture(autouse=True)
def _validate_chart_specs(settings):
    """The tests check every chart spec against the Vega-Lite schema while it is built; production
    skips that check for speed (``KAMPASS_VALIDATE_CHARTS``, see ``common.charts.finish_chart``)."""
    settings.KAMPASS_VALIDATE_CHARTS = True


@pytest.fixture(autouse=True)
def _analytics_store_per_test(settings, tmp_path):
    """Every test gets its own, empty DuckDB analytics store and its own data directory.

    Both live under the test's ``tmp_path``, which pytest-xdist keeps apart per worker, so
    parallel workers never share a DuckDB file, an upload or a catalogue extension.
    """
    from kampass.commercial import selectors

    settings.KAMPASS_ANALYTICS_URL = f"duckdb://{tmp_path / 'analytics.duckdb'}"
    settings.KAMPASS_HOME = tmp_path / "home"
    selectors._dims_cache.clear()
    yield
    selectors._dims_cache.clear()


@pytest.fixture(autouse=True)
def _process_memos_per_test():
    """Each test computes afresh what the process keeps between requests (``kampass.common.process_memo``):
    an earlier test's rolled-back rows may have left results under a key this test's data repeats."""
    from kampass.common.process_memo import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture(autouse=True)
def _loaded_exchange_rates_per_test():
    """Each test reads the exchange rates loaded in it, not a copy cached from an earlier test whose
    rows were rolled back (``kampass.common.fx`` caches them per process)."""
    from kampass.common import fx

    fx.invalidate_loaded_rates()
    yield
    fx.invalidate_loaded_rates()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """Leave the thread's active language as a fresh process has it.

    A request for a German user (or a language switch) activates German in the thread and
    Django leaves it active; in a long-lived test worker that would leak into the next test.
    """
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def at_noon_of_today(request: pytest.FixtureRequest, time_machine: Any) -> None:
    """Run the test at noon (installation time zone) of its module's ``TODAY``, the clock ticking on.

    A module that keeps ``TODAY = timezone.localdate()`` reads the day once, when it is collected. A run
    crossing midnight between collection and the test would compare yesterday's ``TODAY`` with today's
    clock (a CI run did: 8 failures). Noon also keeps every "today ± a few hours" inside the day.
    """
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    day = request.module.TODAY
    time_machine.move_to(dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=True)


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-for-tests-1", role=role, first_name=username.title(), last_name="Tester"
    )


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin_t", Role.ADMIN)


@pytest.fixture
def head(db) -> User:
    return make_user("head_t", Role.HEAD)


@pytest.fixture
def kam(db) -> User:
    return make_user("kam_t", Role.KAM)


@pytest.fixture
def kam2(db) -> User:
    return make_user("kam2_t", Role.KAM)


@pytest.fixture
def controller(db) -> User:
    return make_user("controller_t", Role.CONTROLLER)


@pytest.fixture
def viewer(db) -> User:
    return make_user("viewer_t", Role.VIEWER)


@pytest.fixture
def api(client: Client) -> Callable[..., Any]:
    """Call ``/api/v1<path>`` as ``user`` (``None``: without credentials) with a fresh personal access token.

    ``body`` is sent as JSON; ``form`` (a dict that may hold open files) as multipart.
    """
    from kampass.users.services import token_create

    def call(
        user: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, Any] | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if user is not None:
            _, raw = token_create(user=user)
            kwargs["headers"] = {"Authorization": f"Bearer {raw}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        if form is not None:
            kwargs["data"] = form
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


@pytest.fixture
def conflicts() -> Any:
    """The helpers of the concurrency tests of every context (``kampass.common.tests.conflicts``):
    ``loaded_form`` (an edit form as its browser would post it later), ``api_call`` (with ``If-Match``)
    and ``assert_conflict_page`` (the 409 page showing both versions)."""
    from kampass.common.tests import conflicts as helpers

    return helpers
