"""Vega-Lite specifications (built with Altair) for the forecast and model-report pages.

The functions take the core's frozen dataclasses (``PeriodForecast``, ``ReliabilityBin``,
``CalibrationRow``) or anything with the same attributes, and return plain dicts that the
templates hand to vega-embed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import altair as alt
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kampass.common.charts import finish_chart

MODEL_COLOUR = "#1f5f8b"
BAND_COLOUR = "#9cc3e0"
OWNER_COLOUR = "#c0392b"
PAST_COLOUR = "#b8bec6"
CURRENT_COLOUR = "#f3d27a"
#: the owners' forecast takes the stage's default probability where the owner gave none: say so
OWNER_EXPECTED_LABEL = gettext_lazy("Expected (owners' probabilities; stage default where none given)")
BASE_COLOUR = "#888888"
BAYES_COLOUR = "#b7791f"


def _num(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def fan_chart(
    periods: Sequence[Any],
    *,
    owner_expected: Mapping[str, Decimal | float] | None = None,
    currency: str,
    current_period: str = "",
) -> dict[str, Any] | None:
    """Expected revenue per period with the P10–P90 band and the median (calibrated probabilities),
    and the forecast from the owners' probabilities beside it as a dashed line.

    ``periods`` are ``PeriodForecast`` rows (``period, expected, p10, p50, p90, deals``);
    ``owner_expected`` maps a period label to the expected revenue from the owners' numbers.
    With ``current_period`` (today's label) the periods before it are shaded grey as past and
    today's period is highlighted.
    """
    if not periods:
        return None
    owner_expected = owner_expected or {}
    labels = sorted({p.period for p in periods} | set(owner_expected))
    amount_title = _("Revenue (%(currency)s)") % {"currency": currency}
    period_title = _("Period")
    model_name, owner_name = str(_("Expected (calibrated)")), str(OWNER_EXPECTED_LABEL)
    median_name = str(_("Median (P50)"))
    rows = [
        {
            "period": p.period,
            "expected": _num(p.expected),
            "p10": _num(p.p10),
            "p50": _num(p.p50),
            "p90": _num(p.p90),
            "deals": p.deals,
            "owner": _num(owner_expected.get(p.period)),
        }
        for p in periods
    ]
    lines = [{"period": r["period"], "series": model_name, "value": r["expected"]} for r in rows]
    lines += [{"period": r["period"], "series": median_name, "value": r["p50"]} for r in rows]
    lines += [{"period": k, "series": owner_name, "value": float(v)} for k, v in sorted(owner_expected.items())]
    x = alt.X("period:O", sort=labels, title=period_title, axis=alt.Axis(labelAngle=-30))
    band = (
        alt.Chart(alt.Data(values=rows))
        .mark_area(color=BAND_COLOUR, opacity=0.45)
        .encode(
            x=x,
            y=alt.Y("p10:Q", title=amount_title, axis=alt.Axis(format=",.0f")),
            y2="p90:Q",
            tooltip=[
                alt.Tooltip("period:O", title=period_title),
                alt.Tooltip("deals:Q", title=_("Open deals")),
                alt.Tooltip("p10:Q", title=_("P10 (pessimistic)"), format="$,.0f"),
                alt.Tooltip("p50:Q", title=median_name, format="$,.0f"),
                alt.Tooltip("p90:Q", title=_("P90 (optimistic)"), format="$,.0f"),
                alt.Tooltip("expected:Q", title=model_name, format="$,.0f"),
                alt.Tooltip("owner:Q", title=owner_name, format="$,.0f"),
            ],
        )
    )
    series = [model_name, median_name, owner_name]
    line = (
        alt.Chart(alt.Data(values=lines))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("value:Q"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=[MODEL_COLOUR, "#4a90c2", OWNER_COLOUR]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=series, range=[[1, 0], [2, 2], [6, 3]]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=period_title),
                alt.Tooltip("series:N", title=_("Figure")),
                alt.Tooltip("value:Q", title=amount_title, format="$,.0f"),
            ],
        )
    )
    layers: list[Any] = [band, line]
    if current_period:
        # past periods grey, today's yellow (the legend under the chart says so): fixed colours,
        # so the series legend stays the only one
        past, now = str(_("past")), str(_("current period"))
        for when, colour, keep in ((now, CURRENT_COLOUR, str.__eq__), (past, PAST_COLOUR, str.__lt__)):
            marks = [{"period": k, "when": when} for k in labels if keep(k, current_period)]
            if marks:
                shade = (
                    alt.Chart(alt.Data(values=marks))
                    .mark_rect(opacity=0.35, color=colour)
                    .encode(
                        x=x, tooltip=[alt.Tooltip("period:O", title=period_title), alt.Tooltip("when:N", title=" ")]
                    )
                )
                layers.insert(0, shade)
    chart = alt.layer(*layers)
    return finish_chart(chart.properties(width="container", height=320), currency=currency)


def reliability_chart(reliability: Mapping[str, Sequence[Any]], *, names: Mapping[str, str]) -> dict[str, Any] | None:
    """The reliability diagram: observed win rate over mean predicted probability per bin and scorer,
    with the diagonal of perfect calibration. Empty bins are left out; point size shows the bin's count.

    ``reliability`` maps a scorer key (``"kampass"``, ``"base_rate"``, ``"naive_bayes"``) to its bins;
    ``names`` gives each key's label.
    """
    rows = [
        {
            "scorer": str(names.get(key, key)),
            "predicted": float(b.mean_predicted),
            "observed": float(b.observed_rate),
            "count": int(b.count),
            "bin": f"{b.lower:.1f}–{b.upper:.1f}",
        }
        for key, bins in reliability.items()
        for b in bins
        if b.count
    ]
    if not rows:
        return None
    predicted_title, observed_title = _("Predicted probability"), _("Observed win rate")
    order = [str(names.get(k, k)) for k in reliability]
    colours = {"kampass": MODEL_COLOUR, "base_rate": BASE_COLOUR, "naive_bayes": BAYES_COLOUR, "owner": OWNER_COLOUR}
    diagonal = (
        alt.Chart(alt.Data(values=[{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}]))
        .mark_line(color="#bbbbbb", strokeDash=[4, 4])
        .encode(
            x=alt.X("x:Q", title=predicted_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            y=alt.Y("y:Q", title=observed_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        )
    )
    encoding = {
        "x": alt.X("predicted:Q"),
        "y": alt.Y("observed:Q"),
        "color": alt.Color(
            "scorer:N",
            scale=alt.Scale(domain=order, range=[colours.get(k, "#555") for k in reliability]),
            legend=alt.Legend(title=None, orient="top"),
        ),
    }
    tooltip = [
        alt.Tooltip("scorer:N", title=_("Scorer")),
        alt.Tooltip("bin:N", title=_("Bin")),
        alt.Tooltip("count:Q", title=_("Deals")),
        alt.Tooltip("predicted:Q", title=predicted_title, format=".1%"),
        alt.Tooltip("observed:Q", title=observed_title, format=".1%"),
    ]
    base = alt.Chart(alt.Data(values=rows))
    curve = base.mark_line(strokeWidth=2).encode(**encoding)
    points = base.mark_circle(opacity=0.9).encode(
        **encoding, size=alt.Size("count:Q", legend=None, scale=alt.Scale(range=[20, 300])), tooltip=tooltip
    )
    chart = alt.layer(diagonal, curve, points).properties(width="container", height=320)
    return finish_chart(chart)


def optimism_chart(rows: Sequence[Any]) -> dict[str, Any] | None:
    """Bias per group: mean probability minus win rate, for the owners' numbers and for the model.

    Bars right of zero mean optimism (the numbers promised more wins than came), left sandbagging.
    ``rows`` are ``CalibrationRow``s.
    """
    owner_name, model_name = str(_("Owners' probabilities")), str(_("Calibrated model"))
    values = []
    for r in rows:
        for name, bias in ((owner_name, r.owner_bias), (model_name, r.model_bias)):
            if bias is not None:
                values.append({"group": r.group, "source": name, "bias": float(bias), "deals": r.deals})
    if not values:
        return None
    bias_title = _("Bias (mean probability − win rate)")
    groups = [r.group for r in rows]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("source:N", sort=[owner_name, model_name]),
            x=alt.X("bias:Q", title=bias_title, axis=alt.Axis(format="+%")),
            color=alt.Color(
                "source:N",
                scale=alt.Scale(domain=[owner_name, model_name], range=[OWNER_COLOUR, MODEL_COLOUR]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=_("Group")),
                alt.Tooltip("source:N", title=_("Source")),
                alt.Tooltip("deals:Q", title=_("Closed deals")),
                alt.Tooltip("bias:Q", title=bias_title, format="+.1%"),
            ],
        )
    )
    zero = alt.Chart(alt.Data(values=[{"x": 0.0}])).mark_rule(color="#555").encode(x="x:Q")
    height = max(120, 34 * len(groups))
    return finish_chart(alt.layer(chart, zero).properties(width="container", height=height))


SCORER_COLOURS = {
    "kampass": MODEL_COLOUR,
    "base_rate": BASE_COLOUR,
    "naive_bayes": BAYES_COLOUR,
    "stage_rate": "#2e8b57",
    "owner": OWNER_COLOUR,
}


def backtest_chart(origins: Sequence[Mapping[str, Any]], *, names: Mapping[str, str]) -> dict[str, Any] | None:
    """Brier score per scorer over the origins of a backtest (lower is better), one line per scorer.

    ``origins`` are the ``"origins"`` of the backtest document (``as_of``, ``scorers``: name -> ``brier``);
    ``names`` gives each scorer's label. The chart's data table (for screen readers) lists every point.
    """
    keys = [k for k in names if any(k in o.get("scorers", {}) for o in origins)]
    rows = [
        {"as_of": o["as_of"], "scorer": str(names[k]), "brier": float(o["scorers"][k]["brier"]), "open": o["open"]}
        for o in origins
        for k in keys
        if k in o.get("scorers", {}) and o["scorers"][k].get("brier") is not None
    ]
    if not rows:
        return None
    labels = [str(names[k]) for k in keys]
    origin_title, brier_title = _("Origin"), _("Brier score (lower is better)")
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("as_of:O", title=origin_title, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("brier:Q", title=brier_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "scorer:N",
                scale=alt.Scale(domain=labels, range=[SCORER_COLOURS.get(k, "#555") for k in keys]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("as_of:O", title=origin_title),
                alt.Tooltip("scorer:N", title=_("Scorer")),
                alt.Tooltip("brier:Q", title="Brier", format=".4f"),
                alt.Tooltip("open:Q", title=_("Open deals")),
            ],
        )
        .properties(width="container", height=280)
    )
    best = min(rows, key=lambda r: r["brier"])
    return finish_chart(
        chart,
        title=_("Brier score per scorer over the backtest origins"),
        description=_("%(origins)d origins, %(scorers)d scorers; lowest: %(scorer)s at %(as_of)s (%(brier).4f).")
        % {
            "origins": len(origins),
            "scorers": len(keys),
            "scorer": best["scorer"],
            "as_of": best["as_of"],
            "brier": best["brier"],
        },
    )
