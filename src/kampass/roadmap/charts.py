"""Vega-Lite specifications (built with Altair) for the roadmap and topics pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart
from kampass.roadmap import catalogue
from kampass.roadmap.models import GuardrailMeasurement, Initiative, InitiativeStatus, Quadrant, Topic, TopicStatus

STATUS_COLOURS = {
    InitiativeStatus.PLANNED: "#5b8db5",
    InitiativeStatus.ACTIVE: "#1f5f8b",
    InitiativeStatus.PAUSED: "#b97d00",
    InitiativeStatus.DONE: "#1e7b4a",
    InitiativeStatus.ABANDONED: "#8a929c",
}
TOPIC_COLOURS = {
    TopicStatus.PROPOSED: "#9cc3e0",
    TopicStatus.ACTIVE: "#1f5f8b",
    TopicStatus.DONE: "#1e7b4a",
    TopicStatus.ABANDONED: "#b0b6bf",
}
WARNING_COLOUR = "#b42318"
THRESHOLD_COLOUR = "#a15c00"


def _value_format(unit: str) -> str:
    return ".1~%" if unit == "share" else (",.0f" if unit in ("count", "days") else ",.2~f")


def timeline_chart(initiatives: Sequence[Initiative], *, today: dt.date | None = None) -> dict[str, Any] | None:
    """A Gantt-like chart: one bar per initiative from start to end, one row per logic, coloured by status;
    a rule marks today. Initiatives without dates are left out (the table lists them)."""
    today = today or timezone.localdate()
    status_labels = dict(InitiativeStatus.choices)
    rows = []
    lanes: dict[str, int] = {}
    for i in initiatives:
        if i.starts is None:
            continue
        lane = lanes.get(i.logic, 0)
        lanes[i.logic] = lane + 1
        ends = i.ends or (i.starts + dt.timedelta(days=90))
        rows.append(
            {
                "id": i.pk,
                "logic": catalogue.logic_name(i.logic),
                "title": i.label,
                "start": i.starts.isoformat(),
                "end": ends.isoformat(),
                "status": str(status_labels.get(i.status, i.status)),
                "owner": str(i.owner) if i.owner_id else "–",
                "warning": "⚠" if getattr(getattr(i, "reading", None), "warning", False) else "",
                "lane": lane,
            }
        )
    if not rows:
        return None
    logic_order = [name for key, name in catalogue.logic_choices() if any(r["logic"] == name for r in rows)]
    domain = [str(status_labels[s]) for s in InitiativeStatus.values]
    colours = [STATUS_COLOURS[InitiativeStatus(s)] for s in InitiativeStatus.values]
    logic_title, time_title = _("Logic"), _("Time")
    y = alt.Y("logic:N", sort=logic_order, title=None, axis=alt.Axis(labelLimit=220))
    base = alt.Chart(alt.Data(values=rows))
    bars = base.mark_bar(cornerRadius=3, opacity=0.9).encode(
        x=alt.X("start:T", title=time_title, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month")),
        x2="end:T",
        y=y,
        yOffset=alt.YOffset("lane:O"),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=domain, range=colours),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("title:N", title=_("Initiative")),
            alt.Tooltip("logic:N", title=logic_title),
            alt.Tooltip("status:N", title=_("Status")),
            alt.Tooltip("owner:N", title=_("Owner")),
            alt.Tooltip("start:T", title=_("Start"), format="%x"),
            alt.Tooltip("end:T", title=_("End"), format="%x"),
        ],
        href=alt.Href("link:N"),
    )
    bars = bars.transform_calculate(link="'#initiative-' + datum.id")
    labels = base.mark_text(align="left", dx=4, fontSize=10, color="#fff").encode(
        x="start:T", y=y, yOffset=alt.YOffset("lane:O"), text=alt.Text("label:N")
    )
    labels = labels.transform_calculate(label="datum.warning + ' ' + datum.title")
    now = (
        alt.Chart(alt.Data(values=[{"today": today.isoformat(), "label": _("Today")}]))
        .mark_rule(color=WARNING_COLOUR, strokeDash=[4, 3])
        .encode(x="today:T", tooltip=[alt.Tooltip("label:N", title=" ")])
    )
    height = max(120, (26 * max(lanes.values()) + 14) * len(logic_order))
    return finish_chart(alt.layer(bars, labels, now).properties(width="container", height=height))


def guardrail_chart(initiative: Initiative, measurements: Sequence[GuardrailMeasurement]) -> dict[str, Any] | None:
    """The history of an initiative's guardrail metric (line with points, warnings red) and its
    current threshold as a dashed rule."""
    if not measurements:
        return None
    unit = initiative.guardrail_unit
    fmt = _value_format(unit)
    metric = catalogue.metric_name(initiative.guardrail_key)
    rows = [
        {
            "at": timezone.localtime(m.measured_at).isoformat(),
            "value": m.value,
            "state": str(_("Warning")) if m.warning else str(_("Within the guardrail")),
        }
        for m in measurements
    ]
    time_title = _("Measured")
    x = alt.X(
        "at:T", title=time_title, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month", labelOverlap=True)
    )
    values = [m.value for m in measurements] + [initiative.guardrail_threshold]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or abs(high) * 0.15 or 0.1
    domain_low = max(0.0, low - pad) if low >= 0 else low - pad
    y_scale = alt.Scale(domain=[domain_low, high + pad], zero=False)
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(color="#1f5f8b", strokeWidth=2)
        .encode(x=x, y=alt.Y("value:Q", title=metric, axis=alt.Axis(format=fmt), scale=y_scale))
    )
    states = [str(_("Within the guardrail")), str(_("Warning"))]
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_point(filled=True, size=60)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
            color=alt.Color(
                "state:N",
                scale=alt.Scale(domain=states, range=["#1f5f8b", WARNING_COLOUR]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("at:T", title=time_title, format="%x"),
                alt.Tooltip("value:Q", title=metric, format=fmt),
                alt.Tooltip("state:N", title=_("Status")),
            ],
        )
    )
    direction = _("warn above") if initiative.guardrail_direction == "max" else _("warn below")
    threshold_rows = [{"threshold": initiative.guardrail_threshold, "label": f"{_('Threshold')} ({direction})"}]
    rule = (
        alt.Chart(alt.Data(values=threshold_rows))
        .mark_rule(color=THRESHOLD_COLOUR, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(
            y=alt.Y("threshold:Q", scale=y_scale),
            tooltip=[alt.Tooltip("threshold:Q", title=_("Threshold"), format=fmt)],
        )
    )
    rule_label = (
        alt.Chart(alt.Data(values=threshold_rows))
        .mark_text(align="left", baseline="bottom", dx=4, dy=-3, fontSize=10, color=THRESHOLD_COLOUR)
        .encode(y=alt.Y("threshold:Q", scale=y_scale), x=alt.value(0), text="label:N")
    )
    return finish_chart(alt.layer(rule, rule_label, line, points).properties(width="container", height=200))


def topic_matrix_chart(topics: Sequence[Topic]) -> dict[str, Any] | None:
    """The impact x effort matrix: one point per topic (coloured by status), the four quadrants named.

    Effort runs along x (low left), impact along y (high top): quick wins top left, major projects
    top right, fill-ins bottom left, thankless tasks bottom right. Points on the same cell are
    spread a little so that every topic stays visible."""
    status_labels = dict(TopicStatus.choices)
    seen: dict[tuple[int, int], int] = {}
    rows = []
    for t in topics:
        cell = (t.impact, t.effort)
        n = seen.get(cell, 0)
        seen[cell] = n + 1
        # a small deterministic spiral around the cell centre
        offsets = [(0, 0), (0.18, 0.0), (-0.18, 0.0), (0.0, 0.18), (0.0, -0.18), (0.18, 0.18), (-0.18, -0.18)]
        dx, dy = offsets[n % len(offsets)]
        rows.append(
            {
                "id": t.pk,
                "title": t.label,
                "field": catalogue.field_name(t.field),
                "impact": t.impact,
                "effort": t.effort,
                "x": t.effort + dx,
                "y": t.impact + dy,
                "status": str(status_labels.get(t.status, t.status)),
                "joint": str(t.account) if t.account_id else "–",
            }
        )
    if not rows:
        return None
    effort_title, impact_title = _("Effort"), _("Impact")
    scale = alt.Scale(domain=[0.5, 5.5], nice=False, zero=False)
    quadrants = [
        {"x": 1.0, "y": 5.35, "label": str(Quadrant.QUICK_WIN.label), "align": "left"},
        {"x": 5.0, "y": 5.35, "label": str(Quadrant.MAJOR_PROJECT.label), "align": "right"},
        {"x": 1.0, "y": 0.65, "label": str(Quadrant.FILL_IN.label), "align": "left"},
        {"x": 5.0, "y": 0.65, "label": str(Quadrant.THANKLESS.label), "align": "right"},
    ]
    shade = (
        alt.Chart(alt.Data(values=[{"x": 0.5, "x2": 2.5, "y": 2.5, "y2": 5.5}]))
        .mark_rect(color="#e9f6ef", opacity=0.8)
        .encode(x=alt.X("x:Q", scale=scale), x2="x2:Q", y=alt.Y("y:Q", scale=scale), y2="y2:Q")
    )
    lines = alt.Chart(alt.Data(values=[{"v": 2.5}]))
    vline = lines.mark_rule(color="#888", strokeDash=[4, 4]).encode(x=alt.X("v:Q", scale=scale))
    hline = lines.mark_rule(color="#888", strokeDash=[4, 4]).encode(y=alt.Y("v:Q", scale=scale))
    names = [
        alt.Chart(alt.Data(values=[q for q in quadrants if q["align"] == side]))
        .mark_text(fontSize=11, fontWeight="bold", color="#555", align=side)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="label:N")
        for side in ("left", "right")
    ]
    status_domain = [str(status_labels[s]) for s in TopicStatus.values]
    status_range = [TOPIC_COLOURS[TopicStatus(s)] for s in TopicStatus.values]
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_circle(size=140, opacity=0.9, stroke="#fff", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", title=effort_title, scale=scale, axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d")),
            y=alt.Y("y:Q", title=impact_title, scale=scale, axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d")),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=status_domain, range=status_range),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("title:N", title=_("Topic")),
                alt.Tooltip("field:N", title=_("Field")),
                alt.Tooltip("impact:Q", title=impact_title),
                alt.Tooltip("effort:Q", title=effort_title),
                alt.Tooltip("status:N", title=_("Status")),
                alt.Tooltip("joint:N", title=_("Joint initiative with")),
            ],
            href=alt.Href("link:N"),
        )
        .transform_calculate(link="'#topic-' + datum.id")
    )
    return finish_chart(alt.layer(shade, vline, hline, *names, points).properties(width="container", height=360))
