"""Vega-Lite specifications (built with Altair) for the competence profiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart
from kampass.organisation.selectors import ProfileLine

RATING_COLOUR = "#1f5f8b"
TARGET_COLOUR = "#c0392b"
SELF_COLOUR = "#8e9aaf"


def profile_chart(lines: Sequence[ProfileLine]) -> dict[str, Any] | None:
    """Per competence: the agreed rating as a bar, the target as a red tick, the self-assessment as a grey dot.

    ``None`` when nothing is rated, targeted or self-assessed yet.
    """
    rows: list[dict[str, Any]] = []
    for line in lines:
        row = line.row
        if row.level is None and row.target is None and row.self_level is None:
            continue
        rows.append(
            {
                "competence": line.competence.label,
                "rating": row.level,
                "target": row.target,
                "self": row.self_level,
                "gap": row.gap,
            }
        )
    if not rows:
        return None
    order = [r["competence"] for r in rows]
    y = alt.Y("competence:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    scale = alt.Scale(domain=[0, 5])
    base = alt.Chart(alt.Data(values=rows))
    tooltip = [
        alt.Tooltip("competence:N", title=_("Competence")),
        alt.Tooltip("rating:Q", title=_("Rating")),
        alt.Tooltip("self:Q", title=_("Self-assessment")),
        alt.Tooltip("target:Q", title=_("Target")),
        alt.Tooltip("gap:Q", title=_("Gap")),
    ]
    bars = base.mark_bar(color=RATING_COLOUR, size=16).encode(
        y=y,
        x=alt.X(
            "rating:Q", scale=scale, title=_("Level (1–5)"), axis=alt.Axis(tickMinStep=1, values=[0, 1, 2, 3, 4, 5])
        ),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color=TARGET_COLOUR, thickness=3, size=24).encode(
        y=y, x=alt.X("target:Q", scale=scale), tooltip=tooltip
    )
    dots = base.mark_point(color=SELF_COLOUR, filled=True, size=60, shape="diamond").encode(
        y=y, x=alt.X("self:Q", scale=scale), tooltip=tooltip
    )
    height = max(120, 30 * len(rows))
    return finish_chart(alt.layer(bars, ticks, dots).properties(width="container", height=height))


def gap_overview_chart(rows: Sequence[tuple[str, float]]) -> dict[str, Any] | None:
    """Mean positive gap per competence over all profiles (``rows``: label, mean gap in rating points)."""
    values = [{"competence": label, "gap": round(gap, 2)} for label, gap in rows]
    if not values:
        return None
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color=TARGET_COLOUR, size=16)
        .encode(
            y=alt.Y("competence:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("gap:Q", title=_("Mean gap to target (rating points)"), scale=alt.Scale(domainMin=0)),
            tooltip=[
                alt.Tooltip("competence:N", title=_("Competence")),
                alt.Tooltip("gap:Q", title=_("Mean gap"), format=".2f"),
            ],
        )
        .properties(width="container", height=max(120, 30 * len(values)))
    )
    return finish_chart(chart)
