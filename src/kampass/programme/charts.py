"""Vega-Lite specifications (built with Altair) for the programme pages and the PDF report.

The same specs are drawn by vega-embed in the browser and rendered to SVG by vl-convert for the PDF
(``width`` is a number there, ``"container"`` on the pages).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kampass.common.charts import finish_chart, memoised_spec
from kampass.common.charts import to_svg as common_to_svg
from kampass.core.assessment import TensionScore
from kampass.core.concept import Catalogue

GROUP_COLOURS = ["#1f5f8b", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#566573", "#17a589"]
EXTREME = 2.0
SEPARATOR = " \u2063"  # an invisible separator where the axis label of a tension field breaks
LABEL_LIMIT = 240
LEGEND_LABEL_LIMIT = 110


def tension_chart(
    catalogue: Catalogue,
    tensions: Sequence[TensionScore],
    *,
    lang: str,
    group_labels: dict[str, str],
    width: int | str = "container",
) -> dict[str, Any] | None:
    """The tension-field profile: per field and respondent group the mean position now (circle) and
    the target (diamond), joined by a line; all respondents in black. Extreme zones are shaded."""
    all_label = str(_("All respondents"))
    rows: list[dict[str, Any]] = []
    order: list[str] = []
    for score in tensions:
        tf = catalogue.tension_field(score.key)
        label = f"{tf.number}. {tf.left.get(lang)}{SEPARATOR}↔ {tf.right.get(lang)}"
        order.append(label)
        series = [(all_label, score.current, score.target)] + [
            (group_labels.get(g, g), cur, tgt) for g, (cur, tgt) in sorted(score.by_group.items())
        ]
        for group, cur, tgt in series:
            if cur is None or tgt is None:
                continue
            rows.append({"field": label, "group": group, "kind": str(_("Now")), "value": round(cur, 2),
                         "current": round(cur, 2), "target": round(tgt, 2)})  # fmt: skip
            rows.append({"field": label, "group": group, "kind": str(_("Target")), "value": round(tgt, 2),
                         "current": round(cur, 2), "target": round(tgt, 2)})  # fmt: skip
    if not rows:
        return None

    def build() -> dict[str, Any]:
        groups = [all_label] + [g for g in dict.fromkeys(r["group"] for r in rows) if g != all_label]
        colours = ["#222", *GROUP_COLOURS[: len(groups) - 1]]
        position_title = _("Position (−3 left pole … +3 right pole)")
        # each label on two lines, "1. left pole" over "↔ right pole", each line cut at the label limit
        y = alt.Y(
            "field:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=10, labelExpr=f"split(datum.label, '{SEPARATOR}')"),
        )
        x_scale = alt.Scale(domain=[-3, 3], nice=False)
        colour = alt.Color(
            "group:N",
            scale=alt.Scale(domain=groups, range=colours),
            legend=alt.Legend(title=None, orient="bottom", columns=3, labelLimit=LEGEND_LABEL_LIMIT),
        )
        zones = (
            alt.Chart(alt.Data(values=[{"a": -3, "b": -EXTREME}, {"a": EXTREME, "b": 3}]))
            .mark_rect(color="#fbe3e0", opacity=0.6)
            .encode(
                x=alt.X(
                    "a:Q",
                    scale=x_scale,
                    title=position_title,
                    axis=alt.Axis(
                        values=[-3, -2, -1, 0, 1, 2, 3],
                        format="d",
                        labelExpr="datum.value > 0 ? '+' + datum.label : datum.label",
                        labelFlush=True,
                    ),
                ),
                x2="b:Q",
            )
        )
        centre = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color="#999", strokeDash=[4, 3]).encode(x="x:Q")
        base = alt.Chart(alt.Data(values=rows))
        lines = (
            base.transform_filter(f"datum.kind == '{_('Now')}'")
            .mark_rule(strokeWidth=1.5, opacity=0.7)
            .encode(
                y=y,
                x=alt.X("current:Q", scale=x_scale),
                x2="target:Q",
                color=colour,
                yOffset=alt.YOffset("group:N", sort=groups),
            )
        )
        points = base.mark_point(filled=True, size=70).encode(
            y=y,
            x=alt.X("value:Q", scale=x_scale),
            yOffset=alt.YOffset("group:N", sort=groups),
            color=colour,
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=[str(_("Now")), str(_("Target"))], range=["circle", "diamond"]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal"),
            ),
            tooltip=[
                alt.Tooltip("field:N", title=_("Tension field")),
                alt.Tooltip("group:N", title=_("Group")),
                alt.Tooltip("current:Q", title=_("Now"), format="+.1f"),
                alt.Tooltip("target:Q", title=_("Target"), format="+.1f"),
            ],
        )
        # a band per field for its groups' rows, at least the height of its two-line label (when groups
        # below the respondents' minimum are hidden, only "All respondents" is left)
        height = len(order) * max(9 * len(groups) + 12, 28)
        chart = alt.layer(zones, centre, lines, points).properties(width=width, height=height)
        summary = "; ".join(
            _("%(field)s: now %(now)s, target %(target)s")
            % {
                "field": r["field"].replace(SEPARATOR, " "),
                "now": _signed(r["current"]),
                "target": _signed(r["target"]),
            }
            for r in rows
            if r["group"] == all_label and r["kind"] == str(_("Now"))
        )
        return finish_chart(chart, title=_("Tension-field profile"), description=summary)

    return memoised_spec(("programme.tension", str(width), json.dumps(rows), tuple(order)), build)


def maturity_chart(
    catalogue: Catalogue, means: dict[tuple[str, str], float | None], *, lang: str, width: int | str = "container"
) -> dict[str, Any] | None:
    """Maturity per field (bars, 1..5), corporate and operative side by side."""
    from kampass.programme.selectors import perspective_label

    rows = [
        {"field": f.name.get(lang), "perspective": perspective_label(p), "mean": round(v, 2)}
        for f in catalogue.fields
        for p in ("corporate", "operative")
        if (v := means.get((f.key, p))) is not None
    ]
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("field:N", sort=[f.name.get(lang) for f in catalogue.fields], title=None),
            yOffset="perspective:N",
            x=alt.X(
                "mean:Q",
                scale=alt.Scale(domain=[0, 5]),
                title=_("Mean rating (1–5)"),
                axis=alt.Axis(values=[0, 1, 2, 3, 4, 5], format="d"),
            ),
            color=alt.Color(
                "perspective:N",
                scale=alt.Scale(range=["#1f5f8b", "#9cc3e0"]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=300),
            ),
            tooltip=[
                alt.Tooltip("field:N", title=_("Field")),
                alt.Tooltip("perspective:N", title=_("Perspective")),
                alt.Tooltip("mean:Q", title=_("Mean rating (1–5)"), format=".2f"),
            ],
        )
        .properties(width=width, height=alt.Step(12))
    )
    return finish_chart(chart)


def roadmap_chart(initiatives: Sequence[Any], *, width: int | str = "container") -> dict[str, Any] | None:
    """The roadmap timeline: one bar per initiative from its start to its end (open ends run a quarter)."""
    rows = []
    for i in initiatives:
        if i.starts is None:
            continue
        ends = i.ends or (i.starts + dt.timedelta(days=90))
        rows.append(
            {
                "title": f"{i.title}",
                "starts": i.starts.isoformat(),
                "ends": ends.isoformat(),
                "status": str(i.status_label),
                "owner": i.owner or "–",
            }
        )
    if not rows:
        return None
    day = timezone.localdate().isoformat()

    def build() -> dict[str, Any]:
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_bar(cornerRadius=3, height=14)
            .encode(
                y=alt.Y("title:N", sort=[r["title"] for r in rows], title=None, axis=alt.Axis(labelLimit=260)),
                x=alt.X("starts:T", title=None, axis=alt.Axis(format="%b %Y", labelOverlap=True, labelFlush=True)),
                x2="ends:T",
                color=alt.Color(
                    "status:N", legend=alt.Legend(title=_("Status"), orient="bottom", direction="horizontal")
                ),
                tooltip=[
                    alt.Tooltip("title:N", title=_("Initiative")),
                    alt.Tooltip("owner:N", title=_("Owner")),
                    alt.Tooltip("starts:T", title=_("Starts"), format="%x"),
                    alt.Tooltip("ends:T", title=_("Ends"), format="%x"),
                    alt.Tooltip("status:N", title=_("Status")),
                ],
            )
            .properties(width=width, height=alt.Step(22))
        )
        today = alt.Chart(alt.Data(values=[{"d": day}])).mark_rule(color="#c0392b").encode(x="d:T")
        return finish_chart(alt.layer(chart, today))

    return memoised_spec(("programme.roadmap", str(width), json.dumps(rows), day), build)


def to_svg(spec: dict[str, Any]) -> str:
    """Render a spec to SVG for the PDF report, its texts measured and drawn in the PDF's font."""
    return common_to_svg(spec)


def _signed(value: float) -> str:
    """``+1.5`` / ``−0.5`` in the number format of the active language."""
    text = number_format(abs(value), 1)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)
