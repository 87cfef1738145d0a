"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kampass.core.analytics.backends import AnalyticsStore

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AnalyticsStore]:
    """An empty DuckDB analytics store in a file."""
    s = AnalyticsStore(f"duckdb://{tmp_path / 'a.duckdb'}")
    yield s
    s.close()


@pytest.fixture
def retail_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write lines in the Online Retail layout (header included) to a CSV file."""

    def write(*lines: str, name: str = "lines.csv", header: str = HEADER) -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    return write
