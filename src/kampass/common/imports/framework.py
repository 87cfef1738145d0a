"""The import framework: fields, mappings, the importer of a kind and the run that drives it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kampass.common.import_limits import import_limits, limit_message
from kampass.common.imports.table import Table, TableError, read_table
from kampass.common.imports.values import HeaderColumns, normalise
from kampass.common.permissions import authorize
from kampass.core.analytics.ingest.limits import LimitExceeded
from kampass.core.text_safety import describe_character, forbidden_character
from kampass.users.actors import Actor

GENERIC = "generic"


class ImportRefused(Exception):
    """The file or the mapping cannot be used at all: nothing is read or written; the message says why."""


@dataclass(frozen=True)
class FieldSpec:
    """A field an importer reads: its name (also a header it is found by), its label and the other
    header names (English and German, as exports name them) the mapping step suggests it for."""

    name: str
    label: str | Promise
    headers: tuple[str, ...] = ()
    required: bool = False
    multiline: bool = False


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds which field: ``columns`` names candidate columns per field (the first the
    file has wins); with ``suggest`` the fields it does not name are found by their header names."""

    name: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    suggest: bool = True

    def as_yaml(self, kind: str) -> str:
        columns = {k: (list(v) if len(v) > 1 else v[0]) for k, v in self.columns.items()}
        return yaml.safe_dump(
            {"kind": kind, "name": self.name, "suggest": self.suggest, "columns": columns},
            allow_unicode=True, sort_keys=False,
        )  # fmt: skip


def mapping_from_data(data: Any, *, kind: str, fields: Sequence[FieldSpec], source: str) -> ColumnMapping:
    """A mapping from its YAML/JSON form (``{"name", "columns": {field: column or [columns]}, "suggest"}``);
    raises :class:`ImportRefused` naming what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ImportRefused(_("%(source)s: a mapping needs a “columns” section (field: column).") % {"source": source})
    if data.get("kind") not in (None, "", kind):
        raise ImportRefused(
            _("%(source)s: the mapping is for %(other)s, not for %(kind)s.")
            % {"source": source, "other": data["kind"], "kind": kind}
        )
    known = {f.name for f in fields}
    unknown = sorted(set(map(str, data["columns"])) - known)
    if unknown:
        raise ImportRefused(
            _("%(source)s: unknown field(s) %(fields)s; the fields are %(known)s.")
            % {"source": source, "fields": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    columns: dict[str, tuple[str, ...]] = {}
    for key, value in data["columns"].items():
        if value in (None, "", []):
            continue
        columns[str(key)] = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
    return ColumnMapping(name=str(data.get("name") or source), columns=columns, suggest=bool(data.get("suggest", True)))


def resolve_columns(fields: Sequence[FieldSpec], header: Sequence[str], mapping: ColumnMapping) -> dict[str, str]:
    """field -> the file's column for it: the mapping's columns first, then (``suggest``) the field's
    own name and header names; case, spaces, underscores and hyphens are ignored, and no column
    serves two fields."""
    columns = HeaderColumns(header)
    found: dict[str, str] = {}

    def take(name: str, candidates: Sequence[str]) -> None:
        column = columns.find(candidates, take=True)
        if column is not None:
            found[name] = column

    for spec in fields:
        if spec.name in mapping.columns:
            take(spec.name, mapping.columns[spec.name])
    if mapping.suggest:
        for spec in fields:
            if spec.name not in found and spec.name not in mapping.columns:
                take(spec.name, (spec.name, str(spec.label), *spec.headers))
    return found


@dataclass(frozen=True)
class Reject:
    """One reason a row was not imported (a row with three problems has three)."""

    row: int
    column: str
    value: str
    reason: str


class RowRejected(Exception):
    """The row cannot be imported: ``problems`` are (field, reason) pairs."""

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__("; ".join(reason for _field, reason in problems))
        self.problems = problems


@dataclass
class Row:
    """One data row: its line in the file and its values by field (``""`` when empty or not mapped)."""

    line: int
    values: dict[str, str]
    columns: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    def has(self, name: str) -> bool:
        """Whether the file has a column for ``name`` (an empty value then means: empty, not unknown)."""
        return name in self.columns


class Importer:
    """What a context imports. Subclasses set the class attributes and write :meth:`apply`, which
    creates or updates the row's object through the context's services and says which it did
    (``"created"``, ``"updated"`` or ``"unchanged"``), or raises :class:`RowRejected` or
    ``ValidationError``. :meth:`order` may sort the rows (parents and managers before the rows that
    name them, see :func:`referenced_first`)."""

    #: templates get the class itself (its label, fields), never an instance made by calling it
    do_not_call_in_templates: ClassVar[bool] = True
    kind: ClassVar[str]
    label: ClassVar[str | Promise]
    permission: ClassVar[str]
    fields: ClassVar[tuple[FieldSpec, ...]]
    #: built-in mappings besides ``generic``: name -> {field: column or [columns]}
    mappings: ClassVar[dict[str, dict[str, str | list[str]]]] = {}

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def order(self, rows: list[Row]) -> list[Row]:
        return rows

    def apply(self, row: Row) -> str:
        raise NotImplementedError

    @classmethod
    def required(cls) -> tuple[str, ...]:
        return tuple(f.name for f in cls.fields if f.required)

    @classmethod
    def builtin_mapping(cls, name: str) -> ColumnMapping | None:
        if name == GENERIC:
            return ColumnMapping(name=GENERIC)
        data = cls.mappings.get(name)
        if data is None:
            return None
        return mapping_from_data({"name": name, "columns": data}, kind=cls.kind, fields=cls.fields, source=name)


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    file: str
    mapping: str
    columns: dict[str, str] = field(default_factory=dict)
    #: the file's columns no field reads (said, not dropped silently: a parent column under a name
    #: kampass does not know would otherwise lose the hierarchy without a word)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    dry_run: bool = False
    strict: bool = False
    committed: bool = False

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with several reasons counts once)."""
        return len({r.row for r in self.rejects})

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "mapping": self.mapping,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects": [dataclasses.asdict(r) for r in sorted(self.rejects, key=lambda r: r.row)],
            "dry_run": self.dry_run,
            "strict": self.strict,
            "committed": self.committed,
        }


Progress = Callable[[float, str], None]


def _problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, str(message)) for key, messages in exc.message_dict.items() for message in messages]
    return [("", str(message)) for message in exc.messages]


def _reject(row: Row, problems: Sequence[tuple[str, str]]) -> list[Reject]:
    return [
        Reject(
            row=row.line,
            column=row.columns.get(name, name if name != "__all__" else ""),
            value=row[name],
            reason=reason,
        )
        for name, reason in problems
    ]


def read_rows(
    importer: type[Importer], table: Table, mapping: ColumnMapping, *, file_name: str
) -> tuple[dict[str, str], list[Row]]:
    """The columns used per field and the rows; raises :class:`ImportRefused` when a required field has
    no column."""
    columns = resolve_columns(importer.fields, table.header, mapping)
    missing = [f for f in importer.fields if f.required and f.name not in columns]
    if missing:
        raise ImportRefused(
            _("%(file)s: no column for %(fields)s. The file's columns are: %(columns)s.")
            % {
                "file": file_name,
                "fields": ", ".join(f"{f.label} ({f.name})" for f in missing),
                "columns": ", ".join(table.header),
            }
        )
    rows = [
        Row(line=line, values={name: values.get(column, "") for name, column in columns.items()}, columns=columns)
        for line, values in table.records()
    ]
    return columns, rows


def _unsafe(importer: type[Importer], row: Row) -> list[tuple[str, str]]:
    problems = []
    for spec in importer.fields:
        char = forbidden_character(row[spec.name], multiline=spec.multiline)
        if char is not None:
            problems.append(
                (spec.name, _("contains the control character %(char)s") % {"char": describe_character(char)})
            )
    return problems


def run_import(
    importer: type[Importer],
    *,
    actor: Actor,
    path: Path,
    mapping: ColumnMapping,
    file_name: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read ``path``, check every row and write the good ones in one transaction (rolled back for a dry
    run, and with ``strict`` when any row is rejected). Raises :class:`ImportRefused` when the file
    cannot be used, ``PermissionDenied`` when ``actor`` may not import this kind."""
    authorize(actor, importer.permission)
    name = file_name or path.name
    try:
        table = read_table(path, file_name=name, limits=import_limits())
    except LimitExceeded as exc:
        raise ImportRefused(limit_message(exc, file=name)) from exc
    except TableError as exc:
        raise ImportRefused(str(exc)) from exc
    columns, rows = read_rows(importer, table, mapping, file_name=name)
    outcome = ImportOutcome(
        kind=importer.kind,
        file=name,
        mapping=mapping.name,
        columns=columns,
        ignored_columns=[c for c in table.header if c and c not in set(columns.values())],
        rows=len(rows),
        dry_run=dry_run,
        strict=strict,
    )
    worker = importer(actor)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        ordered = worker.order(rows)
        for index, row in enumerate(ordered):
            if progress is not None and index % 50 == 0:
                progress(index / max(len(ordered), 1), _("row %(row)s") % {"row": row.line})
            unsafe = _unsafe(importer, row)
            if unsafe:
                outcome.rejects.extend(_reject(row, unsafe))
                continue
            try:
                with transaction.atomic():
                    counts[worker.apply(row)] += 1
            except RowRejected as exc:
                outcome.rejects.extend(_reject(row, exc.problems))
            except ValidationError as exc:
                outcome.rejects.extend(_reject(row, _problems_of(exc)))
            except PermissionDenied as exc:
                outcome.rejects.extend(_reject(row, [("", str(exc) or _("You do not have permission to do this."))]))
        outcome.created, outcome.updated, outcome.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        outcome.committed = not dry_run and not (strict and outcome.rejects)
        if not outcome.committed:
            transaction.set_rollback(True)
    if progress is not None:
        progress(1.0, _("done"))
    return outcome


def referenced_first(rows: list[Row], *, keys: Sequence[str], reference: str) -> list[Row]:
    """``rows`` with every row after the row its ``reference`` field names (by any of its ``keys``
    fields, compared as :func:`normalise` does): parents before children, managers before their
    reports. Rows in a cycle keep their file order at the end (their link is then refused).

    >>> rows = [Row(2, {"name": "Child", "parent": "Group"}, {}), Row(3, {"name": "Group", "parent": ""}, {})]
    >>> [r.line for r in referenced_first(rows, keys=("name",), reference="parent")]
    [3, 2]
    """
    by_key: dict[str, Row] = {}
    for row in rows:
        for key in keys:
            if row[key]:
                by_key.setdefault(normalise(row[key]), row)
    placed: set[int] = set()
    result: list[Row] = []
    for row in rows:
        chain: list[Row] = []
        current: Row | None = row
        seen: set[int] = set()
        while current is not None and id(current) not in placed and id(current) not in seen:
            seen.add(id(current))
            chain.append(current)
            ref = current[reference]
            current = by_key.get(normalise(ref)) if ref else None
        for item in reversed(chain):
            placed.add(id(item))
            result.append(item)
    return result
