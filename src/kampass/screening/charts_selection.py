"""Vega-Lite specification (built with Altair) of the selection portfolio: attractiveness x position,
bubble size the revenue of the last 12 months or the potential (realistic wallet - revenue), colour the
KAM status, the quadrant lines at the catalogue's threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart


@dataclass(frozen=True)
class ChartPoint:
    """One account in the chart: name, KAM status label, the two scores (None: left out), revenue and
    potential (None: no wallet estimate)."""

    account: str
    status: str
    attractiveness: float | None
    position: float | None
    revenue: float | None
    potential: float | None = None


#: what the bubbles' size can show (the ``size`` argument of :func:`portfolio_chart`)
SIZES = ("revenue", "potential")


def size_labels() -> dict[str, str]:
    """size -> its label in the active language (chart legend, control on the page)."""
    return {"revenue": str(_("Revenue (12 months)")), "potential": str(_("Potential"))}


def portfolio_chart(
    rows: Sequence[ChartPoint],
    *,
    threshold: float,
    currency: str,
    size: str = "revenue",
    width: int | str = "container",
    height: int = 420,
) -> dict[str, Any] | None:
    """The portfolio chart of the accounts that have both scores, bubble size ``size`` (one of
    :data:`SIZES`; an account without a value is drawn smallest); ``None`` without any account."""
    if size not in SIZES:
        raise ValueError(f"unknown bubble size {size!r}; choose one of {SIZES}")
    points = [
        {
            "account": r.account,
            "status": r.status,
            "attractiveness": round(r.attractiveness, 1),
            "position": round(r.position, 1),
            "revenue": round(r.revenue or 0.0, 2),
            "potential": round(r.potential or 0.0, 2),
        }
        for r in rows
        if r.attractiveness is not None and r.position is not None
    ]
    if not points:
        return None
    labels_of = size_labels()
    att, pos, rev, pot, status = (
        str(_("Attractiveness")),
        str(_("Position")),
        labels_of["revenue"],
        labels_of["potential"],
        str(_("KAM status")),
    )
    scale = alt.Scale(domain=[0, 100])
    bubbles = (
        alt.Chart(alt.Data(values=points))
        .mark_circle(opacity=0.75, stroke="#333", strokeWidth=0.5)
        .encode(
            x=alt.X("position:Q", title=pos, scale=scale),
            y=alt.Y("attractiveness:Q", title=att, scale=scale),
            size=alt.Size(f"{size}:Q", title=labels_of[size], scale=alt.Scale(range=[40, 1600]), legend=None),
            color=alt.Color("status:N", title=status),
            tooltip=[
                alt.Tooltip("account:N", title=str(_("Account"))),
                alt.Tooltip("status:N", title=status),
                alt.Tooltip("attractiveness:Q", title=att, format=".1f"),
                alt.Tooltip("position:Q", title=pos, format=".1f"),
                alt.Tooltip("revenue:Q", title=f"{rev} ({currency})", format=",.0f"),
                alt.Tooltip("potential:Q", title=f"{pot} ({currency})", format=",.0f"),
            ],
        )
    )
    rule = alt.Chart(alt.Data(values=[{"t": threshold}]))
    lines = rule.mark_rule(color="#888", strokeDash=[4, 4]).encode(x="t:Q") + rule.mark_rule(
        color="#888", strokeDash=[4, 4]
    ).encode(y="t:Q")
    labels: list[dict[str, Any]] = [
        {"x": 97, "y": 97, "text": str(_("Invest and expand")), "align": "right"},
        {"x": 3, "y": 97, "text": str(_("A big step or exit")), "align": "left"},
        {"x": 97, "y": 3, "text": str(_("Hold efficiently")), "align": "right"},
        {"x": 3, "y": 3, "text": str(_("Selective withdrawal")), "align": "left"},
    ]
    texts = [
        alt.Chart(alt.Data(values=[lab]))
        .mark_text(color="#555", fontSize=11, align=lab["align"], baseline="middle")
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N")
        for lab in labels
    ]
    chart = alt.layer(lines, bubbles, *texts).properties(width=width, height=height)
    n_invest = sum(
        1 for r in rows if (r.attractiveness or 0.0) >= threshold and (r.position or 0.0) >= threshold
        and r.attractiveness is not None and r.position is not None
    )  # fmt: skip
    return finish_chart(
        chart,
        currency=currency,
        title=str(_("Selection portfolio")),
        description=str(
            _(
                "%(n)s accounts by attractiveness and position; %(k)s of them in “invest and expand”. "
                "Bubble size: %(size)s."
            )
        )
        % {"n": len(points), "k": n_invest, "size": labels_of[size]},
    )
