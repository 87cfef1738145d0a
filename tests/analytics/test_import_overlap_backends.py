"""Overlapping imports on PostgreSQL: staged in an in-memory DuckDB, the stored lines in the file's date
range travel as Arrow, and skip and replace give the same lines and facts as on DuckDB."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.ingest import import_file

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
A = "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom"
B = "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom"
C = "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom"
D = "536370,POST,POSTAGE,3,2010-12-02 08:45:00,18.00,,France"


def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.split("://", 1)[1].rsplit("/", 1)[0]
    return "postgres@127.0.0.1:5432"


@pytest.fixture
def postgres_store() -> Iterator[AnalyticsStore]:
    import psycopg
    from psycopg import sql

    server = postgres_server()
    try:
        admin = psycopg.connect(f"postgresql://{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    name = f"kampass_overlap_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        store = None
        try:
            store = AnalyticsStore(f"postgres://{server}/{name}")
            yield store
        finally:
            if store is not None:
                store.close()
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def state(store: AnalyticsStore) -> tuple[list[tuple], list[tuple]]:
    lines = store.table("invoice_lines").to_pyarrow().to_pylist()
    facts = store.table("invoice_facts").to_pyarrow().to_pylist()
    return (
        sorted((r["invoice_no"], str(r["quantity"]), str(r["amount"])) for r in lines),
        sorted((f["customer_id"] or "", f["category"], f["lines"], str(f["gross_amount"])) for f in facts),
    )


@pytest.mark.parametrize("mode", ["skip", "replace"])
def test_postgres_gives_the_same_lines_and_facts_as_duckdb(postgres_store, tmp_path, mode):
    # given the same two overlapping files imported into both stores
    extract = write(tmp_path / "extract.csv", A, A, B, C)
    full = write(tmp_path / "full.csv", A, B, D)
    duck = AnalyticsStore("duckdb://")
    results = []
    for store in (duck, postgres_store):
        import_file(store=store, path=extract, mapping="online-retail")
        # when
        results.append(import_file(store=store, path=full, mapping="online-retail", on_overlap=mode))
    # then
    on_duckdb, on_postgres = results
    assert on_postgres.overlap.lines == on_duckdb.overlap.lines == 2
    assert on_postgres.overlap.replaced == on_duckdb.overlap.replaced == (3 if mode == "replace" else 0)
    assert on_postgres.lines == on_duckdb.lines == (1 if mode == "skip" else 3)
    assert state(postgres_store) == state(duck)
    assert len(state(duck)[0]) == (5 if mode == "skip" else 4)
    duck.close()
