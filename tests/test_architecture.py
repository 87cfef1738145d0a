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


# ---------------------------------------------------------------- boundaries import-linter cannot express
# (the dependency graph itself is enforced by the contracts in pyproject.toml: `make lint`)

CONTEXTS = (
    "accounts",
    "commercial",
    "pipeline",
    "programme",
    "organisation",
    "roadmap",
    "planning",
    "solutions",
    "screening",
)


def _is_frozen_dataclass(obj: object) -> bool:
    import dataclasses

    return isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("context", CONTEXTS)
def test_facades_export_only_frozen_dataclasses_and_functions(context):
    """A facade hands out frozen dataclasses and plain values from its own functions: no models,
    querysets, modules or other objects of its context (those stay behind the facade)."""
    import importlib
    import inspect

    facade = importlib.import_module(f"kampass.{context}.facade")
    offenders = []
    for name, obj in vars(facade).items():
        if name.startswith("_") or name == "annotations":
            continue
        if inspect.ismodule(obj) and not obj.__name__.startswith("kampass"):
            continue  # the standard library modules the facade uses
        own = getattr(obj, "__module__", None) == facade.__name__
        if own and (inspect.isfunction(obj) or _is_frozen_dataclass(obj)):
            continue
        origin = str(getattr(obj, "__module__", "") or "")
        a_name = inspect.isclass(obj) or inspect.isfunction(obj) or type(obj).__module__ in ("typing", "types")
        if a_name and not own and not origin.startswith(tuple(f"kampass.{c}" for c in CONTEXTS)):
            # names the facade uses from below (dataclass, Decimal, Actor, Catalogue): no context's objects
            continue
        offenders.append(f"{context}.facade.{name}: {type(obj).__name__}")
    assert offenders == []


def test_every_context_others_import_has_a_facade():
    for context in CONTEXTS:
        assert (SRC / context / "facade.py").is_file(), context


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_tests_cross_contexts_only_through_factories():
    """A context's tests may use another context's tests/factories.py (its test data), never its
    conftest or test modules: shared fixtures live in the root conftest.py."""
    offenders = []
    for path in SRC.glob("*/tests/**/*.py"):
        own = path.relative_to(SRC).parts[0]
        for name in _imports(path):
            parts = name.split(".")
            crosses = len(parts) >= 4 and parts[0] == "kampass" and parts[2] == "tests" and parts[1] != own
            if crosses and parts[3] != "factories":
                offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert offenders == []


def test_plumbing_is_defined_once_in_common():
    """API errors, pages, id refs, the acting user, chart finishing and the CLI actor live in
    kampass.common; the apps import them instead of keeping copies."""
    copies_of = {
        "api.py": {"ErrorOut", "ValidationErrorOut", "PageIn", "_actor", "_ref", "_page", "_api_field_names"},
        "charts.py": {"_locale", "_time_locale", "_finish"},
        "*": {"system_actor", "ui_language", "finish_chart"},
    }
    copies = []
    for path in SRC.glob("*/**/*.py"):
        if path.relative_to(SRC).parts[0] in ("common", "core"):
            continue
        names = copies_of.get(path.name, set()) | copies_of["*"]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in names:
                copies.append(f"{path.relative_to(SRC)}: {node.name}")
    assert copies == []


def test_every_input_schema_with_declared_values_refuses_others():
    """An input schema that declares allowed values (``json_schema_extra={"enum": ...}``) derives
    from ``common.api.InSchema``, which refuses other values with a 422 (nothing silently ignored)."""
    import importlib
    import inspect

    from ninja import Schema

    from kampass.common.api import InSchema, declared_choices

    unchecked = []
    # each context's api.py and the further API modules of its parts (api_<part>.py)
    names = [
        f"kampass.{context}.{path.stem}"
        for context in CONTEXTS
        for path in sorted((SRC / context).glob("api*.py"))
        if path.stem == "api" or path.stem.startswith("api_")
    ]
    for module_name in names:
        module = importlib.import_module(module_name)
        context = module_name.split(".")[1]
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Schema) and cls.__module__ == module.__name__):
                continue
            if name.endswith("Out") or issubclass(cls, InSchema):
                continue
            if any(declared_choices(cls, field) is not None for field in cls.model_fields):
                unchecked.append(f"{context}.{module_name.rsplit('.', 1)[1]}.{name}")
    assert unchecked == []


def _python_files() -> list[Path]:
    root = SRC.parents[1]
    return [*SRC.rglob("*.py"), *(root / "tests").rglob("*.py"), *(root / "bench").rglob("*.py"), root / "conftest.py"]


def test_today_is_always_the_installations_day():
    """``date.today()`` and a naive ``datetime.now()`` read the machine's day (UTC in CI), an hour or more
    apart from the installation's (``timezone.localdate()``) every night: a CI run at 23:10 UTC failed so."""
    offenders = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            naive_now = node.func.attr == "now" and owner_name == "datetime" and not node.args and not node.keywords
            if (node.func.attr == "today" and owner_name in ("date", "datetime")) or naive_now:
                offenders.append(f"{path.relative_to(SRC.parents[1])}:{node.lineno}")
    assert offenders == []


def test_test_modules_that_keep_the_day_from_collection_run_at_noon_of_it():
    """A test module with a module-level ``TODAY = timezone.localdate()`` (or any module-level value read
    from the clock) reads it when collected; its tests must run at noon of that day (``at_noon_of_today``)."""
    offenders = []
    for path in [*SRC.glob("*/tests/**/test_*.py"), *(SRC.parents[1] / "tests").rglob("test_*.py")]:
        tree = ast.parse(path.read_text())
        reads_clock = any(
            isinstance(node, ast.Assign)
            and any(
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in ("localdate", "localtime", "now")
                for call in ast.walk(node.value)
            )
            for node in tree.body
        )
        if reads_clock and "at_noon_of_today" not in path.read_text():
            offenders.append(str(path.relative_to(SRC.parents[1])))
    assert offenders == []
