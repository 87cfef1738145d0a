"""The list of pipeline imports as CSV and XLSX: who may have it, its rows newest first, flat queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.pipeline.models import PipelineImport

pytestmark = pytest.mark.django_db


def _job(user, name, **fields):
    return PipelineImport.objects.create(kind="stage_history", original_name=name, created_by=user, **fields)


def test_the_export_lists_every_import_newest_first(client, head):
    _job(head, "history.csv", status="done", message="120 stage changes imported")
    _job(head, "=bad.csv", status="failed", error="Row 3: no date")
    client.force_login(head)
    rows = export(client, reverse("pipeline-imports"), "xlsx")
    assert rows[0] == ("File", "Kind", "Started", "By", "Status", "Outcome")
    assert [r[0] for r in rows[1:]] == ["'=bad.csv", "history.csv"]
    assert rows[1][5] == "Row 3: no date"
    assert rows[2][5] == "120 stage changes imported"
    assert rows[1][3] == str(head)
    body = client.get(reverse("pipeline-imports")).content.decode()
    assert 'href="/pipeline/imports/?export=csv"' in body


def test_who_may_not_see_the_imports_gets_no_file(client, viewer, head):
    _job(head, "history.csv")
    client.force_login(viewer)
    assert client.get(reverse("pipeline-imports"), {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, head, kam, fmt):
    def add(n):
        for i in range(n):
            _job(head if i % 2 else kam, f"file {i}.csv", status="done")

    client.force_login(head)
    add(2)
    few = export_queries(client, reverse("pipeline-imports"), fmt)
    add(15)
    many = export_queries(client, reverse("pipeline-imports"), fmt)
    assert len(export(client, reverse("pipeline-imports"), fmt)) == 18
    assert many == few
