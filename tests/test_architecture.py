"""Rules about the code base itself."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[1] / "src" / "kampass"


def test_core_never_imports_django():
    offenders = []
    for path in (SRC / "core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "django" or n.startswith(("kampass.accounts", "kampass.users", "kampass.common"))
            ]
    assert offenders == []


@pytest.mark.django_db
def test_models_and_migrations_are_in_sync():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_no_utils_modules():
    assert list(SRC.rglob("utils.py")) == []


def test_templates_never_print_ids_with_thousand_separators():
    # USE_THOUSAND_SEPARATOR is on: {{ account.pk }} renders "12,771" in English ("12.771" in German),
    # which breaks links, form values and HTMX attributes once ids pass 999. Ids go through |unlocalize.
    import re

    bare = re.compile(r"\{\{\s*(?:[A-Za-z_][\w.]*(?:\.pk|\.id|_id)|pk|id)\s*\}\}")
    offenders = [
        f"{path.relative_to(SRC)}: {m.group(0)}"
        for path in SRC.rglob("templates/**/*.html")
        for m in bare.finditer(path.read_text())
    ]
    assert offenders == []
