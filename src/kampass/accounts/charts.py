"""Vega-Lite specifications (built with Altair) for the account pages."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
from django.urls import reverse
from django.utils.translation import gettext as _

from kampass.accounts.models import ATTITUDE_CHOICES, BuyingRole, RelationshipLevel, attitude_text
from kampass.common.charts import finish_chart, memoised_spec
from kampass.core.relationships import ContactNode, CoverageGap, CoverageLink, reporting_layout

ATTITUDE_COLOURS = ["#c0392b", "#e67e22", "#95a5a6", "#7fb77e", "#27ae60"]
# attitude is told by shape too, not by colour alone: down for against, up for in favour
ATTITUDE_SHAPES = ["triangle-down", "triangle-down", "circle", "triangle-up", "triangle-up"]


def relationship_map(
    nodes: list[ContactNode], links: list[CoverageLink], gaps: list[CoverageGap]
) -> dict[str, Any] | None:
    """The relationship map: an org chart of the buying centre.

    Marks are contacts (size = influence, colour and shape = attitude, ``+2 supporter`` in the legend), lines are
    reports-to relations, a red ring marks a coverage gap. Hovering shows roles
    and coverage; clicking opens the contact.
    """
    if not nodes:
        return None
    pos = reporting_layout(nodes)
    role_labels = dict(BuyingRole.choices)
    level_labels = dict(RelationshipLevel.choices)
    gap_ids = {g.contact_id: g for g in gaps}
    cov: dict[int, list[str]] = {}
    for link in links:
        cov.setdefault(link.contact_id, []).append(
            f"{link.member}: {level_labels.get(link.level_now)} → {level_labels.get(link.level_target)}"
        )
    rows = []
    for n in nodes:
        x, y = pos[n.id]
        gap = gap_ids.get(n.id)
        rows.append(
            {
                "id": n.id,
                "x": x,
                "y": y,
                "name": n.name,
                "title": n.title,
                "roles": ", ".join(str(role_labels.get(r, r)) for r in n.roles) or "–",
                "influence": n.influence,
                "attitude": n.attitude,
                "attitude_label": attitude_text(n.attitude),
                "coverage": "; ".join(cov.get(n.id, [])) or str(_("not covered")),
                "gap": (str(_("uncovered")) if gap.kind.value == "uncovered" else str(_("below target")))
                if gap
                else "",
                "is_gap": gap is not None,
                "url": reverse("contact-detail", args=[n.id]),
            }
        )
    edges = []
    for n in nodes:
        if n.reports_to is not None and n.reports_to in pos and n.id in pos:
            (x, y), (x2, y2) = pos[n.id], pos[n.reports_to]
            edges.append({"x": x, "y": y, "x2": x2, "y2": y2})
    width = max(320, int(110 * (max(p[0] for p in pos.values()) + 1)))
    levels = int(max(p[1] for p in pos.values())) + 1
    height = max(160, 110 * levels)
    right = max(p[0] for p in pos.values())

    def build() -> dict[str, Any]:
        xs = alt.Scale(domain=[-0.6, right + 0.6])
        ys = alt.Scale(domain=[-0.5, levels - 0.4], reverse=True)
        no_axis: dict[str, Any] = {"axis": None}
        hover = alt.selection_point(on="pointerover", fields=["id"], empty=False, clear="pointerout")
        tooltip = [
            alt.Tooltip("name:N", title=_("Contact")),
            alt.Tooltip("title:N", title=_("Title")),
            alt.Tooltip("roles:N", title=_("Roles")),
            alt.Tooltip("influence:Q", title=_("Influence")),
            alt.Tooltip("attitude_label:N", title=_("Attitude")),
            alt.Tooltip("coverage:N", title=_("Coverage")),
            alt.Tooltip("gap:N", title=_("Coverage gap")),
        ]
        attitudes = [str(label) for _value, label in ATTITUDE_CHOICES]  # −2 … +2, as the colours and shapes
        base = alt.Chart(alt.Data(values=rows))
        lines = (
            alt.Chart(alt.Data(values=edges))
            .mark_rule(color="#b0b7c3", strokeWidth=1.5)
            .encode(x=alt.X("x:Q", scale=xs, **no_axis), y=alt.Y("y:Q", scale=ys, **no_axis), x2="x2:Q", y2="y2:Q")
        )
        rings = (
            base.transform_filter("datum.is_gap")
            .mark_circle(stroke="#d62728", strokeWidth=3, fillOpacity=0, strokeDash=[4, 2])
            .encode(
                x=alt.X("x:Q", scale=xs, **no_axis),
                y=alt.Y("y:Q", scale=ys, **no_axis),
                size=alt.Size("influence:Q", scale=alt.Scale(domain=[0, 10], range=[300, 2400]), legend=None),
            )
        )
        dots = (
            base.mark_point(filled=True, opacity=0.95, stroke="#34495e", cursor="pointer")
            .encode(
                x=alt.X("x:Q", scale=xs, **no_axis),
                y=alt.Y("y:Q", scale=ys, **no_axis),
                size=alt.Size(
                    "influence:Q",
                    scale=alt.Scale(domain=[0, 10], range=[60, 1400]),
                    title=_("Influence"),
                    legend=alt.Legend(symbolFillColor="#c8ced6", symbolStrokeColor="#5d6d7e"),
                ),
                color=alt.Color(
                    "attitude_label:N",
                    scale=alt.Scale(domain=attitudes, range=ATTITUDE_COLOURS),
                    title=_("Attitude"),
                    sort=attitudes,
                ),
                shape=alt.Shape(
                    "attitude_label:N",
                    scale=alt.Scale(domain=attitudes, range=ATTITUDE_SHAPES),
                    title=_("Attitude"),
                    sort=attitudes,
                ),
                strokeWidth=alt.condition(hover, alt.value(3), alt.value(0.5)),
                href="url:N",
                tooltip=tooltip,
            )
            .add_params(hover)
        )
        labels = base.mark_text(dy=30, fontSize=11, color="#222").encode(
            x=alt.X("x:Q", scale=xs, **no_axis), y=alt.Y("y:Q", scale=ys, **no_axis), text="name:N"
        )
        titles = base.mark_text(dy=43, fontSize=9, color="#666").encode(
            x=alt.X("x:Q", scale=xs, **no_axis), y=alt.Y("y:Q", scale=ys, **no_axis), text="title:N"
        )
        chart = (
            alt.layer(lines, rings, dots, labels, titles)
            .resolve_scale(size="independent")
            .properties(width=width, height=height)
        )
        summary = "; ".join(f"{r['name']}: {r['attitude_label']}, {_('influence')} {r['influence']}" for r in rows)
        return finish_chart(chart, title=_("Relationship map of the buying centre"), description=summary)

    # built once per content and language (see memoised_spec): 40-50 ms of Altair per cockpit view
    return memoised_spec(("accounts.relationship_map", json.dumps(rows), json.dumps(edges), width, height), build)
