"""A selection round as XLSX (openpyxl) and PDF (WeasyPrint, the portfolio chart as SVG from
vl-convert), in the active language: the accounts with scores, quadrant, proposal and decision,
and the criteria of the catalogue the round was scored with."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kampass.core.text_safety import neutralise_formula
from kampass.screening import selectors_selection as selectors
from kampass.screening.models.selection import SelectionRound


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def round_rows(selection_round: SelectionRound) -> list[dict[str, Any]]:
    """The round's decisions as rows of labels and values in the active language."""
    from kampass.accounts import facade as accounts_facade
    from kampass.screening.views_selection import move_labels, quadrant_labels

    statuses = dict(accounts_facade.kam_status_choices())
    moves, quadrants = move_labels(), quadrant_labels()
    rows = []
    for d in selectors.round_decisions(selection_round):
        rows.append(
            {
                "account": d.account.name,
                "attractiveness": d.attractiveness,
                "position": d.position,
                "quadrant": quadrants[d.quadrant][1] if d.quadrant in quadrants else "–",
                "from_status": statuses.get(d.from_status, d.from_status),
                "proposal": moves.get(d.proposed_move, d.proposed_move),
                "proposed_status": statuses.get(d.proposed_status, d.proposed_status),
                "decided_status": statuses.get(d.decided_status, d.decided_status) if d.decided else "",
                "reason": d.reason,
                "decided_by": str(d.decided_by or ""),
                "decided_at": timezone.localtime(d.decided_at).strftime("%Y-%m-%d %H:%M") if d.decided_at else "",
            }
        )
    return rows


def _headers() -> list[str]:
    return [
        _("Account"), _("Attractiveness"), _("Position"), _("Quadrant"), _("Status before"), _("Proposal"),
        _("Proposed status"), _("Decided status"), _("Reason"), _("Decided by"), _("Decided"),
    ]  # fmt: skip


_KEYS = ["account", "attractiveness", "position", "quadrant", "from_status", "proposal", "proposed_status",
         "decided_status", "reason", "decided_by", "decided_at"]  # fmt: skip


def round_workbook(selection_round: SelectionRound) -> bytes:
    """The workbook: sheet "Round" (the decisions) and "Criteria" (the catalogue scored with)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Round")[:31]
    ws.append([_text(_("Selection round %(period)s") % {"period": selection_round.period})])
    ws.append(
        [_("Facts as of"), selection_round.as_of.isoformat(), _("Catalogue version"), selection_round.catalogue.number]
    )
    ws.append([])
    ws.append(_headers())
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for row in round_rows(selection_round):
        ws.append([_text(row[k]) for k in _KEYS])
    for col, width in zip("ABCDEFGHIJK", (32, 14, 10, 30, 16, 12, 16, 16, 48, 18, 17), strict=True):
        ws.column_dimensions[col].width = width
    cs = wb.create_sheet(_("Criteria")[:31])
    cs.append([_("Criterion"), _("Dimension"), _("Kind"), _("Weight")])
    for cell in cs[1]:
        cell.font = Font(bold=True)
    for c in selectors.catalogue_criteria(selection_round.catalogue):
        cs.append([_text(c.shown_label), str(c.get_dimension_display()), str(c.get_kind_display()), float(c.weight)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def round_html(selection_round: SelectionRound) -> str:
    from kampass.accounts import facade as accounts_facade
    from kampass.common.charts import to_svg
    from kampass.screening.charts_selection import ChartPoint, portfolio_chart

    statuses = dict(accounts_facade.kam_status_choices())
    points = [
        ChartPoint(
            d.account.name,
            statuses.get(d.decided_status or d.from_status, d.from_status),
            None if d.attractiveness is None else float(d.attractiveness),
            None if d.position is None else float(d.position),
            None if d.revenue is None else float(d.revenue),
        )
        for d in selectors.round_decisions(selection_round)
    ]
    spec = portfolio_chart(
        points, threshold=float(selection_round.catalogue.threshold), currency=selection_round.currency or "EUR",
        width=640, height=360,
    )  # fmt: skip
    return render_to_string(
        "screening/selection/round_pdf.html",
        {
            "round": selection_round,
            "headers": _headers(),
            "rows": [[row[k] for k in _KEYS] for row in round_rows(selection_round)],
            "criteria": selectors.catalogue_criteria(selection_round.catalogue),
            "chart": to_svg(spec) if spec else "",
            "lang": translation.get_language(),
            "printed": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )


def round_pdf(selection_round: SelectionRound) -> bytes:
    """The round as PDF in the active language."""
    from weasyprint import HTML

    return bytes(HTML(string=round_html(selection_round)).write_pdf())
