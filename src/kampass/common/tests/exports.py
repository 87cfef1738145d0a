"""Reading list exports in tests: the rows of a CSV or XLSX answer, and the queries an export runs."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a CSV export (header first), its byte order mark checked and removed."""
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff"), "a CSV export starts with a byte order mark"
    return list(csv.reader(io.StringIO(raw[1:])))


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    """The rows of the first sheet of an XLSX export (header first)."""
    wb = load_workbook(io.BytesIO(response.content))
    return list(wb.worksheets[0].iter_rows(values_only=True))


def export(client: Client, url: str, fmt: str = "csv", **params: Any) -> list[Any]:
    """The rows of ``url`` exported as ``fmt`` with ``params`` (the page's filters)."""
    response = client.get(url, {**params, "export": fmt})
    assert response.status_code == 200, response.content[:500]
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


def export_queries(client: Client, url: str, fmt: str = "csv", **params: Any) -> int:
    """How many queries exporting ``url`` runs, the file read to its end (measured on a second
    export: the first request of a session also loads and refreshes the session)."""
    export(client, url, fmt, **params)
    with CaptureQueriesContext(connection) as queries:
        rows = export(client, url, fmt, **params)
    assert rows, "the export has at least its header row"
    return len(queries)
