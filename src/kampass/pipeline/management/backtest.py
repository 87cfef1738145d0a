"""``kampass forecast backtest FILE --mapping generic|salesforce|FILE.yaml``: the temporal backtest of the
win model and its baselines on a CRM export with dates (see :mod:`kampass.core.forecasting.backtest`).

Origins: ``--as-of DATE`` (repeatable), or ``--every month|quarter|week --from DATE --to DATE`` (both
ends included). ``--horizon DAYS`` (default 90): a deal open at an origin counts as won when it was won
within that many days. The leakage guard runs on the whole file first: a flagged column is left out
unless ``--allow-feature COLUMN`` names it; amounts that look final (lost deals 0) are neither learnt
from nor summed (the forecast then counts deals).

Without FILE (and without ``--mapping``) the backtest runs on kampass's own opportunities
(:mod:`kampass.pipeline.recorded_history`); without origins it takes the first of each month over the
last year whose horizon has passed. The document then also holds ``"pooled"`` (per scorer over all
origins), ``"verdict"`` (the best baseline and whether the model beats it) and ``"notes"``.

Output: ``--json`` prints the contract document ``{"origins": [{"as_of", "open", "scorers": {"kampass":
{"brier", "auc", "ece", ...}, "base_rate": {...}, "naive_bayes": {...}, "stage_rate": {...}}, "forecast":
{"actual", "p10", "p50", "p90", ...}}...], "summary": {"kampass_minus_base_rate_brier": {"mean", "ci95":
[lo, hi]}, "band_coverage", ...}}`` plus ``"leakage"``, ``"features"``, ``"horizon"``, ``"unit"``;
without it a table in the active language. Notes and progress go to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

EVERY = {"week": (0, 7), "month": (1, 0), "quarter": (3, 0)}


def add_backtest_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="CSV export of opportunities (open and closed) with dates; without it kampass's own opportunities.",
    )
    parser.add_argument(
        "--mapping", metavar="generic|salesforce|FILE.yaml", help="Column mapping of the file (required with FILE)."
    )
    parser.add_argument("--as-of", action="append", default=[], metavar="DATE", help="An origin (repeatable).")
    parser.add_argument("--every", choices=sorted(EVERY), help="Origins every week, month or quarter ...")
    parser.add_argument("--from", dest="start", metavar="DATE", help="... from this date ...")
    parser.add_argument("--to", dest="stop", metavar="DATE", help="... to this date (included).")
    parser.add_argument("--horizon", type=int, default=90, metavar="DAYS", help="Days after an origin (default 90).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the models and the bootstrap (default 0).")
    parser.add_argument(
        "--allow-feature",
        action="append",
        default=[],
        metavar="COLUMN",
        help="Learn from this column although the leakage guard flags it (repeatable).",
    )
    parser.add_argument("--json", action="store_true", help="Print the results as one JSON document.")


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date (YYYY-MM-DD)") % {"option": option, "value": value}
        ) from None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, days[month - 1]))


def origins_of(options: dict[str, Any], default: list[dt.date] | None = None) -> list[dt.date]:
    """The origins the options ask for (sorted, distinct); ``default`` when none are asked for and a
    default is given."""
    if default is not None and not (options["as_of"] or options["every"] or options["start"] or options["stop"]):
        return default
    if options["as_of"]:
        if options["every"] or options["start"] or options["stop"]:
            raise CommandError(_("Give either --as-of or --every with --from and --to, not both."))
        return sorted({_date(v, "--as-of") for v in options["as_of"]})
    if not (options["every"] and options["start"] and options["stop"]):
        raise CommandError(_("Give --as-of DATE (repeatable) or --every with --from and --to."))
    start, stop = _date(options["start"], "--from"), _date(options["stop"], "--to")
    if stop < start:
        raise CommandError(_("--to lies before --from."))
    months, days = EVERY[options["every"]]
    result: list[dt.date] = []
    k = 0
    while True:
        day = _add_months(start, months * k) if months else start + dt.timedelta(days=days * k)
        if day > stop:
            return result
        result.append(day)
        k += 1


def handle_backtest(command: BaseCommand, **options: Any) -> None:
    from kampass.core.forecasting.backtest import backtest, history_leakage
    from kampass.core.forecasting.leakage import flagged_columns
    from kampass.pipeline.deal_history import HistoryFileError, read_history

    def note(text: str) -> None:
        command.stderr.write(text)

    if options["horizon"] < 1:
        raise CommandError(_("--horizon must be at least 1 day."))
    if not options["file"]:
        handle_recorded_backtest(command, **options)
        return
    if not options["mapping"]:
        raise CommandError(_("A file needs --mapping generic|salesforce|FILE.yaml."))
    origins = origins_of(options)
    try:
        read = read_history(Path(options["file"]), options["mapping"])
    except HistoryFileError as exc:
        raise CommandError(str(exc)) from None
    history = read.history
    for text in read.notes:
        note(text)
    if read.left_out:
        note(
            _("Known only after closing (mapping), not learnt from: %(columns)s")
            % {"columns": ", ".join(read.left_out)}
        )
    findings = history_leakage(history, seed=options["seed"])
    allowed = set(options["allow_feature"])
    flagged = [c for c in flagged_columns(findings) if c not in allowed]
    for f in findings:
        note(_("Leakage guard: %(column)s -- %(evidence)s") % {"column": f.column, "evidence": f.evidence})
    unknown = allowed - set(history.features.column_names) - {"amount"}
    if unknown:
        raise CommandError(
            _("--allow-feature names no feature column: %(columns)s") % {"columns": ", ".join(sorted(unknown))}
        )
    drop = [c for c in flagged if c in history.features.column_names]
    if drop:
        note(_("Left out (flagged; --allow-feature COLUMN keeps one): %(columns)s") % {"columns": ", ".join(drop)})
        history = replace(history, features=history.features.drop_columns(drop))
    if history.amount is not None:
        if "amount" in flagged:
            note(_("The amounts of closed deals look final: they are not learnt from and the forecast counts deals."))
            history = replace(history, amount=None)
        else:
            name = history.amount_unit if history.amount_unit not in history.features.column_names else "amount"
            history = replace(history, features=history.features.append_column(name, pa.array(history.amount)))

    def tick(done: int, total: int) -> None:
        note(_("origin %(done)d of %(total)d done") % {"done": done, "total": total})

    try:
        report = backtest(
            history,
            [np.datetime64(d, "D") for d in origins],
            horizon=options["horizon"],
            seed=options["seed"],
            leakage=findings,
            progress=tick,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    doc = report.to_json()
    if options["json"]:
        command.stdout.write(json.dumps(doc))
        return
    write_text(command, doc)
    sys.stdout.flush()


def handle_recorded_backtest(command: BaseCommand, **options: Any) -> None:
    """``kampass forecast backtest`` without a file: on kampass's own opportunities (see
    :func:`kampass.pipeline.services.backtest_recorded`); without origins, monthly over the last year."""
    from kampass.common.cli import system_actor
    from kampass.pipeline.recorded_history import default_origins, recorded_deal_history
    from kampass.pipeline.services import BacktestRefused, backtest_recorded

    recorded = recorded_deal_history()
    for text in recorded.notes:
        command.stderr.write(text)
    origins = origins_of(options, default_origins(recorded.history, options["horizon"]))

    def tick(done: int, total: int) -> None:
        command.stderr.write(_("origin %(done)d of %(total)d done") % {"done": done, "total": total})

    try:
        doc = backtest_recorded(
            actor=system_actor(),
            origins=origins,
            horizon=options["horizon"],
            seed=options["seed"],
            recorded=recorded,
            progress=tick,
        )
    except BacktestRefused as exc:
        raise CommandError(" ".join(exc.messages)) from None
    if options["json"]:
        command.stdout.write(json.dumps(doc))
        return
    write_text(command, doc)


def _f(x: float | None, digits: int = 4) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def write_text(command: BaseCommand, doc: dict[str, Any]) -> None:
    """The backtest as a table in the active language."""
    out = command.stdout.write
    unit = _("deals") if doc["unit"] == "deals" else doc["unit"]
    out(
        _("Temporal backtest, horizon %(days)d days; features: %(features)s")
        % {"days": doc["horizon"], "features": ", ".join(doc["features"])}
    )
    if doc["leakage"]:
        out(
            _("Warning: possible leakage in %(columns)s (see above).")
            % {"columns": ", ".join(f["column"] for f in doc["leakage"])}
        )
    for o in doc["origins"]:
        out("")
        out(
            _(
                "As of %(date)s: %(open)d open deals, %(won)d won within the horizon; "
                "trained on %(rows)d snapshot rows (%(trained_won)d won)"
            )
            % {
                "date": o["as_of"],
                "open": o["open"],
                "won": o["won"],
                "rows": o["training_rows"],
                "trained_won": o["training_won"],
            }
        )
        out(f"  {_('scorer'):12} {'Brier':>8} {_('log loss'):>9} {'ECE':>8} {'AUC':>8}")
        for name, s in o["scorers"].items():
            out(f"  {name:12} {_f(s['brier'])} {_f(s['log_loss']):>9} {_f(s['ece']):>8} {_f(s['auc']):>8}")
        f = o["forecast"]
        out(
            _(
                "  total (%(unit)s): actual %(actual)s, expected %(expected)s, "
                "P10 %(p10)s, P50 %(p50)s, P90 %(p90)s (%(band)s band)%(mark)s"
            )
            % {
                "unit": unit,
                "actual": f"{f['actual']:,.0f}",
                "expected": f"{f['expected']:,.0f}",
                "p10": f"{f['p10']:,.0f}",
                "p50": f"{f['p50']:,.0f}",
                "p90": f"{f['p90']:,.0f}",
                "band": _("empirical") if f["band"] == "empirical" else _("Bernoulli"),
                "mark": "" if f["covered"] else _(" -- outside the band"),
            }
        )
    s = doc["summary"]
    d = s["kampass_minus_base_rate_brier"]
    out("")
    out(
        _("Brier kampass - base rate over %(deals)d deals: %(mean)s (95 %% interval %(low)s to %(high)s)")
        % {
            "deals": s["deals_scored"],
            "mean": _f(d["mean"], 5),
            "low": _f(d["ci95"][0], 5),
            "high": _f(d["ci95"][1], 5),
        }
    )
    nb = s["kampass_minus_naive_bayes_brier"]
    out(
        _("Brier kampass - naive Bayes: %(mean)s (95 %% interval %(low)s to %(high)s)")
        % {"mean": _f(nb["mean"], 5), "low": _f(nb["ci95"][0], 5), "high": _f(nb["ci95"][1], 5)}
    )
    coverage = s["band_coverage"]
    out(
        _("The P10-P90 band held the actual total at %(covered)s of %(origins)d origins.")
        % {"covered": "–" if coverage is None else f"{coverage:.0%}", "origins": s["origins"]}
    )
    verdict = doc.get("verdict")
    if verdict:
        v = verdict["kampass_minus_best_brier"]
        out(
            _("Best baseline: %(name)s; Brier kampass - %(name)s: %(mean)s (95 %% interval %(low)s to %(high)s).")
            % {
                "name": verdict["best_baseline"],
                "mean": _f(v["mean"], 5),
                "low": _f(v["ci95"][0], 5),
                "high": _f(v["ci95"][1], 5),
            }
        )
        out(
            _("The model is better than the best baseline.")
            if verdict["model_better"]
            else _("The model is NOT better than the best baseline: the forecast would use the baseline.")
        )
