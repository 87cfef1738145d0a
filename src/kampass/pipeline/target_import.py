"""Import targets (quotas) from a CSV file: ``kampass import targets FILE``, the upload on the targets page
and ``POST /api/v1/targets/imports``.

One row per target. The columns (headers compared ignoring case, spaces and underscores, so ``Owner``,
``owner`` and ``OWNER_`` are the same; a few synonyms in :data:`TARGET_COLUMNS`):

* exactly one of ``owner`` (a username or an e-mail address), ``team`` (an org unit's name or code) and
  ``account`` (an account's id or its name) -- whom the target is for;
* ``period`` -- ``2027`` (a year), ``2027-Q1`` / ``Q1 2027`` (a quarter) or ``2027-01`` / ``01/2027``
  (a month);
* ``amount`` -- US (``1,250,000.00``) or European (``1.250.000,00``) notation; a lone separator before
  exactly three digits (``1,500``) is ambiguous and refused;
* ``currency`` -- optional, default the reporting currency;
* ``category`` -- optional, a forecast category (commit, best case, pipeline) the target is meant for;
  a target counts against every category on the forecast page, so the category is kept in the note;
* ``note`` -- optional.

The import is atomic: every row is checked first; a row that cannot be used is reported with its row,
column, value and reason, and then nothing is written. A target that exists for the same subject and
period (the natural key) is updated, not doubled: importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kampass.common import fx
from kampass.common.imports.values import HeaderColumns, normalise
from kampass.common.permissions import authorize
from kampass.core.amounts import AmbiguousAmount, parse_amount
from kampass.core.periods import parse_target_period
from kampass.pipeline.importing import OpportunityImportError, Reject, read_file
from kampass.pipeline.models import ForecastCategory, Target, TargetScope
from kampass.users.actors import Actor

#: Field -> accepted column names (compared by :func:`~kampass.common.imports.values.normalise`).
TARGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "owner_username", "owner_email", "username", "email", "user"),
    "team": ("team", "org_unit", "orgunit", "unit"),
    "account": ("account", "account_id", "account_name"),
    "period": ("period",),
    "amount": ("amount", "target", "quota", "value"),
    "currency": ("currency", "currency_code"),
    "category": ("category", "forecast_category"),
    "note": ("note", "notes", "comment"),
}
_SUBJECT_FIELD = {"owner": "owner", "team": "org_unit", "account": "account"}
_Account = Target._meta.get_field("account").related_model  # the accounts' model, without importing that context
_OrgUnit = Target._meta.get_field("org_unit").related_model


@dataclass
class TargetImportResult:
    """What a targets import read and wrote (or, on a dry run or with rejects, would have written)."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    dry_run: bool = False
    rejects: list[Reject] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "rejected": len({r.row for r in self.rejects}),
            "rejects": [r.__dict__ for r in self.rejects],
        }


@dataclass(frozen=True)
class _Row:
    line: int
    scope: str
    subject: Any
    subject_column: str
    period: str
    year: int
    number: int
    amount: Decimal
    currency: str
    note: str


def _columns(header: list[str]) -> dict[str, str]:
    columns = HeaderColumns(header)
    return {name: c for name, candidates in TARGET_COLUMNS.items() if (c := columns.find(candidates)) is not None}


def _owner(value: str) -> Any:
    users = get_user_model().objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True)
    matches = list(users[:2])
    return matches[0] if len(matches) == 1 else (None if not matches else "ambiguous")


def _team(value: str) -> Any:
    matches = list(_OrgUnit._default_manager.filter(Q(name__iexact=value) | Q(code__iexact=value))[:2])
    return matches[0] if len(matches) == 1 else (None if not matches else "ambiguous")


def _account(value: str) -> Any:
    if value.isdigit():
        by_id = _Account._default_manager.filter(pk=int(value)).first()
        if by_id is not None:
            return by_id
    matches = list(_Account._default_manager.filter(name__iexact=value)[:2])
    return matches[0] if len(matches) == 1 else (None if not matches else "ambiguous")


_LOOKUP: dict[str, Callable[[str], Any]] = {"owner": _owner, "team": _team, "account": _account}


def _read_row(line: int, raw: dict[str, str], found: dict[str, str], default_currency: str) -> _Row | Reject | None:
    def cell(name: str) -> str:
        return (raw.get(found[name]) or "").strip() if name in found else ""

    file = ""  # filled in by the caller
    if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
        return None  # an empty line
    given = [name for name in ("owner", "team", "account") if cell(name)]
    if len(given) != 1:
        columns = ", ".join(found.get(n, n) for n in (given or ("owner", "team", "account")))
        values = " / ".join(cell(n) for n in given)
        return Reject(file, line, columns, values, _("give exactly one of owner, team and account"))
    scope_name = given[0]
    value = cell(scope_name)
    subject = _LOOKUP[scope_name](value)
    if subject is None or subject == "ambiguous":
        what = {
            "owner": _("no active user with this username or e-mail address"),
            "team": _("no team (org unit) with this name or code"),
            "account": _("no account with this id or name"),
        }[scope_name]
        reason = _("more than one match; use a unique name or the id") if subject == "ambiguous" else what
        return Reject(file, line, found[scope_name], value, reason)
    period_text = cell("period")
    period = parse_target_period(period_text)
    if period is None:
        reason = _("not a period: write a year (2027), a quarter (2027-Q1) or a month (2027-01)")
        return Reject(file, line, found.get("period", "period"), period_text, reason)
    amount_text = cell("amount")
    try:
        amount = parse_amount(amount_text)
    except AmbiguousAmount:
        reason = _("ambiguous: the separator may mark thousands or decimals; write 1500 or 1500.00")
        return Reject(file, line, found["amount"], amount_text, reason)
    if amount is None or amount < 0:
        return Reject(file, line, found["amount"], amount_text, _("not an amount of 0 or more"))
    currency = cell("currency").upper() or default_currency
    if currency not in fx.known_currencies():
        return Reject(file, line, found.get("currency", "currency"), currency, _("not a known currency code"))
    note = cell("note")
    category_text = cell("category")
    if category_text:
        key = normalise(category_text)
        categories = {normalise(str(c.value)): c for c in ForecastCategory}
        categories.update({normalise(str(c.label)): c for c in ForecastCategory})
        category = categories.get(key)
        if category is None:
            reason = _("not a forecast category (commit, best case, pipeline)")
            return Reject(file, line, found["category"], category_text, reason)
        note = "; ".join(p for p in (_("Category: %(category)s") % {"category": category.label}, note) if p)
    scope = {"owner": TargetScope.OWNER, "team": TargetScope.TEAM, "account": TargetScope.ACCOUNT}[scope_name]
    kind, year, number = period
    return _Row(line, scope, subject, found[scope_name], kind, year, number, amount, currency, note)


def import_targets(
    *, actor: Actor, path: Path, dry_run: bool = False, display_name: str | None = None
) -> TargetImportResult:
    """Read ``path`` and set the targets it lists (see the module docstring); nothing is written when a
    row is refused or on a dry run."""
    authorize(actor, "pipeline.add_target")
    authorize(actor, "pipeline.change_target")
    file_name = display_name or path.name
    result = TargetImportResult(file=file_name, dry_run=dry_run)
    table = read_file(path, file_name=file_name)
    header = list(table.header)
    found = _columns(header)
    missing = [n for n in ("period", "amount") if n not in found]
    if not any(n in found for n in ("owner", "team", "account")):
        missing.insert(0, "owner | team | account")
    if missing:
        raise OpportunityImportError(
            _("%(file)s: no column for %(fields)s (columns found: %(header)s)")
            % {"file": file_name, "fields": ", ".join(missing), "header": ", ".join(header)}
        )
    raw_rows = list(table.records())
    default_currency = fx.reporting_currency()
    rows: list[_Row] = []
    seen: dict[tuple[str, int, str, int, int], int] = {}
    for line, raw in raw_rows:
        read = _read_row(line, raw, found, default_currency)
        if read is None:
            continue
        result.rows += 1
        if isinstance(read, Reject):
            result.rejects.append(Reject(file_name, read.row, read.column, read.value, read.reason))
            continue
        key = (read.scope, read.subject.pk, read.period, read.year, read.number)
        if key in seen:
            reason = _("a second target for the same subject and period (first in row %(row)d)") % {"row": seen[key]}
            result.rejects.append(Reject(file_name, line, found.get("period", "period"), raw[found["period"]], reason))
            continue
        seen[key] = line
        rows.append(read)
    if result.rejects:
        return result
    from kampass.pipeline.services.targets import target_create, target_update

    with transaction.atomic():
        for row in rows:
            subject_field = _SUBJECT_FIELD[str(row.scope)]
            existing = Target.objects.filter(
                scope=row.scope, period=row.period, year=row.year, number=row.number, **{subject_field: row.subject}
            ).first()
            values: dict[str, Any] = {"amount": row.amount, "currency": row.currency, "note": row.note}
            try:
                if existing is None:
                    target_create(
                        actor=actor, scope=row.scope, period=row.period, year=row.year, number=row.number,
                        **values, **{subject_field: row.subject},
                    )  # fmt: skip
                    result.created += 1
                elif (existing.amount, existing.currency, existing.note) == (row.amount, row.currency, row.note):
                    result.unchanged += 1
                else:
                    target_update(actor=actor, target=existing, **values)
                    result.updated += 1
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    column = {"amount": "amount", "currency": "currency", "note": "note"}.get(name)
                    column_name = found.get(column, row.subject_column) if column else found["period"]
                    value = str(values.get(name, "")) if column else ""
                    result.rejects.append(Reject(file_name, row.line, column_name, value, " ".join(messages)))
        if result.rejects or dry_run:
            transaction.set_rollback(True)
        else:
            result.committed = True
    return result
