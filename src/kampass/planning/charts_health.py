"""Vega-Lite specifications (built with Altair) for the health pages: the trend of an account's health."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart

HEALTH_COLOUR = "#1f5f8b"


def health_trend_chart(points: Sequence[tuple[Any, float | None]]) -> dict[str, Any] | None:
    """The health score per snapshot day (line with points; a day without a score is left out);
    ``None`` with fewer than two scored days."""
    rows = [{"day": day.isoformat(), "health": score} for day, score in points if score is not None]
    if len(rows) < 2:
        return None
    health = str(_("Health"))
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, color=HEALTH_COLOUR)
        .encode(
            x=alt.X("day:T", title=str(_("Day")), axis=alt.Axis(format="%b %Y", tickCount="month")),
            y=alt.Y("health:Q", title=health, scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("day:T", title=str(_("Day")), format="%x"),
                alt.Tooltip("health:Q", title=health, format=".1f"),
            ],
        )
        .properties(width="container", height=220)
    )
    first, last = rows[0]["health"], rows[-1]["health"]
    return finish_chart(
        chart,
        title=str(_("Health over time")),
        description=str(_("Health from %(first)s to %(last)s over %(n)s snapshots."))
        % {"first": f"{first:.0f}", "last": f"{last:.0f}", "n": len(rows)},
    )
