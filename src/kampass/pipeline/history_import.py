"""Import a stage-history file into the stage history of opportunities already imported, and derive
what is certain where the history is missing.

``kampass import opportunity-history FILE --mapping salesforce|generic|FILE.yaml`` reads e.g. a
Salesforce ``OpportunityHistory`` export (``OpportunityId, StageName, CreatedDate, Amount, CloseDate,
Probability``): one row per recorded change of a deal's stage, amount or close date, dated by
``CreatedDate``. The opportunity is found by its external id under the mapping's ``source`` (the
opportunity import must run first); the stage is the mapping's ``stages`` name in the deal's sales
process. Each row whose stage differs from the deal's previous row becomes a dated
:class:`~kampass.pipeline.models.OpportunityStageChange` with the amount as it was then; a row that
only changes the amount is kept as an entry from the stage into itself (the amount as then).

Where history is missing, what is certain is derived: a won deal passed every open stage of its
process before its last one, so each open stage a won deal has no entry for gets an entry marked
``derived``, without a date (none is invented). The result says how many were derived.

Re-running replaces the entries an earlier run of this import wrote for the same opportunities
(and the derived ones), so nothing is doubled. The import is atomic: rows it cannot use are
reported (file, row, column, value, reason) and, with ``strict``, nothing is written.

The columns: a mapping's optional ``history: {columns: {field: column | [columns]}}`` section, else
:data:`HISTORY_COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.imports.values import HeaderColumns
from kampass.common.permissions import authorize
from kampass.core.dates import parse_date
from kampass.pipeline.importing import (
    BUILT_IN,
    OpportunityImportError,
    Reject,
    load_mapping,
    read_file,
)
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome, Stage, StageKind
from kampass.users.actors import Actor
from kampass.users.models import User

#: Field -> candidate columns of a stage-history file (the first present wins).
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunity_id": ("OpportunityId", "opportunity_id", "external_id", "Id"),
    "stage": ("StageName", "stage"),
    "changed_at": ("CreatedDate", "changed_at", "date"),
    "amount": ("Amount", "amount"),
}
NOTE = "history import"
DERIVED_NOTE = "derived: a won deal passed every open stage of its process"


@dataclass
class HistoryImportResult:
    """What a stage-history import read, wrote and derived."""

    file: str
    mapping: str
    rows: int = 0
    entries: int = 0
    amount_entries: int = 0
    opportunities: int = 0
    derived_entries: int = 0
    derived_opportunities: int = 0
    committed: bool = False
    dry_run: bool = False
    rejects: list[Reject] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mapping": self.mapping,
            "rows": self.rows,
            "entries": self.entries,
            "amount_entries": self.amount_entries,
            "opportunities": self.opportunities,
            "derived_entries": self.derived_entries,
            "derived_opportunities": self.derived_opportunities,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "rejects": [r.__dict__ for r in self.rejects],
        }


def _history_columns(mapping: str | Path) -> dict[str, tuple[str, ...]]:
    if isinstance(mapping, str) and mapping in BUILT_IN:
        text = resources.files("kampass.pipeline").joinpath("mappings", f"{mapping}.yaml").read_text("utf-8")
    else:
        text = Path(mapping).read_text("utf-8")
    data = yaml.safe_load(text) or {}
    section = ((data.get("history") or {}).get("columns") or {}) if isinstance(data, dict) else {}
    columns = dict(HISTORY_COLUMNS)
    for key, value in section.items():
        if key not in HISTORY_COLUMNS:
            raise OpportunityImportError(f"{mapping}: unknown field in history columns: {key}")
        columns[key] = tuple(map(str, value)) if isinstance(value, list) else (str(value),)
    return columns


_ZONE = re.compile(r"\s*([+-]\d{2}):?(\d{2})$")


def parse_moment(value: str, order: str = "") -> dt.datetime | None:
    """The moment of a timestamp (``2013-12-20T04:13:07.000+0000``, ``2024-03-01 10:00``) or, for a
    plain date, the start of that day in the current time zone; ``None`` when it is no date.

    >>> parse_moment("2013-12-20T04:13:07.000+0000").isoformat()
    '2013-12-20T04:13:07+00:00'
    """
    text = value.strip()
    if not text:
        return None
    stamp = re.sub(r"\s*Z$", "+00:00", text.replace(" ", "T", 1))
    stamp = _ZONE.sub(r"\1:\2", stamp)
    stamp = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], stamp)
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        day = parse_date(text, order)
        if day is None:
            return None
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@dataclass(frozen=True)
class _Entry:
    line: int
    at: dt.datetime
    stage: Stage
    amount: Decimal | None


def import_opportunity_history(
    *,
    actor: Actor,
    path: Path,
    mapping: str | Path = "salesforce",
    dry_run: bool = False,
    strict: bool = False,
    date_order: str = "",
    display_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> HistoryImportResult:
    """Read ``path`` and write the stage history of the opportunities it names (see the module docstring);
    ``progress(fraction, message)`` hears how far it got."""
    authorize(actor, "pipeline.import_opportunities")
    report = progress or (lambda fraction, message: None)
    m = load_mapping(mapping)
    columns = _history_columns(mapping)
    file_name = display_name or path.name
    result = HistoryImportResult(file=file_name, mapping=m.name, dry_run=dry_run)
    table = read_file(path, file_name=file_name)
    header = list(table.header)
    in_header = HeaderColumns(header)
    found = {f: c for f, candidates in columns.items() if (c := in_header.find(candidates)) is not None}
    missing = [f for f in ("opportunity_id", "stage", "changed_at") if f not in found]
    if missing:
        raise OpportunityImportError(
            f"{file_name}: no column for {', '.join(missing)} ({'; '.join(' | '.join(columns[f]) for f in missing)})"
        )
    raw_rows = list(table.records())
    result.rows = len(raw_rows)
    report(0.2, _("Checking %(rows)d rows") % {"rows": len(raw_rows)})
    ids = {(r.get(found["opportunity_id"]) or "").strip() for _line, r in raw_rows}
    opportunities = {
        o.external_id: o
        for o in Opportunity.objects.filter(source=m.source, external_id__in=ids - {""}).select_related("stage_set")
    }
    stages: dict[int, dict[str, Stage]] = defaultdict(dict)
    for s in Stage.objects.filter(stage_set_id__in={o.stage_set_id for o in opportunities.values()}):
        stages[s.stage_set_id][s.name.lower()] = s
    by_opportunity: dict[int, list[_Entry]] = defaultdict(list)
    for line, raw in raw_rows:
        ext = (raw.get(found["opportunity_id"]) or "").strip()
        o = opportunities.get(ext)
        if o is None:
            reason = f"no opportunity with this external id from source {m.source!r}; import the opportunities first"
            result.rejects.append(Reject(file_name, line, found["opportunity_id"], ext, reason))
            continue
        stage_value = (raw.get(found["stage"]) or "").strip()
        stage_name = m.stages.get(stage_value, stage_value)
        stage = stages[o.stage_set_id].get(stage_name.lower())
        if stage is None:
            reason = "not a stage of the opportunity's sales process (nor mapped to one in the mapping's stages)"
            result.rejects.append(Reject(file_name, line, found["stage"], stage_value, reason))
            continue
        when_value = (raw.get(found["changed_at"]) or "").strip()
        at = parse_moment(when_value, date_order or m.date_order)
        if at is None:
            result.rejects.append(Reject(file_name, line, found["changed_at"], when_value, "not a date"))
            continue
        amount: Decimal | None = None
        if "amount" in found and (text := (raw.get(found["amount"]) or "").strip()):
            try:
                amount = Decimal(text.replace(",", ""))
            except InvalidOperation:
                amount = None
            if amount is None or amount < 0 or not amount.is_finite():
                result.rejects.append(Reject(file_name, line, found["amount"], text, "not an amount of 0 or more"))
                continue
        by_opportunity[o.pk].append(_Entry(line, at, stage, amount))
    result.rejects.sort(key=lambda r: r.row)
    changes = _changes(by_opportunity, actor, file_name, result)
    targets = {o.pk: o for o in opportunities.values() if o.pk in by_opportunity}
    result.opportunities = len(targets)
    if dry_run or (strict and result.rejects):
        derived = _derived(m.source, by_opportunity, actor, replace=False)
        result.derived_entries = len(derived)
        result.derived_opportunities = len({c.opportunity_id for c in derived})
        return result
    report(0.6, _("Recording the stage history"))
    with transaction.atomic():
        OpportunityStageChange.objects.filter(opportunity_id__in=list(targets), note__startswith=NOTE).delete()
        OpportunityStageChange.objects.bulk_create(changes, batch_size=1000)
        report(0.8, _("Deriving what is certain where history is missing"))
        derived = _derived(m.source, by_opportunity, actor, replace=True)
        OpportunityStageChange.objects.bulk_create(derived, batch_size=1000)
        from kampass.pipeline.services.model import schedule_scoring

        schedule_scoring(o.pk for o in targets.values())
    result.derived_entries = len(derived)
    result.derived_opportunities = len({c.opportunity_id for c in derived})
    result.committed = True
    return result


def _changes(
    by_opportunity: dict[int, list[_Entry]], actor: Actor, file_name: str, result: HistoryImportResult
) -> list[OpportunityStageChange]:
    by = actor if isinstance(actor, User) and actor.pk else None
    out: list[OpportunityStageChange] = []
    for opportunity_id, entries in by_opportunity.items():
        entries.sort(key=lambda e: (e.at, e.line))
        previous: Stage | None = None
        last_amount: Decimal | None = None
        for e in entries:
            if previous is not None and e.stage.pk == previous.pk:
                if e.amount is None or e.amount == last_amount:
                    continue  # a change of another field (close date, probability): nothing for the history
                result.amount_entries += 1
            else:
                result.entries += 1
            out.append(
                OpportunityStageChange(
                    opportunity_id=opportunity_id,
                    from_stage=previous,
                    to_stage=e.stage,
                    changed_at=e.at,
                    amount=e.amount,
                    changed_by=by,
                    note=f"{NOTE} {file_name}, row {e.line}"[:1000],
                )
            )
            previous = e.stage
            last_amount = e.amount if e.amount is not None else last_amount
    return out


def _derived(
    source: str, by_opportunity: dict[int, list[_Entry]], actor: Actor, *, replace: bool
) -> list[OpportunityStageChange]:
    """Undated entries for the open stages every won deal of ``source`` passed but has no entry for."""
    won = list(Opportunity.objects.filter(source=source, outcome=Outcome.WON).values_list("pk", "stage_set_id"))
    if not won:
        return []
    won_ids = [pk for pk, _s in won]
    if replace:
        OpportunityStageChange.objects.filter(opportunity_id__in=won_ids, derived=True).delete()
    recorded: dict[int, set[int]] = defaultdict(set)
    for opportunity_id, stage_id in OpportunityStageChange.objects.filter(
        opportunity_id__in=won_ids, derived=False
    ).values_list("opportunity_id", "to_stage_id"):
        recorded[opportunity_id].add(stage_id)
    if not replace:  # a dry run: count what the file itself would record as well
        for opportunity_id, entries in by_opportunity.items():
            recorded[opportunity_id].update(e.stage.pk for e in entries)
    open_stages: dict[int, list[int]] = defaultdict(list)
    for stage_id, stage_set_id in (
        Stage.objects.filter(stage_set_id__in={s for _pk, s in won}, kind=StageKind.OPEN)
        .order_by("order")
        .values_list("pk", "stage_set_id")
    ):
        open_stages[stage_set_id].append(stage_id)
    by = actor if isinstance(actor, User) and actor.pk else None
    out = []
    for opportunity_id, stage_set_id in won:
        for stage_id in open_stages[stage_set_id]:
            if stage_id not in recorded[opportunity_id]:
                out.append(
                    OpportunityStageChange(
                        opportunity_id=opportunity_id,
                        to_stage_id=stage_id,
                        changed_at=None,
                        derived=True,
                        changed_by=by,
                        note=DERIVED_NOTE,
                    )
                )
    return out
