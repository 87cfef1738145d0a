# kampass — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
export KAMPASS_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/kampass
ONLY ?=
# pytest-xdist: one worker per core; `make test-sqlite JOBS=0` runs in one process.
# --dist loadfile keeps a file's tests on one worker (its module fixtures, one Spark per run);
# --no-loadscope-reorder hands the files out in the order conftest.py sorts them (xdist would sort
# them by their number of tests, and a file that flushes the database could run before others).
JOBS ?= auto
# the slowest tests of a run, printed at its end (CI logs show where the time goes)
DURATIONS ?= --durations=40
# OMP_NUM_THREADS=1: the workers share the cores; a model training with a thread per core in each of them
# spins on the other's core and takes three times as long (kampass.cli.compute_threads)
PYTEST := OMP_NUM_THREADS=1 $(VENV)/bin/pytest -q -n $(JOBS) --dist loadfile --no-loadscope-reorder $(DURATIONS)
# `make test` measures coverage; the other targets do not (PYTEST_COV is empty for them).
PYTEST_COV ?=
# the database-free tests: pure core, doctests, architecture, CLI parsing ...; see conftest.py
FAST := not database and not real_data and not browser and not postgres and not spark
APP ?=

.PHONY: run setup test test-fast test-app test-sqlite test-postgres lint format bench messages clean coverage-erase coverage-report

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	# --compile-bytecode: uv does not write .pyc files by default, so every fresh process (and every
	# process where PYTHONDONTWRITEBYTECODE is set) compiled scikit-learn, ibis, altair ... again (seconds)
	$(VENV)/bin/uv pip install --python $(PY) -q --compile-bytecode --require-hashes -r requirements.lock
	$(VENV)/bin/uv pip install --python $(PY) -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/kampass migrate --noinput -v 0
	$(VENV)/bin/kampass demo --if-empty
	@echo ""
	@echo "  kampass runs on http://$(HOST):$(PORT)/  — demo logins above (password: $${KAMPASS_DEMO_PASSWORD:-kampass-demo})"
	@echo "  The demo passwords are public: for local use only. Never expose this installation to others;"
	@echo "  for a real one create users with strong passwords (kampass createuser NAME --role ROLE)."
	@echo ""
	$(VENV)/bin/kampass serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd src && ../$(VENV)/bin/lint-imports ../pyproject.toml --no-cache

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: setup
	cd src/kampass && ../../$(VENV)/bin/django-admin makemessages -l de --no-obsolete --add-location file && ../../$(VENV)/bin/django-admin compilemessages

# everything: lint and types, the whole suite on SQLite (browser and backend parity tests
# included), the database-backed tests again on PostgreSQL; coverage over the SQLite runs, held.
test: PYTEST_COV = --cov --cov-append --cov-report=
test: setup lint coverage-erase test-sqlite test-postgres coverage-report

# the database-free tests (pure core, doctests, architecture ...): the quick loop
test-fast: setup
	$(PYTEST) -m "$(FAST)"

# one context's tests: `make test-app APP=pipeline` (its app, tests/<APP>, tests/e2e/test_<APP>.py)
test-app: setup
	@test -n "$(APP)" || { echo "usage: make test-app APP=<context>, e.g. APP=pipeline" >&2; exit 2; }
	@test -d src/kampass/$(APP) || { echo "no context src/kampass/$(APP)" >&2; exit 2; }
	$(PYTEST) $(wildcard src/kampass/$(APP) tests/$(APP) tests/e2e/test_$(APP).py)

# the whole suite (unit, API, browser, backend parity) on SQLite, in two runs: the browser tests
# (live_server, so transactional: they flush the database, data migrations' rows included) after
# all others, as Django orders TransactionTestCases last; xdist would otherwise interleave them.
test-sqlite: setup
	$(PYTEST) $(PYTEST_COV) -m "not browser"
	$(PYTEST) $(PYTEST_COV) -m browser

# the database-backed tests again on the real PostgreSQL server, except those that would repeat
# themselves there (marker own_sqlite: their processes open a SQLite data directory of their own) and
# the model trainings and backtests (marker compute: minutes of computation over deals read by queries
# that other tests run here). Coverage is measured over the SQLite runs (the same code; tracing it
# again would only slow this run down).
PG_TESTS := database and not browser and not own_sqlite and not compute
test-postgres: setup
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
	  DATABASE_URL="$(PG_URL)" $(PYTEST) -m "$(PG_TESTS)" --ignore=src/kampass/core --ignore=tests/core --ignore=tests/analytics ; \
	elif [ "$$CI" = "true" ]; then \
	  echo "FAIL: PostgreSQL at $(PG_URL) is not reachable and CI=true: the PostgreSQL tests must run." >&2; exit 1; \
	else \
	  echo "WARNING: PostgreSQL at $(PG_URL) not reachable: PostgreSQL tests NOT run (they run in CI)." >&2; \
	fi

coverage-erase: setup
	$(VENV)/bin/coverage erase

# prints the total and fails below the floor ([tool.coverage.report] fail_under in pyproject.toml)
coverage-report: setup
	$(VENV)/bin/coverage report

bench: setup
	$(PY) bench/run.py $(ONLY)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov
