"""The plan as a workbook (openpyxl): an overview sheet (plan, sign-off, position figures as numbers
with formats), a sheet per section in template order, the SWOT, the relationship history, the
revenue per month and the pipeline per stage, and a sheet per further part."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from kampass.planning.exports.content import Cell, PlanExport
from kampass.planning.exports.figures import sign_off_text, wallet_note

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def money_format(currency: str) -> str:
    """The cell format of whole amounts in ``currency``.

    >>> money_format("EUR")
    '#,##0 [$EUR]'
    """
    return f"#,##0 [${currency}]"


def _sheet_title(wb: Workbook, title: str) -> str:
    """A sheet name Excel accepts (31 characters, no ``[]:*?/\\``), unique in ``wb``."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name


def _header(ws: Worksheet, labels: list[str] | tuple[str, ...]) -> None:
    ws.append(list(labels))
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def _value(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return value  # openpyxl writes Decimal as a number
    return value


def plan_xlsx(export: PlanExport) -> bytes:
    """The workbook of ``export`` (XLSX bytes)."""
    with translation.override(export.lang):
        wb = Workbook()
        p = export.position
        money = money_format(p.currency)
        ws = wb.active
        assert ws is not None
        ws.title = _sheet_title(wb, _("Overview"))
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 34, 60
        ws.append([export.title])
        ws["A1"].font = Font(bold=True, size=14)
        rows: list[tuple[str, Cell, str]] = [
            (_("Account"), export.account, ""),
            (_("Period from"), export.period_start, "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"),
            (_("Period to"), export.period_end, "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"),
            (_("Version"), export.version, "0"),
            (_("Status"), export.status_label, ""),
            (_("Sign-off"), sign_off_text(export), ""),
            (_("Figures as of"), export.as_of, "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"),
            (_("Revenue, last 12 months"), p.revenue_12m.amount, money),
            (_("Revenue, previous 12 months"), p.revenue_prior_12m.amount, money),
            (_("Latest invoice"), p.last_invoice_day, "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"),
            (_("Open pipeline"), p.pipeline_total.amount, money),
            (_("Open opportunities"), p.pipeline_count, "0"),
            (_("Won, last 12 months"), p.won, "0"),
            (_("Lost, last 12 months"), p.lost, "0"),
            (_("Win rate, last 12 months"), p.win_rate, "0%"),
            (_("Relationship stage now"), export.relationship_now, ""),
            (_("Relationship stage targeted"), export.relationship_target, ""),
        ]
        for label, value, fmt in rows:
            ws.append([label, _value(value)])
            ws.cell(ws.max_row, 1).font = BOLD
            if fmt:
                ws.cell(ws.max_row, 2).number_format = fmt
        for note in {p.revenue_12m.note, p.pipeline_total.note} - {""}:
            ws.append([_("Currency conversion"), note])
        w = export.wallet
        if w is not None:
            # the realistic wallet of the account with its subsidiaries (the situation section's figures)
            wallet_money = money_format(w.currency)
            for label, value, fmt in (
                (_("Realistic wallet (incl. subsidiaries)"), w.wallet, wallet_money),
                (_("Share of wallet"), w.share, "0%"),
                (_("Potential"), w.potential, wallet_money),
            ):
                ws.append([label, _value(value)])
                ws.cell(ws.max_row, 1).font = BOLD
                ws.cell(ws.max_row, 2).number_format = fmt
            ws.append([_("Wallet estimate"), wallet_note(export)])

        for section in export.sections:
            ws = wb.create_sheet(_sheet_title(wb, section.label))
            ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 40, 100
            _header(ws, [_("Field"), _("Text")])
            for f in section.fields:
                ws.append([f.label, f.text])
                ws.cell(ws.max_row, 2).alignment = WRAP

        ws = wb.create_sheet(_sheet_title(wb, _("SWOT items")))
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100
        _header(ws, [_("Kind"), _("Text")])
        for q in export.swot:
            for item in q.items:
                ws.append([q.label, item])

        ws = wb.create_sheet(_sheet_title(wb, _("Relationship history")))
        _header(ws, [_("Date"), _("Stage"), _("Target"), _("By")])
        for h in export.relationship_history:
            ws.append([h.recorded_on, h.stage, h.target, h.by])
            ws.cell(ws.max_row, 1).number_format = "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"

        ws = wb.create_sheet(_sheet_title(wb, _("Revenue per month")))
        _header(ws, [_("Month"), _("Revenue (%(currency)s)") % {"currency": p.currency}])
        for month, amount in p.revenue_by_month:
            ws.append([month, amount])
            ws.cell(ws.max_row, 1).number_format = "MM.YYYY" if export.lang == "de" else "YYYY-MM"
            ws.cell(ws.max_row, 2).number_format = money

        ws = wb.create_sheet(_sheet_title(wb, _("Pipeline by stage")))
        _header(ws, [_("Stage"), _("Open pipeline (%(currency)s)") % {"currency": p.currency}])
        for label, _order, amount in p.pipeline_by_stage:
            ws.append([label, amount])
            ws.cell(ws.max_row, 2).number_format = money

        for part in export.parts:
            ws = wb.create_sheet(_sheet_title(wb, part.title))
            _header(ws, part.columns)
            for row in part.rows:
                ws.append([_value(c) for c in row])
                for i, fmt in enumerate(part.formats):
                    if fmt:
                        ws.cell(ws.max_row, i + 1).number_format = fmt
                    elif isinstance(row[i], dt.date):
                        ws.cell(ws.max_row, i + 1).number_format = "DD.MM.YYYY" if export.lang == "de" else "YYYY-MM-DD"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
