"""The list of invoice-line import jobs as CSV and XLSX: who may have it, its rows, flat queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.commercial.models import ImportJob
from kampass.common.tests.factories import export, export_queries

pytestmark = pytest.mark.django_db


def _job(user, name, **fields):
    return ImportJob.objects.create(file_path=f"/tmp/{name}", original_name=name, created_by=user, **fields)


def test_the_export_lists_the_import_jobs_with_their_counts(client, head):
    _job(head, "lines.csv", status="done", lines=5400, rejected=3)
    _job(head, "+bad.csv", status="failed", error="Column 'InvoiceDate' missing", dry_run=True)
    client.force_login(head)
    rows = export(client, reverse("import-list"), "xlsx")
    assert rows[0] == ("File", "Started", "By", "Status", "dry run", "Lines", "Rejected", "Error")
    assert [r[0] for r in rows[1:]] == ["'+bad.csv", "lines.csv"]
    assert rows[1][4:] == (True, 0, 0, "Column 'InvoiceDate' missing")
    assert rows[2][5:7] == (5400, 3)
    assert 'href="/imports/?export=xlsx"' in client.get(reverse("import-list")).content.decode()


def test_who_may_not_import_gets_no_file(client, kam, head):
    _job(head, "lines.csv")
    client.force_login(kam)
    assert client.get(reverse("import-list"), {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, admin_user, fmt):
    def add(n):
        for i in range(n):
            _job(head if i % 2 else admin_user, f"file {i}.csv", status="done", lines=i)

    client.force_login(head)
    add(2)
    few = export_queries(client, reverse("import-list"), fmt)
    add(15)
    many = export_queries(client, reverse("import-list"), fmt)
    assert len(export(client, reverse("import-list"), fmt)) == 18
    assert many == few
