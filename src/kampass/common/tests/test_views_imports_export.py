"""The list of master-data imports as CSV and XLSX: a user's own imports (all for user managers), flat queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.common.models import ImportRun
from kampass.common.tests.exports import export, export_queries

pytestmark = pytest.mark.django_db


def _run(user, name, **fields):
    return ImportRun.objects.create(kind="accounts", original_name=name, created_by=user, **fields)


def test_a_kam_exports_only_their_own_imports(client, kam, kam2):
    _run(kam, "=mine.csv", status="done", message="12 accounts imported")
    _run(kam2, "theirs.csv", status="done")
    client.force_login(kam)
    rows = export(client, reverse("data-imports"), "xlsx")
    assert rows[0] == ("File", "Kind", "Started", "By", "Status", "dry run", "Outcome")
    assert [r[0] for r in rows[1:]] == ["'=mine.csv"]
    assert rows[1][6] == "12 accounts imported"
    assert 'href="/data-imports/?export=csv"' in client.get(reverse("data-imports")).content.decode()


def test_the_administrator_exports_every_import(client, admin_user, kam, kam2):
    _run(kam, "mine.csv", status="failed", error="Row 2: no name")
    _run(kam2, "theirs.csv", status="done", dry_run=True)
    client.force_login(admin_user)
    rows = export(client, reverse("data-imports"), "csv")
    assert sorted(r[0] for r in rows[1:]) == ["mine.csv", "theirs.csv"]
    assert {r[0]: r[6] for r in rows[1:]}["mine.csv"] == "Row 2: no name"


def test_a_viewer_gets_no_file(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("data-imports"), {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, admin_user, kam, fmt):
    def add(n):
        for i in range(n):
            _run(kam if i % 2 else admin_user, f"file {i}.csv", status="done")

    client.force_login(admin_user)
    add(2)
    few = export_queries(client, reverse("data-imports"), fmt)
    add(15)
    many = export_queries(client, reverse("data-imports"), fmt)
    assert len(export(client, reverse("data-imports"), fmt)) == 18
    assert many == few
