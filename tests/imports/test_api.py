"""``POST /api/v1/data-imports`` and ``GET /api/v1/data-imports/{id}``, ``GET /api/v1/import-mappings``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kampass.common.imports.services import import_run_execute
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db


def _file(text: str, name: str = "units.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_administrator_imports_org_units_through_the_api(api, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        created = api(
            admin_user,
            "post",
            "/data-imports",
            form={"file": _file("Name,Code\nEast,E\nWest,W\n"), "kind": "org-units"},
        )
    assert created.status_code == 202, created.content
    body = created.json()
    assert (body["status"], body["columns"]) == ("queued", {"name": "Name", "code": "Code"})
    assert len(queued) == 1

    import_run_execute(body["id"])
    done = api(admin_user, "get", f"/data-imports/{body['id']}").json()

    assert done["status"] == "done"
    assert {k: done["outcome"][k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 2, "updated": 0, "unchanged": 0, "rejected": 0,
    }  # fmt: skip
    assert set(OrgUnit.objects.values_list("code", flat=True)) == {"E", "W"}


def test_refusals_name_the_problem(api, admin_user, kam):
    no_column = api(admin_user, "post", "/data-imports", form={"file": _file("Kürzel\nE\n"), "kind": "org-units"})
    no_mapping = api(
        admin_user, "post", "/data-imports", form={"file": _file("Name\nE\n"), "kind": "org-units", "mapping": "sap"}
    )
    denied = api(kam, "post", "/data-imports", form={"file": _file("Name\nE\n"), "kind": "org-units"})

    assert no_column.status_code == 422
    assert "Choose a column for name" in no_column.content.decode()
    assert no_mapping.status_code == 422
    assert "is no mapping for org-units" in no_mapping.content.decode()
    assert denied.status_code == 403
    assert not OrgUnit.objects.exists()


def test_runs_are_private_and_mappings_follow_the_rights(api, head, kam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created = api(
            head,
            "post",
            "/data-imports",
            form={"file": _file("Account Name\nA AG\n", "a.csv"), "kind": "accounts", "dry_run": "true"},
        ).json()

    assert api(kam, "get", f"/data-imports/{created['id']}").status_code == 404
    assert api(head, "get", "/import-mappings?kind=accounts").json() == {
        "kind": "accounts",
        "names": ["generic", "salesforce", "hubspot"],
    }
    assert api(kam, "get", "/import-mappings?kind=users").status_code == 403
