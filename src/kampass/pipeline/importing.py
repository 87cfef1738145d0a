"""Import opportunities from CRM exports (``kampass import opportunities FILE``).

A mapping (YAML, built-in ``salesforce`` and ``generic`` in ``mappings/``, or the user's file)
names the source column of every field, translates the source's stage names to stages of the
default sales process and its forecast categories to kampass's. Layout::

    name: my-crm
    source: my-crm                 # re-imports update by (source, external id)
    columns:                       # field -> column, or a list: the first present wins
      external_id: Id
      name: OpportunityName
      account_id: AccountId
      amount: Amount
      stage: StageName
      is_closed: IsClosed          # optional: the export's closed/won flags
      is_won: IsWon
    default_currency: USD
    date_order: mdy                # only for day/month dates the file's values cannot decide
    date_formats: ["%d %b %Y"]     # optional: further formats (ISO, dotted and slash dates need none)
    stages: {Negotiation: Negotiation/Review}
    forecast_categories: {Best Case: best_case}

Required fields: ``external_id``, ``name``, ``account_id``, ``amount``, ``stage``.

**Contradictions.** When the file has closed/won flags, the stage and the flags must agree:
a won stage needs IsClosed and IsWon true, a lost stage IsClosed true and IsWon false, an open
stage IsClosed and IsWon false. Rows where they disagree are reported one by one with the rule
they break; the import then refuses (writes nothing) unless the user decides which field wins:
``prefer="stage"`` takes the outcome from the stage, ``prefer="flags"`` from the flags (the
stage becomes the won or lost stage, or for rows the flags call open the stage in the
``open_stage`` column; a row without one is rejected). Nothing is guessed.

**Dates** are read by :mod:`kampass.core.dates`: ISO dates and timestamps (also Salesforce REST
``2013-12-20T04:13:07.000+0000``), dotted day-first dates, and slash dates whose day/month order
is decided per column from all its values. A column that cannot be decided is refused with a
question; ``date_order`` in the mapping or ``--date-order dmy|mdy`` answers it.

**Column names** match ignoring case, spaces and underscores (``deal_stage`` is ``Deal Stage``).

**Rows** with a bad required value (id, name, account, amount, stage, the closed/won flags) or an
unknown stage are rejected and reported with file, row, column, value and reason (a row with three
problems is one rejected row with three reasons); the other rows are imported (``strict``: nothing
is). A bad *optional* value (close date, created date, age, probability) does not reject the row:
the field is left empty and a warning names row, column and value. A row without an opened date
(neither a created date nor an age) is rejected: kampass never invents one; so is a won or lost row
without a close date, unless the mapping names a ``stage_changed_date`` column (the date of the last
stage change): then that date is taken and a warning says so. Everything is written
in one transaction; the dry run runs the same checks, account and owner links included, and counts
what it would create and update.

**Accounts** are found by the file's account id as external id; ``link="name"`` also matches
by name (accounts without an external id of their own); ``link="create"`` does both and creates
the accounts still missing (top level, through the accounts services, with the file's id as
external id and "Name (id)" where the name is taken); ``link="keep"`` matches like ``name`` and
keeps the rows still without an account as opportunities awaiting an account
(:class:`~kampass.pipeline.models.UnlinkedOpportunity`, counted as ``unlinked``; a re-run updates
them by external id, or the real opportunity once one was linked); otherwise rows without an
account are rejected. A row that now has an account replaces the unlinked record of its external id.
**Owners** are linked to users by full name or username; the name is kept in ``owner_name`` either way.

**Owner's probability** is taken only from rows the export's flags call open: Salesforce sets
the probability of closed opportunities to 0 or 100 itself, which is no estimate.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, partial
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kampass.accounts.models import Account
from kampass.common.import_limits import import_limits, limit_message
from kampass.common.imports.services import BASE_KEY as SAVED_MAPPING_BASE_KEY
from kampass.common.imports.table import Table, TableError, read_table
from kampass.common.imports.values import HeaderColumns
from kampass.common.permissions import authorize
from kampass.core.analytics.ingest.limits import LimitExceeded
from kampass.core.dates import ORDERS, UndecidableDateOrder, decide_date_order, parse_date
from kampass.core.text_safety import describe_character, forbidden_character, neutralise_row
from kampass.pipeline.models import (
    ForecastCategory,
    Opportunity,
    OpportunityStageChange,
    Outcome,
    Stage,
    StageKind,
    StageSet,
    UnlinkedOpportunity,
)
from kampass.users.actors import Actor
from kampass.users.models import User

BUILT_IN = ("salesforce", "generic")
FIELDS = (
    "external_id",
    "name",
    "account_id",
    "account_name",
    "account_industry",
    "account_country",
    "account_parent",
    "amount",
    "currency",
    "close_date",
    "created_date",
    "stage_changed_date",
    "age_days",
    "stage",
    "open_stage",
    "is_closed",
    "is_won",
    "probability",
    "forecast_category",
    "owner",
    "lead_source",
    "type",
    "description",
)
REQUIRED = ("external_id", "name", "account_id", "amount", "stage")
TRUE = frozenset({"true", "1", "yes", "y", "ja", "wahr", "x"})
FALSE = frozenset({"false", "0", "no", "n", "nein", "falsch", ""})
PREFER = ("stage", "flags")
LINK_MODES = ("external_id", "name", "create", "keep")

#: The contradiction rules: (stage kind, outcome the flags say) -> rule text.
RULES: dict[tuple[str, str], str] = {
    ("won", "open"): "a won stage needs IsClosed=true and IsWon=true, the flags say open",
    ("won", "lost"): "a won stage needs IsWon=true, the flags say lost",
    ("lost", "won"): "a lost stage needs IsWon=false, the flags say won",
    ("lost", "open"): "a lost stage needs IsClosed=true, the flags say open",
    ("open", "won"): "an open stage needs IsClosed=false and IsWon=false, the flags say won",
    ("open", "lost"): "an open stage needs IsClosed=false, the flags say lost",
}
RULE_FLAGS = "IsWon=true needs IsClosed=true"


class OpportunityImportError(Exception):
    """The file or the mapping cannot be used at all (nothing is read or written)."""


@dataclass(frozen=True)
class Mapping:
    name: str
    source: str
    columns: dict[str, tuple[str, ...]]
    default_currency: str
    date_formats: tuple[str, ...]
    stages: dict[str, str]
    forecast_categories: dict[str, str]
    date_order: str = ""


#: the kind of the opportunity mappings saved on the mapping step (:class:`kampass.common.models.ImportMapping`)
SAVED_KIND = "opportunities"
#: the key of a saved mapping's ``columns`` that names the built-in mapping it started from (its stage names,
#: forecast categories, currency and source); every other key is a field
BASE_KEY = SAVED_MAPPING_BASE_KEY


def saved_mapping_names() -> list[str]:
    """The names of the opportunity mappings saved on the mapping step."""
    from kampass.common.models import ImportMapping

    return list(ImportMapping.objects.filter(kind=SAVED_KIND).order_by("name").values_list("name", flat=True))


def with_columns(mapping: Mapping, columns: dict[str, str], *, name: str | None = None) -> Mapping:
    """``mapping`` reading each field from the one column chosen for it (fields left out are not read);
    refuses an unknown field or a required field without a column, naming them."""
    chosen = {f: c for f, c in columns.items() if c}
    unknown = sorted(set(chosen) - set(FIELDS))
    if unknown:
        raise OpportunityImportError(_("Unknown field(s) %(fields)s.") % {"fields": ", ".join(unknown)})
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        raise OpportunityImportError(
            _("Choose a column for the required field(s) %(fields)s.") % {"fields": ", ".join(missing)}
        )
    return dataclasses.replace(mapping, name=name or mapping.name, columns={f: (c,) for f, c in chosen.items()})


def base_of(name: str) -> str:
    """The built-in mapping ``name`` is (or, saved on the mapping step, started from); ``generic`` otherwise."""
    from kampass.common.models import ImportMapping

    if name in BUILT_IN:
        return name
    saved = ImportMapping.objects.filter(kind=SAVED_KIND, name=name).first()
    base = str(((saved.columns or {}).get(BASE_KEY) or ["generic"])[0]) if saved is not None else "generic"
    return base if base in BUILT_IN else "generic"


def _saved_mapping(name: str) -> Mapping | None:
    """The opportunity mapping saved under ``name``: its columns over the built-in mapping it started from."""
    from kampass.common.models import ImportMapping

    saved = ImportMapping.objects.filter(kind=SAVED_KIND, name=name).first()
    if saved is None:
        return None
    data = dict(saved.columns or {})
    base = str((data.pop(BASE_KEY, None) or ["generic"])[0])
    columns = {str(f): (c[0] if isinstance(c, list) else str(c)) for f, c in data.items() if c}
    return with_columns(load_mapping(base if base in BUILT_IN else "generic"), columns, name=saved.name)


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A built-in mapping by name (``salesforce``, ``generic``), a mapping saved on the mapping step by its
    name, or a YAML file."""
    if isinstance(name_or_path, str) and name_or_path in BUILT_IN:
        text = resources.files("kampass.pipeline").joinpath("mappings", f"{name_or_path}.yaml").read_text("utf-8")
        source_name, stem = f"{name_or_path}.yaml (built-in)", name_or_path
    else:
        path = Path(name_or_path)
        if not path.is_file():
            saved = _saved_mapping(str(name_or_path)) if str(name_or_path).strip() else None
            if saved is not None:
                return saved
            known = ", ".join([*BUILT_IN, *saved_mapping_names()])
            raise OpportunityImportError(
                _("%(name)s: no such mapping file and no built-in or saved mapping (known: %(known)s)")
                % {"name": name_or_path, "known": known}
            )
        text, source_name, stem = path.read_text("utf-8"), str(path), path.stem
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OpportunityImportError(f"{source_name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise OpportunityImportError(f"{source_name}: a mapping needs a 'columns' section (field: column)")
    unknown = set(data["columns"]) - set(FIELDS)
    if unknown:
        raise OpportunityImportError(f"{source_name}: unknown field(s) in columns: {', '.join(sorted(unknown))}")
    missing = [f for f in REQUIRED if f not in data["columns"]]
    if missing:
        raise OpportunityImportError(f"{source_name}: columns must name {', '.join(missing)}")
    columns = {
        k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in data["columns"].items() if v not in (None, "")
    }
    categories = {str(k): str(v) for k, v in (data.get("forecast_categories") or {}).items()}
    bad = sorted(set(categories.values()) - set(ForecastCategory.values))
    if bad:
        raise OpportunityImportError(f"{source_name}: unknown forecast categories {', '.join(bad)}")
    date_order = str(data.get("date_order") or "")
    if date_order and date_order not in ORDERS:
        raise OpportunityImportError(
            _("%(mapping)s: date_order must be one of %(orders)s, not “%(value)s”")
            % {"mapping": source_name, "orders": ", ".join(ORDERS), "value": date_order}
        )
    return Mapping(
        name=str(data.get("name") or stem),
        source=str(data.get("source") or data.get("name") or stem),
        columns=columns,
        default_currency=str(data.get("default_currency") or "EUR"),
        date_formats=tuple(data.get("date_formats") or ("%Y-%m-%d",)),
        stages={str(k): str(v) for k, v in (data.get("stages") or {}).items()},
        forecast_categories=categories,
        date_order=date_order,
    )


@dataclass(frozen=True)
class Reject:
    """A row that was not imported."""

    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class ImportWarning:
    """An optional value that was left empty; the row was imported without it."""

    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Contradiction:
    """A row whose stage and closed/won flags disagree."""

    row: int
    external_id: str
    stage: str
    is_closed: str
    is_won: str
    rule: str


@dataclass
class ImportResult:
    file: str
    mapping: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    date_orders: dict[str, str] = field(default_factory=dict)
    contradictions: list[Contradiction] = field(default_factory=list)
    prefer: str = ""
    refused: bool = False
    committed: bool = False
    dry_run: bool = False
    accounts_created: int = 0
    accounts_missing: list[str] = field(default_factory=list)
    owners_linked: int = 0
    owners_unlinked: list[str] = field(default_factory=list)
    #: rows kept as opportunities without an account (``link="keep"``), of them new ones
    unlinked: int = 0
    unlinked_new: int = 0
    #: opportunities without an account replaced by a real opportunity of the row's (now found) account
    unlinked_replaced: int = 0

    @property
    def rejected_rows(self) -> int:
        """The number of rejected rows (a row with several problems counts once)."""
        return len({r.row for r in self.rejects})

    def contradiction_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.contradictions:
            counts[c.rule] = counts.get(c.rule, 0) + 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mapping": self.mapping,
            "source": self.source,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected_rows,
            "reject_reasons": len(self.rejects),
            "rejects": [r.__dict__ for r in self.rejects],
            "warnings": [w.__dict__ for w in self.warnings],
            "date_orders": self.date_orders,
            "contradictions": len(self.contradictions),
            "contradiction_rules": self.contradiction_counts(),
            "contradiction_rows": [c.__dict__ for c in self.contradictions],
            "prefer": self.prefer or None,
            "refused": self.refused,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "accounts_created": self.accounts_created,
            "accounts_missing": len(self.accounts_missing),
            "owners_linked": self.owners_linked,
            "owners_unlinked": self.owners_unlinked,
            "unlinked": self.unlinked,
            "unlinked_new": self.unlinked_new,
            "unlinked_replaced": self.unlinked_replaced,
        }


def read_file(path: Path, *, file_name: str) -> Table:
    """The file's header and rows, read the way every import of kampass reads a file
    (:func:`kampass.common.imports.table.read_table`: CSV plain or gzipped with any delimiter, UTF-8 or
    Windows-1252, or XLSX) within the installation's import limits; raises :class:`OpportunityImportError`
    naming what is wrong."""
    try:
        return read_table(path, file_name=file_name, limits=import_limits())
    except LimitExceeded as exc:
        raise OpportunityImportError(limit_message(exc, file=file_name)) from exc
    except TableError as exc:
        raise OpportunityImportError(str(exc)) from exc


_NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?")


def _parse_date(value: str, order: str, formats: tuple[str, ...]) -> dt.date | None:
    """The date of ``value``: the one parser of :mod:`kampass.core.dates`; the mapping's formats only
    for values that are not numeric dates (e.g. ``%d %b %Y``), never to guess a day/month order."""
    day = parse_date(value, order, tz=timezone.get_current_timezone())
    if day is not None or _NUMERIC_DATE.fullmatch(value.strip()):
        return day
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _parse_amount(value: str) -> Decimal | None:
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


@dataclass
class _Row:
    line: int
    external_id: str
    name: str
    account_id: str
    account_name: str
    account_industry: str
    amount: Decimal
    currency: str
    close_date: dt.date | None
    created_on: dt.date
    stage: Stage
    outcome: str
    owner_probability: int | None
    forecast_category: str
    owner: str
    lead_source: str
    opportunity_type: str
    description: str
    account_country: str = ""
    account_parent: str = ""


def import_opportunities(
    *,
    actor: Actor,
    path: Path,
    mapping: str | Path = "salesforce",
    prefer: str = "",
    link: str = "external_id",
    dry_run: bool = False,
    strict: bool = False,
    date_order: str = "",
    display_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    columns: dict[str, str] | None = None,
) -> ImportResult:
    """Read, check and (unless refused or ``dry_run``) write the opportunities of ``path``.

    ``date_order`` (``dmy`` or ``mdy``) answers the day/month order of slash dates for the
    columns whose values do not decide it (overrides the mapping's ``date_order``). ``columns``
    (field -> the file's column, as chosen on the mapping step) replace the mapping's columns."""
    authorize(actor, "pipeline.import_opportunities")
    _check_options(prefer=prefer, link=link, date_order=date_order)
    m = load_mapping(mapping)
    if columns:
        m = with_columns(m, columns)
    if date_order:
        m = Mapping(**{**m.__dict__, "date_order": date_order})
    file_name = display_name or path.name
    result = ImportResult(file=file_name, mapping=m.name, source=m.source, prefer=prefer, dry_run=dry_run)
    rows, account_column = _read_rows(
        path, mapping=m, file_name=file_name, prefer=prefer, result=result, progress=progress
    )
    result.contradictions.sort(key=lambda c: c.row)

    if result.contradictions and not prefer:
        result.refused = True
        return result
    if strict and result.rejects:
        return result
    if progress is not None:
        progress(0.4, "checking links" if dry_run else "writing")
    write = partial(
        _write, actor=actor, rows=rows, mapping=m, link=link, file_name=file_name, account_column=account_column
    )
    if dry_run or strict:
        # the same checks as the real run (account links, owners), writing nothing
        write(result=result, dry_run=True)
        if dry_run or result.rejects:
            return result
        result.created = result.updated = result.unchanged = result.accounts_created = 0
        result.unlinked = result.unlinked_new = result.unlinked_replaced = 0
    with transaction.atomic():
        write(result=result)
    result.committed = True
    return result


def _check_options(*, prefer: str, link: str, date_order: str = "") -> None:
    if prefer and prefer not in PREFER:
        raise OpportunityImportError(f"--prefer must be one of {', '.join(PREFER)}")
    if link not in LINK_MODES:
        raise OpportunityImportError(f"--link must be one of {', '.join(LINK_MODES)}")
    if date_order and date_order not in ORDERS:
        raise OpportunityImportError(_("--date-order must be one of %(orders)s") % {"orders": ", ".join(ORDERS)})


def _columns(header: Sequence[str], mapping: Mapping, file_name: str) -> dict[str, str]:
    """The file's column of each field of the mapping (the first candidate present, names compared by
    :func:`~kampass.common.imports.values.normalise`); every required field needs one."""
    columns = HeaderColumns(header)
    col = {f: c for f, candidates in mapping.columns.items() if (c := columns.find(candidates)) is not None}
    missing = [f"{f} ({' | '.join(mapping.columns[f])})" for f in REQUIRED if f not in col]
    if missing:
        raise OpportunityImportError(
            f"{file_name}: missing column(s) {', '.join(missing)}; the file has {', '.join(header)}"
        )
    return col


def suggest_columns(header: Sequence[str], mapping: Mapping) -> dict[str, str]:
    """The mapping step's suggestion, field -> the file's column: the mapping's candidates first, then the
    field's own name (``close_date``) and the English and German names of the generic mapping; names are
    compared by :func:`~kampass.common.imports.values.normalise` and no column is suggested for two fields."""
    columns = HeaderColumns(header)
    generic = load_mapping("generic") if mapping.name != "generic" else mapping
    found: dict[str, str] = {}
    for candidates_of in (
        lambda f: mapping.columns.get(f, ()),
        lambda f: (f, *generic.columns.get(f, ())),
    ):
        for f in FIELDS:
            if f not in found and (column := columns.find(candidates_of(f), take=True)) is not None:
                found[f] = column
    return found


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file as it will be stored (``values`` by field, ``None`` when the row is rejected),
    with what the import says about it."""

    line: int
    values: dict[str, str] | None
    problems: list[str]


@dataclass(frozen=True)
class Preview:
    """The mapping step: the file's columns, the column per field, and the first rows as they will be stored."""

    header: tuple[str, ...]
    columns: dict[str, str]
    missing: list[str]
    rows: list[PreviewRow]
    total_rows: int
    date_orders: dict[str, str]
    #: why the rows cannot be read with these columns and options (e.g. an undecidable day/month order)
    error: str = ""


def preview_opportunities(
    *,
    actor: Actor,
    path: Path,
    mapping: str | Path = "salesforce",
    columns: dict[str, str] | None = None,
    prefer: str = "",
    link: str = "external_id",
    date_order: str = "",
    display_name: str | None = None,
    limit: int = 5,
) -> Preview:
    """The first ``limit`` rows of ``path`` as the import would store them, read by the import's own reader
    (day/month order decided from the whole column, amounts, stages, the account each row links to), with
    each row's rejects, warnings and contradictions. ``columns`` (field -> column) replace the mapping's; a
    required field without a column leaves the rows out and is named in ``missing``. Writes nothing."""
    authorize(actor, "pipeline.import_opportunities")
    _check_options(prefer=prefer, link=link, date_order=date_order)
    file_name = display_name or path.name
    table = read_file(path, file_name=file_name)
    header = table.header
    m = load_mapping(mapping)
    chosen = {f: c for f, c in (columns if columns is not None else suggest_columns(header, m)).items() if c}
    unknown = sorted({c for c in chosen.values() if c not in header})
    if unknown:
        raise OpportunityImportError(
            _("%(file)s has no column %(columns)s.") % {"file": file_name, "columns": ", ".join(unknown)}
        )
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        return Preview(header, chosen, missing, [], 0, {})
    m = with_columns(m, chosen)
    if date_order:
        m = dataclasses.replace(m, date_order=date_order)
    result = ImportResult(file=file_name, mapping=m.name, source=m.source, prefer=prefer, dry_run=True)
    try:
        col, raws, orders = _raw_rows(table, mapping=m, file_name=file_name, result=result)
    except OpportunityImportError as exc:
        return Preview(header, chosen, [], [], 0, {}, error=str(exc))
    from kampass.pipeline.services import default_stage_set

    reader = _RowReader(
        file_name=file_name, mapping=m, col=col, stages=_Stages.of(default_stage_set(), m), prefer=prefer,
        result=result, today=timezone.localdate(), date_orders=orders,
    )  # fmt: skip
    read = [(line, reader.read(raw, line)) for raw, line in raws[:limit]]
    rows = [r for _line, r in read if r is not None]
    accounts = _link_accounts(actor=actor, rows=rows, link=link, result=result, dry_run=True) if rows else {}
    out: list[PreviewRow] = []
    for line, r in read:
        problems = [
            *(f"{x.column} “{x.value}”: {x.reason}" for x in result.rejects if x.row == line),
            *(f"{x.column} “{x.value}”: {x.reason}" for x in result.warnings if x.row == line),
            *(x.rule for x in result.contradictions if x.row == line),
        ]
        out.append(PreviewRow(line, _stored_values(r, accounts, link, m) if r is not None else None, problems))
    return Preview(header, chosen, [], out, len(raws), dict(result.date_orders))


def _stored_values(r: _Row, accounts: dict[str, Account], link: str, mapping: Mapping) -> dict[str, str]:
    """A read row's values as the import stores them, as text for the preview."""
    account = accounts.get(r.account_id)
    if account is _WOULD_CREATE:
        linked = _("new account “%(name)s” (%(id)s)") % {"name": r.account_name, "id": r.account_id}
    elif account is not None:
        linked = account.name
    elif link == "keep":
        linked = _("no matching account: kept without an account")
    else:
        linked = _("no matching account")
    return {
        "external_id": r.external_id,
        "name": r.name,
        "account": linked,
        "amount": f"{r.amount} {r.currency if len(r.currency) == 3 else mapping.default_currency}",
        "stage": r.stage.name,
        "outcome": str(Outcome(r.outcome).label),
        "created_on": r.created_on.isoformat() if r.created_on else "",
        "close_date": r.close_date.isoformat() if r.close_date else "",
        "probability": f"{r.owner_probability} %" if r.owner_probability is not None else "",
        "forecast_category": str(ForecastCategory(r.forecast_category).label),
        "owner": r.owner,
    }


def _raw_rows(
    table: Table, *, mapping: Mapping, file_name: str, result: ImportResult
) -> tuple[dict[str, str], list[tuple[dict[str, Any], int]], dict[str, str]]:
    """The file's column per field, its rows with their line numbers, and the day/month order of each date
    field's column, decided from all its values (recorded in ``result.date_orders``)."""
    col = _columns(table.header, mapping, file_name)
    raws = [(raw, line) for line, raw in table.records()]
    orders: dict[str, str] = {}
    for f in ("close_date", "created_date", "stage_changed_date"):
        if f not in col:
            continue
        try:
            order, _evidence = decide_date_order(
                ((raw.get(col[f]) or "") for raw, _line in raws),
                file=file_name,
                column=col[f],
                given=mapping.date_order,
            )
        except UndecidableDateOrder as exc:
            raise OpportunityImportError(
                _(
                    "%(file)s, column %(column)s: is it day/month or month/day? %(detail)s. "
                    "Say which with --date-order dmy or --date-order mdy (or date_order: in the mapping)."
                )
                % {"file": file_name, "column": col[f], "detail": _undecidable_detail(exc)}
            ) from exc
        if order:
            orders[f] = order
            result.date_orders[col[f]] = order
    return col, raws, orders


def _read_rows(
    path: Path,
    *,
    mapping: Mapping,
    file_name: str,
    prefer: str,
    result: ImportResult,
    progress: Callable[[float, str], None] | None,
) -> tuple[list[_Row], str]:
    """The importable rows of the file and the file's account id column; rejects and contradictions
    go to ``result``."""
    from kampass.pipeline.services import default_stage_set

    col, raws, orders = _raw_rows(
        read_file(path, file_name=file_name), mapping=mapping, file_name=file_name, result=result
    )
    rows_of = _RowReader(
        file_name=file_name,
        mapping=mapping,
        col=col,
        stages=_Stages.of(default_stage_set(), mapping),
        prefer=prefer,
        result=result,
        today=timezone.localdate(),
        date_orders=orders,
    )
    rows: list[_Row] = []
    for raw, line in raws:
        result.rows += 1
        row = rows_of.read(raw, line)
        if row is None:
            continue
        rows.append(row)
        if progress is not None and result.rows % 1000 == 0:
            progress(0.3, f"{result.rows} rows read")
    return rows, col["account_id"]


def _undecidable_detail(exc: UndecidableDateOrder) -> str:
    """Why a column's day/month order is undecidable, in the user's language, with sample values."""
    e = exc.evidence
    if e.contradictory:
        return _("some values are day first (%(dmy)s), others month first (%(mdy)s)") % {
            "dmy": ", ".join(e.dmy),
            "mdy": ", ".join(e.mdy),
        }
    return _("every value fits both day/month and month/day (e.g. %(values)s)") % {"values": ", ".join(e.ambiguous)}


def _flag(value: str) -> bool | None:
    """A closed/won flag of the export: true, false, or ``None`` when it is neither."""
    v = value.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


@dataclass(frozen=True)
class _Stages:
    """The stages of the default sales process, found by their name or by the mapping's name for them."""

    stages: list[Stage]
    by_name: dict[str, Stage]
    aliases: dict[str, Stage]
    won: Stage
    lost: Stage

    @classmethod
    def of(cls, stage_set: StageSet, mapping: Mapping) -> _Stages:
        stages = list(stage_set.stages.all())
        by_name = {s.name.lower(): s for s in stages}
        return cls(
            stages=stages,
            by_name=by_name,
            aliases={k.lower(): by_name[v.lower()] for k, v in mapping.stages.items() if v.lower() in by_name},
            won=min((s for s in stages if s.kind == StageKind.WON), key=lambda s: s.order),
            lost=min((s for s in stages if s.kind == StageKind.LOST), key=lambda s: s.order),
        )

    def find(self, value: str) -> Stage | None:
        key = value.strip().lower()
        return self.aliases.get(key) or self.by_name.get(key)


class _Skip(Exception):
    """The row is not imported (why has been recorded in the result, or it is a contradiction)."""


@dataclass(frozen=True)
class _Cells:
    """The cells of one row of the file by field, and a way to reject the row naming one of them."""

    raw: dict[str, Any]
    line: int
    col: dict[str, str]
    file_name: str
    result: ImportResult

    def get(self, f: str) -> str:
        return (self.raw.get(self.col[f]) or "").strip() if f in self.col else ""

    def reject(self, f: str, reason: str) -> None:
        self.result.rejects.append(Reject(self.file_name, self.line, self.col.get(f, f), self.get(f), reason))

    def warn(self, f: str, reason: str) -> None:
        """An optional value is bad: the field is left empty, the row is imported."""
        self.result.warnings.append(ImportWarning(self.file_name, self.line, self.col.get(f, f), self.get(f), reason))


@dataclass(frozen=True)
class _Checked:
    """The values of a row that passed the checks of its cells."""

    external_id: str
    name: str
    account_id: str
    amount: Decimal
    close_date: dt.date | None
    created_on: dt.date | None
    stage: Stage
    is_closed: bool | None
    is_won: bool | None
    probability: int | None
    currency: str


@dataclass
class _RowReader:
    """Turns the rows of one file into ``_Row`` records; rejects and contradictions go to ``result``."""

    file_name: str
    mapping: Mapping
    col: dict[str, str]
    stages: _Stages
    prefer: str
    result: ImportResult
    today: dt.date
    date_orders: dict[str, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    @property
    def has_flags(self) -> bool:
        return "is_closed" in self.col

    def read(self, raw: dict[str, Any], line: int) -> _Row | None:
        """The row to import, or ``None`` when it is rejected or contradicts itself."""
        cells = _Cells(raw, line, self.col, self.file_name, self.result)
        try:
            checked = self._checked(cells)
            self.seen[checked.external_id] = line
            outcome, stage, flags_open = self._outcome(cells, checked)
            if outcome != Outcome.OPEN and checked.close_date is None:
                checked = dataclasses.replace(checked, close_date=self._closed_on(cells))
            created_on = self._created_on(cells, checked, still_open=outcome == Outcome.OPEN)
            if created_on is None:
                cells.reject(
                    "created_date" if "created_date" in self.col else "age_days",
                    _("no opened date (neither a created date nor an age); kampass does not invent one"),
                )
                raise _Skip
        except _Skip:
            return None
        has_flags = self.has_flags
        return _Row(
            line=line,
            external_id=checked.external_id,
            name=checked.name[:300],
            account_id=checked.account_id,
            account_name=cells.get("account_name") or checked.account_id,
            account_industry=cells.get("account_industry"),
            amount=checked.amount.quantize(Decimal("0.01")),
            currency=checked.currency,
            close_date=checked.close_date,
            created_on=created_on,
            stage=stage,
            outcome=outcome,
            owner_probability=checked.probability if (flags_open if has_flags else outcome == Outcome.OPEN) else None,
            forecast_category=self._forecast_category(cells.get("forecast_category"), outcome),
            owner=cells.get("owner"),
            lead_source=cells.get("lead_source"),
            opportunity_type=cells.get("type"),
            description=cells.get("description"),
            account_country=self._country(cells),
            account_parent=cells.get("account_parent"),
        )

    @staticmethod
    def _country(cells: _Cells) -> str:
        """The ISO code of the account's country (code or English/German name); a bad one is left empty
        with a warning (it only matters for an account the import creates)."""
        from kampass.common.imports.values import country_code

        code = country_code(cells.get("account_country"))
        if code is None:
            cells.warn("account_country", _("not a country code or a country name in English or German; left empty"))
            return ""
        return code

    def _date(self, cells: _Cells, f: str) -> dt.date | None:
        """The date in column ``f``; ``None`` when empty or bad (then with a warning: dates are optional)."""
        if not cells.get(f):
            return None
        order = self.date_orders.get(f, "")
        day = _parse_date(cells.get(f), order, self.mapping.date_formats)
        if day is None:
            reading = {"dmy": _("day/month/year"), "mdy": _("month/day/year")}.get(order, _("ISO or day.month.year"))
            cells.warn(f, _("not a date (read as %(reading)s); left empty") % {"reading": reading})
        return day

    def _closed_on(self, cells: _Cells) -> dt.date:
        """The close date of a won or lost deal without one: the date of its last stage change, when the
        mapping names such a column (with a warning); otherwise the row is rejected (``_Skip``)."""
        if "stage_changed_date" in self.col and (changed := self._date(cells, "stage_changed_date")) is not None:
            cells.warn(
                "close_date",
                _("a closed deal without a close date: the date of its last stage change (%(date)s) is taken")
                % {"date": changed.isoformat()},
            )
            return changed
        cells.reject(
            "close_date",
            _("a closed deal (won or lost) without a close date; kampass does not invent one"),
        )
        raise _Skip

    def _checked(self, cells: _Cells) -> _Checked:
        """Check every cell of the row, rejecting each bad one; ``_Skip`` if any was bad."""
        get = cells.get
        external_id, name, account_id = get("external_id"), get("name"), get("account_id")
        problems = False
        for f, value in (("external_id", external_id), ("name", name), ("account_id", account_id)):
            if not value:
                cells.reject(f, "empty")
                problems = True
        for f in cells.col:
            if (char := forbidden_character(get(f), multiline=f == "description")) is not None:
                cells.reject(
                    f, _("holds a control or text-direction character (%(char)s)") % {"char": describe_character(char)}
                )
                problems = True
        if external_id and external_id in self.seen:
            cells.reject("external_id", f"the same id is in row {self.seen[external_id]} already")
            problems = True
        amount = _parse_amount(get("amount"))
        if amount is None or amount < 0:
            cells.reject("amount", "not an amount" if amount is None else "negative")
            problems = True
        close_date = self._date(cells, "close_date")
        created_on = self._date(cells, "created_date")
        stage = self.stages.find(get("stage"))
        if stage is None:
            known = ", ".join(sorted({*self.mapping.stages, *(s.name for s in self.stages.stages)}))
            cells.reject("stage", f"unknown stage (known: {known})")
            problems = True
        is_closed = _flag(get("is_closed")) if self.has_flags else None
        is_won = _flag(get("is_won")) if "is_won" in self.col else None
        if self.has_flags and is_closed is None:
            cells.reject("is_closed", "not true or false")
            problems = True
        if "is_won" in self.col and is_won is None:
            cells.reject("is_won", "not true or false")
            problems = True
        probability = None
        if get("probability"):
            p = _parse_amount(get("probability").rstrip("%"))
            if p is None or not 0 <= p <= 100:
                cells.warn("probability", _("not a percentage from 0 to 100; left empty"))
            else:
                probability = int(p.to_integral_value())
        currency = (get("currency") or self.mapping.default_currency).upper()
        if problems or stage is None or amount is None:
            raise _Skip
        return _Checked(
            external_id, name, account_id, amount, close_date, created_on, stage, is_closed, is_won, probability,
            currency,
        )  # fmt: skip

    def _outcome(self, cells: _Cells, checked: _Checked) -> tuple[str, Stage, bool | None]:
        """Outcome and stage of the row, and whether its flags call it open (``None`` without flags).

        Where stage and flags disagree the contradiction is recorded; ``prefer`` decides which wins
        (``_Skip`` when neither may)."""
        stage = checked.stage
        outcome = {"open": Outcome.OPEN, "won": Outcome.WON, "lost": Outcome.LOST}[stage.kind]
        if not self.has_flags:
            return outcome, stage, None
        is_closed, is_won = checked.is_closed, checked.is_won
        flags_open = not is_closed

        def contradiction(rule: str) -> None:
            get = cells.get
            self.result.contradictions.append(
                Contradiction(cells.line, checked.external_id, get("stage"), get("is_closed"), get("is_won"), rule)
            )

        if is_won and not is_closed:
            contradiction(RULE_FLAGS)
            if self.prefer != "stage":
                raise _Skip
            return outcome, stage, flags_open
        by_flags = Outcome.OPEN if not is_closed else (Outcome.WON if is_won else Outcome.LOST)
        if by_flags == outcome:
            return outcome, stage, flags_open
        contradiction(RULES[(stage.kind, str(by_flags))])
        if self.prefer != "flags":
            return outcome, stage, flags_open
        if by_flags == Outcome.WON:
            return by_flags, self.stages.won, flags_open
        if by_flags == Outcome.LOST:
            return by_flags, self.stages.lost, flags_open
        alt = self.stages.find(cells.get("open_stage")) if cells.get("open_stage") else None
        if alt is None or alt.kind != StageKind.OPEN:
            cells.reject(
                "open_stage" if "open_stage" in self.col else "stage",
                "the flags say open but the stage is closed and no open stage is given",
            )
            raise _Skip
        return by_flags, alt, flags_open

    def _created_on(self, cells: _Cells, checked: _Checked, *, still_open: bool) -> dt.date | None:
        """The creation date, or (without one) the row's age in days back from the close date of a deal
        that is closed as imported (also when its flags said open and the stage decided it: Salesforce's
        age of a closed deal runs to its close), or back from today for one that is open; ``None`` (with
        a warning) when the age is not a number of days."""
        if checked.created_on is not None or not cells.get("age_days"):
            return checked.created_on
        try:
            age = int(Decimal(cells.get("age_days")))
            if age < 0:
                raise ValueError(age)
            return ((checked.close_date or self.today) if not still_open else self.today) - dt.timedelta(days=age)
        except (InvalidOperation, ValueError, OverflowError):
            cells.warn("age_days", _("not a number of days; left empty"))
            return None

    @cached_property
    def _categories(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.mapping.forecast_categories.items()}

    def _forecast_category(self, value: str, outcome: str) -> str:
        """kampass's forecast category for the file's, consistent with the outcome."""
        forecast = self._categories.get(value.lower(), ForecastCategory.PIPELINE)
        if outcome == Outcome.WON:
            return ForecastCategory.CLOSED
        if outcome == Outcome.LOST:
            return ForecastCategory.OMITTED
        if forecast in (ForecastCategory.CLOSED, ForecastCategory.OMITTED):
            return ForecastCategory.PIPELINE
        return forecast


#: Stands for an account the import would create (dry run): rows linked to it are not rejected.
_WOULD_CREATE = Account(name="")


def _link_accounts(
    *, actor: Actor, rows: list[_Row], link: str, result: ImportResult, dry_run: bool = False
) -> dict[str, Account]:
    """The account of every account id of ``rows``; with ``link="create"`` the missing ones are
    created (``dry_run``: counted and stood in for by ``_WOULD_CREATE``)."""
    from kampass.accounts.services import account_create

    ids = sorted({r.account_id for r in rows})
    found: dict[str, Account] = {}
    for a in Account.objects.filter(external_id__in=ids).order_by("-depth", "pk"):
        found[a.external_id] = a  # the shallowest wins
    names = {r.account_id: (r.account_name, r.account_industry) for r in rows}
    extra = {r.account_id: (r.account_country, r.account_parent, r.line) for r in rows}
    if link in ("name", "create", "keep"):
        wanted = {names[i][0].lower(): i for i in ids if i not in found}
        # by name, but never an account that carries another system's id
        candidates = Account.objects.annotate(lname=Lower("name")).filter(lname__in=list(wanted), external_id="")
        for a in candidates.order_by("-depth", "pk"):
            found.setdefault(wanted[a.name.lower()], a)
    if link == "create":
        taken = {n.lower() for n in Account.objects.filter(parent__isnull=True).values_list("name", flat=True)}
        for i in _parents_first([i for i in ids if i not in found], extra):
            name, industry = names[i]
            country, parent_ref, line = extra[i]
            parent = _parent_of(parent_ref, found) if parent_ref else None
            if parent_ref and parent is None:
                result.warnings.append(ImportWarning(
                    result.file, line, "account_parent", parent_ref,
                    _("no account has this external id or name; the account is created at the top level"),
                ))  # fmt: skip
            name = name[:200]
            if parent is None and name.lower() in taken:
                name = f"{name[:180]} ({i})"
            if parent is None:
                taken.add(name.lower())
            if dry_run:
                found[i] = _WOULD_CREATE
            else:
                found[i] = account_create(
                    actor=actor, name=name, external_id=i, industry=industry[:100], country=country,
                    parent=parent if parent is not _WOULD_CREATE else None,
                )  # fmt: skip
            result.accounts_created += 1
    result.accounts_missing = [i for i in ids if i not in found]
    return found


def _parents_first(missing: list[str], extra: dict[str, tuple[str, str, int]]) -> list[str]:
    """The account ids to create, each after the new account the file names as its parent."""
    wanted, ordered, placed = set(missing), [], set()
    for start in missing:
        chain, current = [], start
        while current in wanted and current not in placed and current not in chain:
            chain.append(current)
            current = extra[current][1]
        for i in reversed(chain):
            placed.add(i)
            ordered.append(i)
    return ordered


def _parent_of(ref: str, found: dict[str, Account]) -> Account | None:
    """The parent a file names for an account it creates: another account of the file (by its id), else an
    account by external id, else by name (only when one account has it)."""
    if ref in found:
        return found[ref]
    by_id = list(Account.objects.filter(external_id=ref)[:2])
    if len(by_id) == 1:
        return by_id[0]
    by_name = list(Account.objects.annotate(lname=Lower("name")).filter(lname=ref.lower())[:2])
    return by_name[0] if len(by_name) == 1 else None


def _link_owners(rows: list[_Row], result: ImportResult) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    names = {r.owner for r in rows if r.owner}
    users: dict[str, Any] = {}
    for u in get_user_model().objects.filter(is_active=True):
        for key in (u.get_full_name().strip().lower(), u.username.lower()):
            if key:
                users.setdefault(key, u)
    linked = {n: users[n.lower()] for n in names if n.lower() in users}
    result.owners_linked = len(linked)
    result.owners_unlinked = sorted(names - set(linked))
    return linked


UPDATABLE = (
    "name",
    "account_id",
    "amount",
    "currency",
    "expected_close_date",
    "owner_probability",
    "forecast_category",
    "lead_source",
    "opportunity_type",
    "outcome",
    "closed_on",
    "owner_id",
    "owner_name",
    "description",
    "stage_id",
)


def _write(
    *,
    actor: Actor,
    rows: list[_Row],
    mapping: Mapping,
    link: str,
    result: ImportResult,
    file_name: str,
    account_column: str,
    dry_run: bool = False,
) -> None:
    """Link accounts and owners, then create and update the opportunities; ``dry_run`` does every
    check and count of the real run (rejects, created, updated, unchanged) but writes nothing."""
    accounts = _link_accounts(actor=actor, rows=rows, link=link, result=result, dry_run=dry_run)
    owners = _link_owners(rows, result)
    matching = Opportunity.objects.filter(source=mapping.source, external_id__in=[r.external_id for r in rows])
    if not dry_run:
        # locked until the import commits (PostgreSQL): an edit saved meanwhile cannot slip in between
        # reading and the bulk update below, which raises the version of what it changes
        matching = matching.select_for_update()
    existing = {o.external_id: o for o in matching}
    waiting = UnlinkedOpportunity.objects.filter(source=mapping.source, external_id__in=[r.external_id for r in rows])
    unlinked = {u.external_id: u for u in (waiting if dry_run else waiting.select_for_update())}
    keep_new: list[UnlinkedOpportunity] = []
    keep_changed: list[UnlinkedOpportunity] = []
    now = timezone.now()
    by = actor if isinstance(actor, User) and actor.pk else None
    new: list[Opportunity] = []
    changed: list[Opportunity] = []
    moves: list[tuple[Opportunity, int | None, Stage]] = []
    for r in rows:
        account = accounts.get(r.account_id)
        if account is None and link == "keep":
            o = existing.get(r.external_id)
            if o is not None:
                account = Account(pk=o.account_id)  # linked meanwhile: updated as any other, on its account
            else:
                _keep(r, unlinked.get(r.external_id), mapping, file_name, owners, keep_new, keep_changed, result)
                continue
        if account is None:
            hint = "use --link create to create it" if link != "create" else ""
            reason = f"no account with this external id{' or name' if link == 'name' else ''}; {hint}".rstrip("; ")
            result.rejects.append(Reject(file_name, r.line, account_column, r.account_id, reason))
            continue
        owner = owners.get(r.owner)
        values = {
            "name": r.name,
            "account_id": account.pk,  # None for an account the dry run would create
            "amount": r.amount,
            "currency": r.currency if len(r.currency) == 3 else mapping.default_currency,
            "expected_close_date": r.close_date,
            "owner_probability": r.owner_probability,
            "forecast_category": r.forecast_category,
            "lead_source": r.lead_source[:100],
            "opportunity_type": r.opportunity_type[:100],
            "outcome": r.outcome,
            "closed_on": r.close_date if r.outcome != Outcome.OPEN else None,  # a closed row has one
            "owner_id": owner.pk if owner else None,
            "owner_name": r.owner[:200],
            "description": r.description,
            "stage_id": r.stage.pk,
        }
        o = existing.get(r.external_id)
        if o is None:
            o = Opportunity(
                stage_set_id=r.stage.stage_set_id,
                created_on=r.created_on,
                source=mapping.source,
                external_id=r.external_id,
                **values,
            )
            new.append(o)
            moves.append((o, None, r.stage))
            continue
        diff = {k: v for k, v in values.items() if getattr(o, k) != v}
        if r.created_on and o.created_on != r.created_on:
            diff["created_on"] = r.created_on
        if not diff:
            result.unchanged += 1
            continue
        if "stage_id" in diff:
            moves.append((o, o.stage_id, r.stage))
        for k, v in diff.items():
            setattr(o, k, v)
        changed.append(o)
    result.created, result.updated = len(new), len(changed)
    result.rejects.sort(key=lambda r: r.row)
    replaced = [unlinked[o.external_id].pk for o in new if o.external_id in unlinked]
    result.unlinked_replaced = len(replaced)
    if dry_run:
        return
    if keep_new:
        UnlinkedOpportunity.objects.bulk_create(keep_new, batch_size=500)
    if keep_changed:
        for u in keep_changed:
            u.updated_at = now
        UnlinkedOpportunity.objects.bulk_update(keep_changed, [*KEPT, "updated_at"], batch_size=500)
    if replaced:
        UnlinkedOpportunity.objects.filter(pk__in=replaced).delete()
    if new:
        bulk_create_with_history(new, Opportunity, batch_size=500, default_user=by, default_date=now)
    if changed:
        for o in changed:
            o.updated_at = now
            o.version += 1  # an edit form opened before the import is now stale (kampass.common.concurrency)
        bulk_update_with_history(
            changed,
            Opportunity,
            [*UPDATABLE, "created_on", "updated_at", "version"],
            batch_size=500,
            default_user=by,
            default_date=now,
        )
    OpportunityStageChange.objects.bulk_create(
        [
            OpportunityStageChange(
                opportunity=o,
                from_stage_id=from_id,
                to_stage=to,
                changed_at=now,
                changed_by=by,
                note=f"import {file_name}",
            )
            for o, from_id, to in moves
        ],
        batch_size=1000,
    )


#: the fields of an opportunity without an account a re-import updates
KEPT = (
    "company_name",
    "company_external_id",
    "company_industry",
    "country",
    "parent_company",
    "name",
    "description",
    "amount",
    "currency",
    "stage",
    "stage_name",
    "outcome",
    "forecast_category",
    "owner_probability",
    "created_on",
    "expected_close_date",
    "closed_on",
    "owner",
    "owner_name",
    "lead_source",
    "opportunity_type",
    "import_file",
)


def _keep(
    r: _Row,
    current: UnlinkedOpportunity | None,
    mapping: Mapping,
    file_name: str,
    owners: dict[str, Any],
    new: list[UnlinkedOpportunity],
    changed: list[UnlinkedOpportunity],
    result: ImportResult,
) -> None:
    """Keep a row without an account as an opportunity awaiting one (``link="keep"``): a new record, or the
    record of an earlier run of the same external id updated."""
    values: dict[str, Any] = {
        "company_name": (r.account_name or r.account_id)[:200],
        "company_external_id": r.account_id[:100],
        "company_industry": r.account_industry[:100],
        "country": r.account_country,
        "parent_company": r.account_parent[:200],
        "name": r.name,
        "description": r.description,
        "amount": r.amount,
        "currency": r.currency if len(r.currency) == 3 else mapping.default_currency,
        "stage_id": r.stage.pk,
        "stage_name": r.stage.name[:100],
        "outcome": r.outcome,
        "forecast_category": r.forecast_category,
        "owner_probability": r.owner_probability,
        "created_on": r.created_on,
        "expected_close_date": r.close_date,
        "closed_on": r.close_date if r.outcome != Outcome.OPEN else None,
        "owner_id": owner.pk if (owner := owners.get(r.owner)) else None,
        "owner_name": r.owner[:200],
        "lead_source": r.lead_source[:100],
        "opportunity_type": r.opportunity_type[:100],
        "import_file": file_name[:255],
    }
    result.unlinked += 1
    if current is None:
        new.append(UnlinkedOpportunity(source=mapping.source, external_id=r.external_id, **values))
        result.unlinked_new += 1
        return
    if (
        any(getattr(current, k) != v for k, v in values.items() if k not in ("import_file", "country"))
        or str(current.country or "") != values["country"]
    ):
        for k, v in values.items():
            setattr(current, k, v)
        changed.append(current)


def iter_report(result: ImportResult) -> Iterator[str]:
    """The contradiction report as text lines (row, Id, StageName, IsClosed, IsWon, rule)."""
    yield "row,Id,StageName,IsClosed,IsWon,rule"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="")
    for c in result.contradictions:
        out.seek(0)
        out.truncate()
        writer.writerow(neutralise_row([c.row, c.external_id, c.stage, c.is_closed, c.is_won, c.rule]))
        yield out.getvalue()
