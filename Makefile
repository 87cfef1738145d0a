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

.PHONY: run setup test test-sqlite test-postgres test-browser lint format bench messages clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --python $(PY) -q --require-hashes -r requirements.lock
	$(VENV)/bin/uv pip install --python $(PY) -q --no-deps -e .
	touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/kampass migrate --noinput -v 0
	$(VENV)/bin/kampass demo --if-empty
	@echo ""
	@echo "  kampass runs on http://$(HOST):$(PORT)/  — demo logins above (password: $${KAMPASS_DEMO_PASSWORD:-kampass-demo})"
	@echo ""
	$(VENV)/bin/kampass serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd src && ../$(VENV)/bin/lint-imports --config ../pyproject.toml --no-cache

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: setup
	cd src/kampass && ../../$(VENV)/bin/django-admin makemessages -l de --no-obsolete --add-location file && ../../$(VENV)/bin/django-admin compilemessages

test: setup lint test-sqlite test-postgres

# the whole suite (unit, API, browser) on SQLite
test-sqlite: setup
	$(VENV)/bin/pytest -q

# the database-backed tests again on the real PostgreSQL server
test-postgres: setup
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
	  DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -q -m "not browser" --ignore=src/kampass/core --ignore=tests/core --ignore=tests/analytics ; \
	elif [ "$$CI" = "true" ]; then \
	  echo "FAIL: PostgreSQL at $(PG_URL) is not reachable and CI=true: the PostgreSQL tests must run." >&2; exit 1; \
	else \
	  echo "WARNING: PostgreSQL at $(PG_URL) not reachable: PostgreSQL tests NOT run (they run in CI)." >&2; \
	fi

bench: setup
	$(PY) bench/run.py $(ONLY)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
