"""Overlapping imports on PostgreSQL and Spark: staged in the import's own DuckDB, the stored lines in the
file's date range travel as Arrow, and skip and replace give the same lines and facts as on DuckDB;
``replace`` is one transaction on PostgreSQL and a swap of complete new table versions on Spark."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
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


@pytest.mark.postgres
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


@pytest.mark.postgres
def test_replace_on_postgres_is_one_transaction(postgres_store, tmp_path, monkeypatch):
    # given an earlier import, and a failure right after the earlier lines were deleted (while the facts
    # of their batch are computed again)
    import_file(store=postgres_store, path=write(tmp_path / "extract.csv", A, A, B, C), mapping="online-retail")
    before = state(postgres_store)
    backend = type(postgres_store.con)
    insert = backend.insert

    def failing_insert(self, name, obj, **kwargs):
        if name == "invoice_facts" and not isinstance(obj, pa.Table):  # the recomputed facts, after the delete
            raise RuntimeError("connection lost")
        return insert(self, name, obj, **kwargs)

    monkeypatch.setattr(backend, "insert", failing_insert)
    # when the replacing import fails
    with pytest.raises(RuntimeError, match="connection lost"):
        import_file(store=postgres_store, path=write(tmp_path / "full.csv", A, B, D), mapping="online-retail",
                    on_overlap="replace")  # fmt: skip
    # then the store is as before: the earlier lines are still there, the new ones are not
    monkeypatch.setattr(backend, "insert", insert)
    assert state(postgres_store) == before
    assert postgres_store.table("import_batches").count().to_pyarrow().as_py() == 1


# ---------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark_session(tmp_path_factory) -> Any:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: Spark cannot start")
    pytest.importorskip("pyspark")
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("spark"))  # the JVM puts its warehouse in the directory it starts in
    try:
        store = AnalyticsStore("pyspark://local[2]")
    finally:
        os.chdir(cwd)
    return store.con._session


@pytest.fixture
def spark_store(spark_session) -> Iterator[AnalyticsStore]:
    """A Spark store in a database of its own (another test file's session may share the JVM)."""
    before = spark_session.catalog.currentDatabase()
    name = f"kampass_overlap_{uuid.uuid4().hex[:12]}"
    spark_session.sql(f"CREATE DATABASE {name}")
    spark_session.catalog.setCurrentDatabase(name)
    try:
        yield AnalyticsStore("pyspark://local[2]")
    finally:
        spark_session.catalog.setCurrentDatabase(before)
        spark_session.sql(f"DROP DATABASE IF EXISTS {name} CASCADE")


@pytest.mark.spark
@pytest.mark.parametrize("mode", ["skip", "replace"])
def test_spark_gives_the_same_lines_and_facts_as_duckdb(spark_store, tmp_path, mode):
    extract = write(tmp_path / "extract.csv", A, A, B, C)
    full = write(tmp_path / "full.csv", A, B, D)
    duck = AnalyticsStore("duckdb://")
    results = []
    for store in (duck, spark_store):
        import_file(store=store, path=extract, mapping="online-retail")
        results.append(import_file(store=store, path=full, mapping="online-retail", on_overlap=mode))
    on_duckdb, on_spark = results
    assert on_spark.overlap.lines == on_duckdb.overlap.lines == 2
    assert on_spark.overlap.replaced == on_duckdb.overlap.replaced == (3 if mode == "replace" else 0)
    assert on_spark.lines == on_duckdb.lines == (1 if mode == "skip" else 3)
    assert state(spark_store) == state(duck)
    assert not [t for t in spark_store.con.list_tables() if t.endswith(("__next", "__previous"))]
    duck.close()


@pytest.mark.spark
def test_replace_on_spark_leaves_the_store_as_before_when_it_fails_before_the_swap(spark_store, tmp_path, monkeypatch):
    # given an earlier import, and a failure while the new version of the facts is written
    import_file(store=spark_store, path=write(tmp_path / "extract.csv", A, A, B, C), mapping="online-retail")
    before = state(spark_store)
    write_version = AnalyticsStore.write_version

    def failing(self, target, name, data):
        if name == "invoice_facts":
            raise RuntimeError("executor lost")
        return write_version(self, target, name, data)

    monkeypatch.setattr(AnalyticsStore, "write_version", failing)
    with pytest.raises(RuntimeError, match="executor lost"):
        import_file(store=spark_store, path=write(tmp_path / "full.csv", A, B, D), mapping="online-retail",
                    on_overlap="replace")  # fmt: skip
    # then the store is as before, and no half-written version is left
    assert state(spark_store) == before
    assert not [t for t in spark_store.con.list_tables() if t.endswith(("__next", "__previous"))]


@pytest.mark.spark
def test_an_interrupted_swap_on_spark_is_undone(spark_store, tmp_path, monkeypatch):
    # given an earlier import, and a replacing import that dies between the swap and its batch row
    import_file(store=spark_store, path=write(tmp_path / "extract.csv", A, A, B, C), mapping="online-retail")
    before = state(spark_store)
    insert = AnalyticsStore.insert

    def dying(self, name, data, **kwargs):
        if name == "import_batches":
            raise KeyboardInterrupt
        return insert(self, name, data, **kwargs)

    monkeypatch.setattr(AnalyticsStore, "insert", dying)
    with pytest.raises(KeyboardInterrupt):
        import_file(store=spark_store, path=write(tmp_path / "full.csv", A, B, D), mapping="online-retail",
                    on_overlap="replace")  # fmt: skip
    monkeypatch.setattr(AnalyticsStore, "insert", insert)
    # when the store is next opened for writing
    spark_store.ensure_tables()
    # then the earlier state is back
    assert state(spark_store) == before
    assert not [t for t in spark_store.con.list_tables() if t.endswith(("__next", "__previous"))]
