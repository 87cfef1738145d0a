"""What an export of one account plan shows, read once and rendered by the PDF, PPTX and XLSX writers.

:func:`plan_export` reads a plan version in one language: its sections in template order with
their labels, the SWOT items as a 2x2, the relationship stage now and targeted with its history,
the sign-off, our position with the customer as of the plan date (revenue, open pipeline, win rate,
through the commercial and pipeline facades, consolidated into the reporting currency) and the
further parts registered in :data:`EXPORT_PARTS` (objectives, actions ... of the modules that own them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import account_facts, fx
from kampass.pipeline import facade as pipeline_facade
from kampass.planning.models import AccountPlan, RelationshipStage, RelationshipStageEntry, SwotKind

#: a cell of a part's table: text, a number (money as Decimal), a share (float 0..1 with a ``%`` format),
#: a date or nothing
Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class ExportField:
    """One field of a section: its label in the export's language and what was written."""

    key: str
    label: str
    text: str


@dataclass(frozen=True)
class ExportSection:
    """One section of the plan in template order, with its fields."""

    key: str
    label: str
    fields: tuple[ExportField, ...]

    @property
    def filled(self) -> tuple[ExportField, ...]:
        """The fields with text."""
        return tuple(f for f in self.fields if f.text.strip())


@dataclass(frozen=True)
class SwotQuadrant:
    """One quadrant of the SWOT: its kind, label and items (with their evidence as text)."""

    kind: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class StageChange:
    """One dated entry of the relationship history."""

    recorded_on: dt.date
    stage: str
    target: str
    by: str


@dataclass(frozen=True)
class Money:
    """An amount in a currency (``note`` names a conversion or what could not be converted)."""

    amount: Decimal
    currency: str
    note: str = ""


@dataclass(frozen=True)
class Position:
    """Our position with the customer as of the plan date (the plan's account and its subtree):
    gross revenue of the 12 months up to the plan date and of the 12 before, revenue per month
    (24 months, ``(first day of month, amount)``), the open pipeline per stage and in total, the win
    rate of the 365 days up to the plan date (``None`` without closed opportunities), and the day of the
    latest invoice line on or before the plan date (``None`` without any)."""

    as_of: dt.date
    currency: str
    revenue_12m: Money
    revenue_prior_12m: Money
    revenue_by_month: tuple[tuple[dt.date, Decimal], ...]
    pipeline_total: Money
    pipeline_count: int
    pipeline_by_stage: tuple[tuple[str, int, Decimal], ...]
    won: int
    lost: int
    win_rate: float | None
    last_invoice_day: dt.date | None = None


@dataclass(frozen=True)
class ExportPart:
    """A further part of the plan (objectives, actions ...) as a table: a title, column labels,
    rows of cells and the number format of each column for the spreadsheet (``""`` for text,
    e.g. ``"#,##0.00"`` or ``"0%"``). ``on_summary`` puts it on the one-pager and its slides."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    formats: tuple[str, ...] = ()
    on_summary: bool = True
    empty_text: str = ""


#: builders of further parts, in the order they appear: ``builder(plan, lang) -> ExportPart | None``
#: (``None``: nothing to show for this plan). Called with the export's language active. The modules
#: owning objectives, actions ... append theirs (``register_export_part``), imported at start-up.
EXPORT_PARTS: list[Callable[[AccountPlan, str], ExportPart | None]] = []


def register_export_part(builder: Callable[[AccountPlan, str], ExportPart | None]) -> Callable[..., Any]:
    """Add ``builder`` to :data:`EXPORT_PARTS` once (usable as a decorator)."""
    if builder not in EXPORT_PARTS:
        EXPORT_PARTS.append(builder)
    return builder


@dataclass(frozen=True)
class PlanExport:
    """Everything an export of one plan version shows, with its texts in ``lang``."""

    lang: str
    plan_id: int
    account_id: int
    account: str
    period_start: dt.date
    period_end: dt.date
    version: int
    status: str
    status_label: str
    as_of: dt.date
    approved_by: str
    approved_on: dt.date | None
    approval_comment: str
    sections: tuple[ExportSection, ...]
    swot: tuple[SwotQuadrant, ...]
    relationship_now: str
    relationship_target: str
    relationship_history: tuple[StageChange, ...]
    position: Position
    parts: tuple[ExportPart, ...]
    #: the realistic wallet of the account with its subsidiaries on or before the plan date (``None``
    #: without an estimate), as the plan's situation section shows it
    wallet: account_facts.WalletFigures | None = None
    generated: dt.datetime = field(default_factory=timezone.now)

    def section(self, key: str) -> ExportSection | None:
        """The section with ``key`` (``None`` when the template has none)."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def title(self) -> str:
        return _("Account plan %(account)s") % {"account": self.account}

    @property
    def subtitle(self) -> str:
        return _("Period %(start)s – %(end)s · version %(version)s · %(status)s") % {
            "start": self.period_start.strftime("%m/%Y"),
            "end": self.period_end.strftime("%m/%Y"),
            "version": self.version,
            "status": self.status_label,
        }


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_back(day: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def position(account_id: int, *, as_of: dt.date, currency: str | None = None) -> Position:
    """Our position with the account (and the accounts below it) as of ``as_of`` (see :class:`Position`);
    amounts in other currencies are converted into ``currency`` (default: the reporting currency) at the
    rate of their day (a pipeline amount at its expected close date's, or ``as_of``'s)."""
    currency = (currency or fx.reporting_currency()).upper()
    ids = accounts_facade.subtree_account_ids(account_id) or [account_id]
    first_month = _months_back(as_of, 23)
    start_12m = _months_back(as_of, 11)
    last_12m, prior_12m = fx.Consolidation(currency), fx.Consolidation(currency)
    by_month: dict[dt.date, Decimal] = defaultdict(Decimal)
    last_day: dt.date | None = None
    for rows in commercial_facade.daily_gross_revenue(ids).values():
        for day, code, amount in rows:
            if day > as_of:
                continue
            last_day = max(last_day or day, day)
            if day < first_month:
                continue
            target = last_12m if day >= start_12m else prior_12m
            by_month[_month(day)] += target.add(amount, code, day)
    months = []
    cursor = first_month
    while cursor <= as_of:
        months.append((cursor, by_month.get(cursor, Decimal(0))))
        cursor = _months_back(cursor, -1)
    pipe = pipeline_facade.pipeline_position(ids, as_of=as_of)
    pipeline = fx.Consolidation(currency)
    stages: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for item in pipe.open_items:
        value = pipeline.add(item.amount, item.currency, fx.pipeline_rate_day(item.expected_close_date, as_of))
        label = _(item.stage) if item.stage else _("Closed since the plan date")
        stages[(item.stage_order, label)] += value
    return Position(
        as_of=as_of,
        currency=currency,
        revenue_12m=Money(last_12m.total, currency, last_12m.describe()),
        revenue_prior_12m=Money(prior_12m.total, currency, prior_12m.describe()),
        revenue_by_month=tuple(months),
        pipeline_total=Money(pipeline.total, currency, pipeline.describe()),
        pipeline_count=len(pipe.open_items),
        pipeline_by_stage=tuple((label, order, amount) for (order, label), amount in sorted(stages.items())),
        won=pipe.won,
        lost=pipe.lost,
        win_rate=pipe.win_rate,
        last_invoice_day=last_day,
    )


def _evidence(item: Any) -> str:
    if item.evidence_note:
        return str(item.evidence_note)
    if item.evidence_kind and item.evidence_id:
        return f"{item.get_evidence_kind_display()} #{item.evidence_id}"
    return ""


def _swot(plan: AccountPlan) -> tuple[SwotQuadrant, ...]:
    items: dict[str, list[str]] = defaultdict(list)
    for item in plan.swot_items.all():
        evidence = _evidence(item)
        items[item.kind].append(f"{item.text} ({evidence})" if evidence else str(item.text))
    labels = {
        SwotKind.STRENGTH: _("Strengths"),
        SwotKind.WEAKNESS: _("Weaknesses"),
        SwotKind.OPPORTUNITY: pgettext("SWOT quadrant", "Opportunities"),
        SwotKind.THREAT: _("Threats"),
    }
    return tuple(SwotQuadrant(str(kind), str(label), tuple(items[kind])) for kind, label in labels.items())


def _stage_label(value: str) -> str:
    return str(RelationshipStage(value).label) if value in RelationshipStage.values else ""


def plan_export(plan: AccountPlan, *, lang: str = "en") -> PlanExport:
    """Read what the exports of ``plan`` show, with its texts in ``lang`` (``de`` or ``en``)."""
    lang = "de" if lang.startswith("de") else "en"
    with translation.override(lang):
        content = {s.key: dict(s.content) for s in plan.sections.all()}
        sections = tuple(
            ExportSection(
                spec.key,
                spec.label(lang),
                tuple(
                    ExportField(
                        f.key,
                        f.label_de if lang == "de" else f.label_en,
                        str(content.get(spec.key, {}).get(f.key, "") or ""),
                    )
                    for f in spec.fields
                ),
            )
            for spec in plan.specs()
        )
        history = tuple(
            StageChange(
                timezone.localtime(e.recorded_at).date(),
                _stage_label(e.stage),
                _stage_label(e.target),
                _user_name(e.recorded_by),
            )
            for e in RelationshipStageEntry.objects.filter(account_id=plan.account_id)
            .select_related("recorded_by")
            .order_by("recorded_at", "pk")
        )
        parts = tuple(p for p in (builder(plan, lang) for builder in EXPORT_PARTS) if p is not None)
        return PlanExport(
            lang=lang,
            plan_id=plan.pk,
            account_id=plan.account_id,
            account=str(plan.account.name),
            period_start=plan.period_start,
            period_end=plan.period_end,
            version=plan.number,
            status=plan.status,
            status_label=str(plan.get_status_display()),
            as_of=plan.as_of,
            approved_by=_user_name(plan.approved_by),
            approved_on=timezone.localtime(plan.approved_at).date() if plan.approved_at else None,
            approval_comment=plan.approval_comment,
            sections=sections,
            swot=_swot(plan),
            relationship_now=_stage_label(plan.relationship_now),
            relationship_target=_stage_label(plan.relationship_target),
            relationship_history=history,
            position=position(plan.account_id, as_of=plan.as_of),
            parts=parts,
            wallet=account_facts.wallet_figures(plan.account_id, as_of=plan.as_of),
        )
