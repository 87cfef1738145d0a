"""Vega-Lite specifications (built with Altair) for the profitability and portfolio pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils import dateformat
from django.utils.translation import gettext as _

from kampass.commercial.selectors import MonthRow
from kampass.common.charts import finish_chart
from kampass.core.profitability import WaterfallStep

TOTAL_COLOUR = "#1f5f8b"
LEAKAGE_COLOUR = "#c0392b"
POCKET_COLOUR = "#27ae60"


def waterfall_chart(steps: Sequence[WaterfallStep], *, currency: str) -> dict[str, Any] | None:
    """The pocket-price waterfall: one bar per step from ``start`` to ``end``; totals blue, leakage red."""
    if not steps:
        return None
    kinds = {"total": _("Total"), "leakage": _("Leakage")}
    rows: list[dict[str, Any]] = [
        {
            "order": i,
            "label": s.label,
            "kind": str(kinds.get(s.kind, s.kind)),
            "start": float(s.start),
            "end": float(s.end),
            "amount": float(s.amount),
        }
        for i, s in enumerate(steps)
    ]
    amount_title = _("Amount (%(currency)s)") % {"currency": currency}
    x = alt.X(
        "label:N",
        sort=[r["label"] for r in rows],
        title=None,
        axis=alt.Axis(labelAngle=-35, labelLimit=200, labelAlign="right"),
    )
    base = alt.Chart(alt.Data(values=rows))
    bars = base.mark_bar(size=28).encode(
        x=x,
        y=alt.Y("start:Q", title=amount_title, axis=alt.Axis(format=",.0f")),
        y2="end:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=[str(kinds["total"]), str(kinds["leakage"])], range=[TOTAL_COLOUR, LEAKAGE_COLOUR]),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=_("Step")),
            alt.Tooltip("amount:Q", title=amount_title, format="$,.2f"),
        ],
    )
    text = base.mark_text(dy=-6, fontSize=10, color="#333").encode(
        x=x,
        y=alt.Y("top:Q"),
        text=alt.Text("amount:Q", format=",.0f"),
    )
    text = text.transform_calculate(top="max(datum.start, datum.end)")
    return finish_chart(alt.layer(bars, text).properties(width="container", height=320), currency=currency)


def monthly_chart(months: Sequence[MonthRow], *, currency: str) -> dict[str, Any] | None:
    """Gross revenue, pocket revenue and leakage per month (lines)."""
    if not months:
        return None
    series = [
        (str(_("Gross revenue")), "gross_revenue", TOTAL_COLOUR),
        (str(_("Pocket revenue")), "pocket_revenue", POCKET_COLOUR),
        (str(_("Leakage")), "leakage", LEAKAGE_COLOUR),
    ]
    rows = []
    for i, m in enumerate(months):
        label = dateformat.format(m.month, "M Y") if hasattr(m.month, "year") else str(m.month)
        for name, attr, _colour in series:
            rows.append({"order": i, "month": label, "series": name, "value": float(getattr(m, attr))})
    amount_title = _("Amount (%(currency)s)") % {"currency": currency}
    month_title = _("Month")
    x = alt.X("month:O", sort=[dateformat.format(m.month, "M Y") for m in months], title=month_title)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x.axis(labelAngle=-45),
            y=alt.Y("value:Q", title=amount_title, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=[s[0] for s in series], range=[s[2] for s in series]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=[s[0] for s in series], range=[[1, 0], [6, 3], [1, 0]]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("month:O", title=month_title),
                alt.Tooltip("series:N", title=_("Figure")),
                alt.Tooltip("value:Q", title=amount_title, format="$,.2f"),
            ],
        )
        .properties(width="container", height=260)
    )
    return finish_chart(chart, currency=currency)


#: at most this many points of the whale curve are drawn (a chart a few hundred pixels wide shows no more)
WHALE_POINTS = 400


def thin_curve(points: Sequence[tuple[float, float]], limit: int = WHALE_POINTS) -> list[tuple[float, float]]:
    """At most about ``limit`` points of a curve: evenly spaced by position, always with the first, the last
    and the highest point (the whale's peak), in their order.

    >>> thin_curve([(i / 10, float(i % 7)) for i in range(11)], limit=4)
    [(0.0, 0.0), (0.3, 3.0), (0.6, 6.0), (0.7, 0.0), (1.0, 3.0)]
    """
    if len(points) <= limit:
        return list(points)
    step = (len(points) - 1) / (limit - 1)
    keep = {round(i * step) for i in range(limit)} | {len(points) - 1}
    keep.add(max(range(len(points)), key=lambda i: points[i][1]))
    return [points[i] for i in sorted(keep)]


def whale_chart(points: Sequence[tuple[float, float]]) -> dict[str, Any] | None:
    """The whale curve: cumulative share of contribution over the share of accounts, with a 100 % rule
    (at most :data:`WHALE_POINTS` points of it, with its peak: :func:`thin_curve`)."""
    if len(points) < 2:
        return None
    x_title, y_title = _("Share of accounts (most profitable first)"), _("Cumulative share of contribution")
    rows = [{"x": x, "y": y} for x, y in thin_curve(points)]
    curve = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(color=TOTAL_COLOUR, strokeWidth=2.5, interpolate="monotone")
        .encode(
            x=alt.X("x:Q", title=x_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("y:Q", title=y_title, axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("x:Q", title=x_title, format=".1%"), alt.Tooltip("y:Q", title=y_title, format=".1%")],
        )
    )
    peak = max(rows, key=lambda r: r["y"])
    top = (
        alt.Chart(alt.Data(values=[peak]))
        .mark_point(color=LEAKAGE_COLOUR, size=70, filled=True)
        .encode(x="x:Q", y="y:Q", tooltip=[alt.Tooltip("y:Q", title=_("Maximum"), format=".1%")])
    )
    hundred = alt.Chart(alt.Data(values=[{"y": 1.0}])).mark_rule(color="#888", strokeDash=[5, 4]).encode(y="y:Q")
    hundred_label = (
        alt.Chart(alt.Data(values=[{"y": 1.0, "x": 0.0, "label": _("100 % of contribution")}]))
        .mark_text(align="left", dx=4, dy=-6, fontSize=10, color="#555")
        .encode(x="x:Q", y="y:Q", text="label:N")
    )
    return finish_chart(alt.layer(hundred, hundred_label, curve, top).properties(width="container", height=300))
