"""The profitability analyses give the same figures on DuckDB, PostgreSQL and Spark.

One deterministic synthetic set of invoice lines (every category, positive, negative and zero
amounts, NULL and unlinked customers, a small account hierarchy, NULL and non-NULL unit costs, lines
on month boundaries, a few very large amounts) is loaded through ``AnalyticsStore`` into each
backend (the store adds the invoice facts of the lines it is given). The P&L analyses run on the
stored facts and on the lines (facts computed by the backend itself). Every analysis of
:mod:`kampass.core.profitability` runs unchanged on each and is compared with DuckDB: money to the
cent, shares within 1e-9. DuckDB itself is checked against an independent pure-Python computation,
and the waterfall invariant ``gross_revenue - sum(leak_*) == pocket_revenue == sum(amount)`` is
checked on every backend.

PostgreSQL (``127.0.0.1:5432``, user ``postgres``, a throw-away database; the server of
``DATABASE_URL`` when that is a PostgreSQL URL) and Spark (local mode, needs Java) are skipped when
unavailable, and fail the run when ``CI=true``.
"""

from __future__ import annotations

import datetime as dtm
import math
import os
import random
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from kampass.core.analytics.backends import AnalyticsStore
from kampass.core.analytics.facts import FACT_KEYS, invoice_facts
from kampass.core.analytics.schema import ACCOUNT_DIM, CUSTOMER_LINKS, INVOICE_FACTS, INVOICE_LINES, SCHEMAS
from kampass.core.profitability import (
    GOODS,
    LEAKAGE_CATEGORIES,
    LEAKAGE_KEYS,
    UNASSIGNED,
    abc_classes,
    account_pnl,
    leakage_column,
    monthly_series,
    subtree_pnl,
    total_pnl,
    whale_curve,
)

CENT = Decimal("0.01")
FLOAT_TOLERANCE = 1e-9
SEED = 20111209
N_LINES = 4000

# (account_id, name, path, parent_id): two trees of depth up to four and a standalone account
ACCOUNTS = (
    (1, "Holding North", "1/", None),
    (2, "Division Two", "1/2/", 1),
    (3, "Division Three", "1/3/", 1),
    (5, "Plant Five", "1/2/5/", 2),
    (6, "Plant Six", "1/2/6/", 2),
    (9, "Site Nine", "1/2/5/9/", 5),
    (7, "Holding South", "7/", None),
    (8, "Branch Eight", "7/8/", 7),
    (11, "Standalone", "11/", None),
)
CUSTOMERS = tuple(str(12000 + i) for i in range(48))
LINKED = 40  # the first 40 customers are linked to accounts, the other 8 are not
MONEY_COLUMNS = (
    "gross_revenue",
    *(leakage_column(k) for k in LEAKAGE_KEYS),
    "invoice_revenue",
    "pocket_revenue",
    "costs",
    "contribution",
)


# --- environment ----------------------------------------------------------------------------------


def unavailable(message: str) -> None:
    """Skip locally; in CI a missing backend is a failure (the parity tests must run there)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the backend parity tests must run)", pytrace=False)
    pytest.skip(message)


def postgres_server() -> str:
    """``user@host:port`` of the PostgreSQL server to create the throw-away database on."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.split("://", 1)[1].rsplit("/", 1)[0]
    return "postgres@127.0.0.1:5432"


# --- the data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    lines: pa.Table
    links: pa.Table
    accounts: pa.Table

    @property
    def link_map(self) -> dict[str, int]:
        return dict(zip(self.links["customer_id"].to_pylist(), self.links["account_id"].to_pylist(), strict=True))


def _invoice_date(rng: random.Random, i: int) -> dtm.datetime:
    if i % 10 == 0:
        # on a month boundary: the last second of a month or the first second of the next one
        first = dtm.datetime(2011 + rng.randint(0, 1), rng.randint(1, 12), 1, tzinfo=dtm.UTC)
        return first - dtm.timedelta(seconds=1) if rng.random() < 0.5 else first
    start = dtm.datetime(2011, 1, 1, tzinfo=dtm.UTC)
    return start + dtm.timedelta(seconds=rng.randint(0, 2 * 365 * 86400))


def synthetic_dataset(seed: int = SEED, n: int = N_LINES) -> Dataset:
    """Invoice lines covering every category with both signs, and the links and hierarchy they refer to."""
    rng = random.Random(seed)
    categories = [GOODS, *LEAKAGE_KEYS]
    weights = [len(LEAKAGE_KEYS), *([1] * len(LEAKAGE_KEYS))]  # half of the lines are goods
    cols: dict[str, list[Any]] = {name: [] for name in SCHEMAS[INVOICE_LINES].names}
    for i in range(n):
        category = rng.choices(categories, weights)[0]
        negative = rng.random() < (0.12 if category == GOODS else 0.75)
        # whole units mostly, sometimes fractional ones (kg, hours); unit costs in cents, so that
        # quantity * unit_cost stays within the 4 decimals of MONEY (see test_costs_keep_their_decimals)
        quantity = Decimal(rng.randint(1, 60)) if rng.random() < 0.9 else Decimal(rng.randint(1, 9_999)) / 100
        price = Decimal(rng.randint(1, 2_000_000)) / 10_000
        roll = rng.random()
        if roll < 0.002:
            price = Decimal("987654321.1234")  # large amounts: a float on the way loses the cents
        elif roll < 0.015:
            price = Decimal(0)
        if negative:
            # leakage as in real exports: mostly negative quantities, sometimes negative prices
            if category in (GOODS, "returns", "write_offs") or rng.random() < 0.7:
                quantity = -quantity
            else:
                price = -price
        customer = None if rng.random() < 0.1 else rng.choice(CUSTOMERS)
        cols["batch_id"].append("parity-batch")
        cols["source_row"].append(i + 2)
        cols["invoice_no"].append(f"{'C' if category == 'returns' else ''}{536_000 + i // 4}")
        cols["invoice_date"].append(_invoice_date(rng, i))
        cols["customer_id"].append(customer)
        cols["country"].append(rng.choice(["United Kingdom", "Germany", "France", None]))
        cols["stock_code"].append(f"{rng.randint(20000, 23999)}")
        cols["description"].append(rng.choice(["MUG", "LANTERN", "BUNTING", None]))
        cols["product_group"].append(rng.choice(["GIFT", "HOME", "PARTY", "XMAS", None]))
        cols["quantity"].append(quantity)
        cols["unit_price"].append(price)
        cols["amount"].append((quantity * price).quantize(Decimal("0.0001")))
        cols["unit_cost"].append(None if rng.random() < 0.4 else Decimal(rng.randint(0, 15_000)) / 100)
        cols["currency"].append("GBP")
        cols["category"].append(category)
    lines = pa.table(cols, schema=SCHEMAS[INVOICE_LINES].to_pyarrow())
    account_ids = [a[0] for a in ACCOUNTS]
    links = pa.table(
        {
            "customer_id": list(CUSTOMERS[:LINKED]),
            "account_id": [account_ids[i % len(account_ids)] for i in range(LINKED)],
        },
        schema=SCHEMAS[CUSTOMER_LINKS].to_pyarrow(),
    )
    accounts = pa.table(
        {name: [a[j] for a in ACCOUNTS] for j, name in enumerate(SCHEMAS[ACCOUNT_DIM].names)},
        schema=SCHEMAS[ACCOUNT_DIM].to_pyarrow(),
    )
    return Dataset(lines, links, accounts)


def load(store: AnalyticsStore, data: Dataset) -> AnalyticsStore:
    store.ensure_tables()
    half = data.lines.num_rows // 2
    store.insert(INVOICE_LINES, data.lines.slice(0, half))  # two appends, as two imports would do
    store.insert(INVOICE_LINES, data.lines.slice(half))
    store.replace(CUSTOMER_LINKS, data.links)
    store.replace(ACCOUNT_DIM, data.accounts)
    return store


# --- the analyses and how results are compared ----------------------------------------------------


def _summed(facts: ibis.Table) -> ibis.Table:
    """Facts summed per key (each append of lines adds its own rows, as the two halves loaded here)."""
    return facts.group_by(list(FACT_KEYS)).aggregate(
        lines=facts.lines.sum(),
        gross_amount=facts.gross_amount.sum(),
        leakage_amount=facts.leakage_amount.sum(),
        cost=facts.cost.sum(),
    )


def _pnl(s: AnalyticsStore) -> ibis.Table:
    return account_pnl(s.table(INVOICE_FACTS), s.table(CUSTOMER_LINKS))


ANALYSES: dict[str, tuple[Callable[[AnalyticsStore], ibis.Table], tuple[str, ...]]] = {
    "stored_facts": (lambda s: _summed(s.table(INVOICE_FACTS)), FACT_KEYS),
    "facts_of_lines": (lambda s: _summed(invoice_facts(s.table(INVOICE_LINES))), FACT_KEYS),
    "account_pnl": (_pnl, ("account_id",)),
    "account_pnl_from_lines": (lambda s: account_pnl(s.table(INVOICE_LINES), s.table(CUSTOMER_LINKS)), ("account_id",)),
    "total_pnl": (lambda s: total_pnl(s.table(INVOICE_FACTS)), ()),
    "total_pnl_from_lines": (lambda s: total_pnl(s.table(INVOICE_LINES)), ()),
    "subtree_pnl": (lambda s: subtree_pnl(_pnl(s), s.table(ACCOUNT_DIM)), ("account_id",)),
    "abc_classes": (lambda s: abc_classes(_pnl(s)), ("account_id",)),
    "whale_curve": (lambda s: whale_curve(_pnl(s)), ("account_id",)),
    "monthly_series": (
        lambda s: monthly_series(s.table(INVOICE_LINES), s.table(CUSTOMER_LINKS)),
        ("account_id", "month"),
    ),
}


def _utc(value: dtm.datetime) -> dtm.datetime:
    return value.astimezone(dtm.UTC).replace(tzinfo=None) if value.tzinfo else value


def run(store: AnalyticsStore, analysis: str) -> list[dict[str, Any]]:
    build, keys = ANALYSES[analysis]
    rows = build(store).to_pyarrow().to_pylist()
    rows = [{k: _utc(v) if isinstance(v, dtm.datetime) else v for k, v in r.items()} for r in rows]
    return sorted(rows, key=lambda r: tuple((r[k] is not None, r[k] if r[k] is not None else "") for k in keys))


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, Decimal) or isinstance(actual, Decimal):
        return Decimal(str(expected)).quantize(CENT) == Decimal(str(actual)).quantize(CENT)
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(expected, actual, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return bool(expected == actual)


def assert_same_rows(expected: list[dict[str, Any]], actual: list[dict[str, Any]], *, keys: tuple[str, ...]) -> None:
    assert expected, "the analysis returned no rows on DuckDB"
    assert actual, "the analysis returned no rows"
    assert list(actual[0]) == list(expected[0]), "columns differ"
    assert [tuple(r[k] for k in keys) for r in actual] == [tuple(r[k] for k in keys) for r in expected], "rows differ"
    diffs = [
        f"{[e[k] for k in keys]} {col}: expected {e[col]!r}, got {a[col]!r}"
        for e, a in zip(expected, actual, strict=True)
        for col in e
        if not same(e[col], a[col])
    ]
    assert not diffs, f"{len(diffs)} differing values:\n" + "\n".join(diffs[:25])


# --- independent computation (pure Python over the same lines) ------------------------------------


def python_pnl(data: Dataset) -> dict[int, dict[str, Any]]:
    """The account P&L computed line by line, without Ibis."""
    links = data.link_map
    out: dict[int, dict[str, Any]] = {}
    for line in data.lines.to_pylist():
        account = links.get(line["customer_id"], UNASSIGNED)
        row = out.setdefault(account, {"lines": 0, **{c: Decimal(0) for c in MONEY_COLUMNS}})
        amount = line["amount"]
        row["lines"] += 1
        row["pocket_revenue"] += amount
        if amount > 0:
            row["gross_revenue"] += amount
        elif amount < 0:
            key = "other" if line["category"] == GOODS else line["category"]
            row[leakage_column(key)] -= amount
        if line["unit_cost"] is not None:
            row["costs"] += line["quantity"] * line["unit_cost"]
    for row in out.values():
        row["invoice_revenue"] = row["gross_revenue"] - sum(
            row[leakage_column(c.key)] for c in LEAKAGE_CATEGORIES if c.before_invoice
        )
        row["contribution"] = row["pocket_revenue"] - row["costs"]
    return out


def python_monthly(data: Dataset) -> dict[tuple[int, dtm.datetime], dict[str, Any]]:
    links = data.link_map
    acc: dict[tuple[int, dtm.datetime], dict[str, Any]] = defaultdict(
        lambda: {"gross": Decimal(0), "leak": Decimal(0), "pocket": Decimal(0), "orders": set(), "groups": set()}
    )
    for line in data.lines.to_pylist():
        ts = line["invoice_date"].astimezone(dtm.UTC)
        key = (links.get(line["customer_id"], UNASSIGNED), dtm.datetime(ts.year, ts.month, 1))
        row, amount = acc[key], line["amount"]
        row["gross"] += max(amount, Decimal(0))
        row["leak"] += max(-amount, Decimal(0))
        row["pocket"] += amount
        row["orders"].add(line["invoice_no"])
        if line["product_group"] is not None:
            row["groups"].add(line["product_group"])
    return acc


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return synthetic_dataset()


@pytest.fixture(scope="session")
def duckdb_store(dataset):
    store = load(AnalyticsStore("duckdb://"), dataset)
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_store(dataset):
    import psycopg
    from psycopg import sql

    server = postgres_server()
    admin_url = f"postgresql://{server}/postgres"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL at {admin_url} is not reachable: {exc}")
    name = f"kampass_parity_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        store = None
        try:
            store = load(AnalyticsStore(f"postgres://{server}/{name}"), dataset)
            yield store
        finally:
            if store is not None:
                store.close()
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def spark_store(dataset, tmp_path_factory):
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Java is not installed (no `java` on PATH, no JAVA_HOME): Spark cannot start")
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        unavailable(f"pyspark is not installed: {exc}")
    # the JVM resolves its default warehouse (spark-warehouse/) against the directory it starts in
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("spark"))
    try:
        store = AnalyticsStore("pyspark://local[2]")
    except Exception as exc:
        unavailable(f"Spark (local[2]) could not start: {type(exc).__name__}: {exc}")
    finally:
        os.chdir(cwd)
    try:
        yield load(store, dataset)
    finally:
        store.close()


@pytest.fixture(scope="session")
def reference(duckdb_store) -> dict[str, list[dict[str, Any]]]:
    """Every analysis on DuckDB, the embedded default: what the other backends must reproduce."""
    return {name: run(duckdb_store, name) for name in ANALYSES}


BACKENDS = [
    pytest.param("postgres_store", marks=pytest.mark.postgres, id="postgres"),
    pytest.param("spark_store", marks=pytest.mark.spark, id="spark"),
]


# --- tests ----------------------------------------------------------------------------------------


def test_synthetic_data_covers_every_case(dataset):
    rows = dataset.lines.to_pylist()
    for category in (GOODS, *LEAKAGE_KEYS):
        amounts = [r["amount"] for r in rows if r["category"] == category]
        assert any(a > 0 for a in amounts), category
        assert any(a < 0 for a in amounts), category
    assert any(r["amount"] == 0 for r in rows)
    assert any(r["customer_id"] is None for r in rows)
    assert any(r["customer_id"] not in dataset.link_map for r in rows if r["customer_id"] is not None)
    assert any(r["unit_cost"] is None for r in rows)
    assert any(r["unit_cost"] is not None for r in rows)
    assert {a[2].count("/") for a in ACCOUNTS} == {1, 2, 3, 4}


def test_duckdb_pnl_matches_independent_computation(dataset, reference):
    expected = python_pnl(dataset)
    assert [r["account_id"] for r in reference["account_pnl"]] == sorted(expected)
    for row in reference["account_pnl"]:
        want = expected[row["account_id"]]
        assert row["lines"] == want["lines"]
        for col in MONEY_COLUMNS:
            assert same(want[col], row[col]), (row["account_id"], col, want[col], row[col])
    (total,) = reference["total_pnl"]
    for col in MONEY_COLUMNS:
        assert same(sum(r[col] for r in expected.values()), total[col]), col
    assert total["lines"] == dataset.lines.num_rows


def test_duckdb_facts_and_lines_give_the_same_pnl(reference):
    assert reference["stored_facts"] == reference["facts_of_lines"]
    assert reference["account_pnl"] == reference["account_pnl_from_lines"]
    assert reference["total_pnl"] == reference["total_pnl_from_lines"]


def test_duckdb_facts_match_independent_computation(dataset, reference):
    expected: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0), None])
    for line in dataset.lines.to_pylist():
        row = expected[tuple(line[k] for k in FACT_KEYS)]
        row[0] += 1
        row[1] += max(line["amount"], Decimal(0))
        row[2] += max(-line["amount"], Decimal(0))
        if line["unit_cost"] is not None:
            row[3] = (row[3] or Decimal(0)) + line["quantity"] * line["unit_cost"]
    got = {
        tuple(r[k] for k in FACT_KEYS): [r["lines"], r["gross_amount"], r["leakage_amount"], r["cost"]]
        for r in reference["stored_facts"]
    }
    assert got == dict(expected)


def test_duckdb_subtree_matches_independent_computation(dataset, reference):
    pnl = python_pnl(dataset)
    paths = {a[0]: a[2] for a in ACCOUNTS}
    rows = reference["subtree_pnl"]
    assert [r["account_id"] for r in rows] == sorted(paths)
    for row in rows:
        members = [b for b in pnl if b in paths and paths[b].startswith(paths[row["account_id"]])]
        assert row["lines"] == sum(pnl[b]["lines"] for b in members)
        for col in MONEY_COLUMNS:
            assert same(sum(pnl[b][col] for b in members), row[col]), (row["account_id"], col)


def test_duckdb_abc_matches_independent_computation(dataset, reference):
    pnl = python_pnl(dataset)
    ranked = sorted(
        ((float(r["contribution"]), a) for a, r in pnl.items() if a != UNASSIGNED), key=lambda x: (-x[0], x[1])
    )
    total = sum(v for v, _ in ranked)
    cumulative, expected = 0.0, {}
    for rank, (value, account) in enumerate(ranked, start=1):
        before = cumulative / total
        cumulative += value
        expected[account] = (
            rank,
            value / total,
            cumulative / total,
            "A" if before < 0.8 else "B" if before < 0.95 else "C",
        )
    got = {r["account_id"]: (r["rank"], r["share"], r["cumulative_share"], r["abc"]) for r in reference["abc_classes"]}
    assert got.keys() == expected.keys()
    for account, (rank, share, cumulative_share, abc) in expected.items():
        assert (got[account][0], got[account][3]) == (rank, abc), account
        assert same(share, got[account][1]), account
        assert same(cumulative_share, got[account][2]), account


def test_duckdb_monthly_series_matches_independent_computation(dataset, reference):
    expected = python_monthly(dataset)
    rows = reference["monthly_series"]
    assert [(r["account_id"], r["month"]) for r in rows] == sorted(expected)
    for row in rows:
        want = expected[(row["account_id"], row["month"])]
        assert same(want["gross"], row["gross_revenue"])
        assert same(want["leak"], row["leakage"])
        assert same(want["pocket"], row["pocket_revenue"])
        assert (row["orders"], row["product_groups"]) == (len(want["orders"]), len(want["groups"]))


@pytest.mark.parametrize("backend", [pytest.param("duckdb_store", id="duckdb"), *BACKENDS])
def test_waterfall_invariant(backend, dataset, request):
    """gross_revenue - sum(leak_*) == pocket_revenue == sum(amount), per account and in total."""
    store = request.getfixturevalue(backend)
    links = dataset.link_map
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for customer, amount in zip(
        dataset.lines["customer_id"].to_pylist(), dataset.lines["amount"].to_pylist(), strict=True
    ):
        amounts[links.get(customer, UNASSIGNED)] += amount
    rows = run(store, "account_pnl")
    (total,) = run(store, "total_pnl")
    assert {r["account_id"] for r in rows} == set(amounts)
    for row, want in [*((r, amounts[r["account_id"]]) for r in rows), (total, sum(amounts.values()))]:
        leakage = sum(row[leakage_column(k)] for k in LEAKAGE_KEYS)
        assert same(row["gross_revenue"] - leakage, row["pocket_revenue"]), row.get("account_id", "total")
        assert same(row["pocket_revenue"], want), row.get("account_id", "total")
    for row in run(store, "monthly_series"):
        assert same(row["gross_revenue"] - row["leakage"], row["pocket_revenue"])


@pytest.mark.parametrize("analysis", list(ANALYSES))
@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_matches_duckdb(backend, analysis, reference, request):
    store = request.getfixturevalue(backend)
    assert_same_rows(reference[analysis], run(store, analysis), keys=ANALYSES[analysis][1])


@pytest.mark.parametrize("backend", [pytest.param("duckdb_store", id="duckdb"), *BACKENDS])
def test_costs_keep_their_decimals(backend, request):
    """quantity (4 decimals) * unit_cost (4 decimals) has up to 8 decimals; costs must still come out to the cent."""
    store = request.getfixturevalue(backend)
    quantities = [Decimal("0.125"), Decimal("2.5"), Decimal("1.3333")]
    unit_costs = [Decimal("1.2345"), Decimal("0.3333"), Decimal("7.7777")]
    n = len(quantities)
    ts = dtm.datetime(2011, 6, 1, 12, tzinfo=dtm.UTC)
    lines = pa.table(
        {
            "batch_id": ["fractional"] * n,
            "source_row": list(range(2, n + 2)),
            "invoice_no": ["600001"] * n,
            "invoice_date": [ts] * n,
            "customer_id": [CUSTOMERS[0]] * n,
            "country": ["Germany"] * n,
            "stock_code": ["KG1"] * n,
            "description": ["bulk"] * n,
            "product_group": ["BULK"] * n,
            "quantity": quantities,
            "unit_price": [Decimal("10")] * n,
            "amount": [q * 10 for q in quantities],
            "unit_cost": unit_costs,
            "currency": ["GBP"] * n,
            "category": [GOODS] * n,
        },
        schema=SCHEMAS[INVOICE_LINES].to_pyarrow(),
    )
    name = "invoice_lines_fractional"
    store.con.create_table(name, lines, schema=SCHEMAS[INVOICE_LINES], overwrite=True)
    (row,) = account_pnl(store.table(name), store.table(CUSTOMER_LINKS)).to_pyarrow().to_pylist()
    costs = sum(q * c for q, c in zip(quantities, unit_costs, strict=True))
    assert same(costs, row["costs"])
    assert same(sum(lines["amount"].to_pylist()) - costs, row["contribution"])


@pytest.mark.parametrize("backend", [pytest.param("duckdb_store", id="duckdb"), *BACKENDS])
def test_facts_are_backfilled_when_missing(backend, reference, request):
    """A store written before the facts existed gets them computed from its lines when it is opened."""
    store = request.getfixturevalue(backend)
    store.con.drop_table(INVOICE_FACTS)

    store.ensure_tables()

    assert INVOICE_FACTS in store.con.list_tables()
    assert f"{INVOICE_FACTS}_backfill" not in store.con.list_tables()
    assert_same_rows(reference["facts_of_lines"], run(store, "stored_facts"), keys=FACT_KEYS)
    assert_same_rows(reference["account_pnl"], run(store, "account_pnl"), keys=("account_id",))
