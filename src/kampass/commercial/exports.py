"""The XLSX export of an account's profitability (openpyxl): P&L, leakage, months and the invoice lines."""

from __future__ import annotations

import datetime as dtm
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kampass.commercial.selectors import AccountProfitability, LinePage
from kampass.core.text_safety import neutralise_formula

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.####"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
MONTH_FORMAT = "yyyy-mm"
EXPORT_LINE_LIMIT = 100_000


def _cell(ws: WriteOnlyWorksheet, value: Any, fmt: str | None = None, *, bold: bool = False) -> Any:
    """One cell: numbers as numbers, texts always as plain strings (never formulas, see
    :func:`~kampass.core.text_safety.neutralise_formula`)."""
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=neutralise_formula(value))
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
        if bold:
            cell.font = Font(bold=True)
        return cell
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, dtm.datetime) and value.tzinfo is not None:
        value = value.astimezone(dtm.UTC).replace(tzinfo=None)
    if fmt is None and not bold:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    return cell


def _append(ws: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append a row; every value that is not a cell yet goes through :func:`_cell`."""
    ws.append([v if isinstance(v, Cell) else _cell(ws, v) for v in values])


def _header(ws: WriteOnlyWorksheet, labels: Iterable[str], widths: Sequence[int]) -> None:
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    _append(ws, [_cell(ws, str(label), bold=True) for label in labels])


def _share(amount: Decimal, gross: Decimal) -> float | None:
    return float(amount / gross) if gross else None


def profitability_workbook(
    *,
    title: str,
    currency: str,
    data: AccountProfitability,
    categories: Sequence[tuple[str, Decimal]],
    lines: LinePage,
    category_labels: dict[str, str],
) -> bytes:
    """The workbook: sheets "P&L" (waterfall steps), "Leakage", "Months" and "Lines".

    ``categories`` are (label, amount) in display order; headers come in the active language.
    Amounts are numeric cells with a number format (in ``currency``).
    """
    wb = Workbook(write_only=True)
    gross = data.figures.gross_revenue

    ws = wb.create_sheet("P&L")
    ws.column_dimensions["A"].width = 38
    _append(ws, [_cell(ws, title, bold=True)])
    _append(ws, [_("Currency"), currency])
    _append(ws, [])
    headers = [_("Step"), _("Type"), _("Amount"), _("From"), _("To"), _("Share of gross revenue")]
    _append(ws, [_cell(ws, h, bold=True) for h in headers])
    kinds = {"total": _("Total"), "leakage": _("Leakage")}
    for s in data.waterfall:
        _append(
            ws,
            [
                _cell(ws, s.label, bold=s.kind == "total"),
                kinds.get(s.kind, s.kind),
                _cell(ws, s.amount, MONEY_FORMAT),
                _cell(ws, s.start, MONEY_FORMAT),
                _cell(ws, s.end, MONEY_FORMAT),
                _cell(ws, _share(s.amount, gross), PERCENT_FORMAT),
            ],
        )
    _append(ws, [])
    _append(ws, [_("Invoice lines"), _cell(ws, data.figures.lines, "#,##0")])
    if lines.total > len(lines.rows):
        _append(
            ws,
            [
                _("The sheet “Lines” holds the newest %(shown)s of %(total)s lines.")
                % {"shown": len(lines.rows), "total": lines.total}
            ],
        )

    ws = wb.create_sheet("Leakage")
    _header(ws, [_("Category"), _("Amount"), _("Share of gross revenue")], [38, 16, 22])
    for label, amount in categories:
        _append(ws, [label, _cell(ws, amount, MONEY_FORMAT), _cell(ws, _share(amount, gross), PERCENT_FORMAT)])
    total = sum((a for _l, a in categories), Decimal(0))
    _append(
        ws,
        [
            _cell(ws, _("Total leakage"), bold=True),
            _cell(ws, total, MONEY_FORMAT),
            _cell(ws, _share(total, gross), PERCENT_FORMAT),
        ],
    )

    ws = wb.create_sheet("Months")
    _header(
        ws,
        [_("Month"), _("Gross revenue"), _("Leakage"), _("Pocket revenue"), _("Orders"), _("Product groups")],
        [12, 16, 16, 16, 10, 16],
    )
    for m in data.months:
        month = m.month.date() if isinstance(m.month, dtm.datetime) else m.month
        _append(
            ws,
            [
                _cell(ws, month, MONTH_FORMAT),
                _cell(ws, m.gross_revenue, MONEY_FORMAT),
                _cell(ws, m.leakage, MONEY_FORMAT),
                _cell(ws, m.pocket_revenue, MONEY_FORMAT),
                m.orders,
                m.product_groups,
            ],
        )

    ws = wb.create_sheet("Lines")
    _header(
        ws,
        [
            _("Invoice no."),
            _("Date"),
            _("Customer"),
            _("Stock code"),
            _("Description"),
            _("Quantity"),
            _("Unit price"),
            _("Amount"),
            _("Currency"),
            _("Category"),
        ],
        [12, 17, 11, 11, 36, 10, 12, 13, 9, 22],
    )
    for r in lines.rows:
        _append(
            ws,
            [
                r["invoice_no"],
                _cell(ws, r["invoice_date"], DATE_FORMAT),
                r["customer_id"],
                r["stock_code"],
                r["description"],
                _cell(ws, r["quantity"], QUANTITY_FORMAT),
                _cell(ws, r["unit_price"], MONEY_FORMAT),
                _cell(ws, r["amount"], MONEY_FORMAT),
                r["currency"],
                category_labels.get(r["category"], r["category"]),
            ],
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
