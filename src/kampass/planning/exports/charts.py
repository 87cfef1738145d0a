"""The charts of a plan export (Altair specs, finished with the export language's formats): the
revenue per month of the 24 months up to the plan date and the open pipeline per stage. Rendered
as SVG for the PDF and as PNG for the slides (``kampass.common.charts``)."""

from __future__ import annotations

from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart
from kampass.planning.exports.content import Position

BAR = "#1f5f8b"


def revenue_chart(position: Position, *, width: int = 460, height: int = 150) -> dict[str, Any] | None:
    """Gross revenue per month (``None`` when there was none in the 24 months)."""
    if not any(amount for _month, amount in position.revenue_by_month):
        return None
    rows = [{"month": m.isoformat(), "revenue": float(a)} for m, a in position.revenue_by_month]
    title = _("Revenue per month (%(currency)s)") % {"currency": position.currency}
    chart = (
        alt.Chart(alt.Data(values=rows), title=alt.Title(title, anchor="start", fontSize=12))
        .mark_bar(color=BAR)
        .encode(
            x=alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y("revenue:Q", title=None, axis=alt.Axis(format="~s")),
        )
        .properties(width=width, height=height)
    )
    return finish_chart(chart, currency=position.currency, title=title)


def pipeline_chart(position: Position, *, width: int = 460, height: int | None = None) -> dict[str, Any] | None:
    """The open pipeline per stage as of the plan date (``None`` without open opportunities)."""
    if not position.pipeline_by_stage:
        return None
    stages = [label for label, _order, _amount in position.pipeline_by_stage]
    rows = [{"stage": label, "amount": float(amount)} for label, _order, amount in position.pipeline_by_stage]
    title = _("Open pipeline by stage (%(currency)s)") % {"currency": position.currency}
    chart = (
        alt.Chart(alt.Data(values=rows), title=alt.Title(title, anchor="start", fontSize=12))
        .mark_bar(color="#27ae60")
        .encode(
            y=alt.Y("stage:N", sort=stages, title=None, axis=alt.Axis(labelLimit=160)),
            x=alt.X("amount:Q", title=None, axis=alt.Axis(format="~s")),
        )
        .properties(width=width, height=height or alt.Step(18))
    )
    return finish_chart(chart, currency=position.currency, title=title)
