"""``kampass screening score [--as-of DAY] [--json]``: every scored account's attractiveness and
position under the catalogue in force, its quadrant and the contributions of its criteria (which add
up to the two scores).

``accounts`` holds the accounts scored in both dimensions, so that every score there is a number;
``unscored`` holds, in the same shape, the accounts without a value for any criterion of a dimension
(e.g. no invoice lines, no opportunities and no rating yet): nothing is left out silently."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


def add_parser(sub: Any) -> None:
    score = sub.add_parser("score", help="Score the accounts on the selection criteria (attractiveness x position).")
    score.add_argument("--as-of", type=_day, default=None, help="The day of the facts (default: today).")
    score.add_argument("--json", action="store_true", help="Print one JSON document.")


def score_document(*, as_of: dt.date | None = None) -> dict[str, Any]:
    """The JSON document of ``kampass screening score --json`` (and of the API's scores)."""
    from kampass.screening.selectors_selection import portfolio

    view = portfolio(as_of=as_of)
    rows = [
        {
            "account_id": row.account.id,
            "attractiveness": row.score.attractiveness,
            "position": row.score.position,
            "quadrant": row.score.quadrant,
            "contributions": [
                {
                    "criterion": c.criterion,
                    "dimension": c.dimension,
                    "value": c.value,
                    "weight": c.weight,
                    "contribution": c.contribution,
                }
                for c in row.score.contributions
            ],
        }
        for row in sorted(view.rows, key=lambda r: r.account.id)
    ]

    def scored(row: dict[str, Any]) -> bool:
        return row["attractiveness"] is not None and row["position"] is not None

    return {"accounts": [r for r in rows if scored(r)], "unscored": [r for r in rows if not scored(r)]}


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.screening.selectors_selection import current_catalogue

    if current_catalogue() is None:
        raise CommandError(
            "No criteria catalogue is published yet (the head of KAM publishes one; `kampass demo` loads the default)."
        )
    doc = score_document(as_of=opts.get("as_of"))
    if opts.get("json"):
        command.stdout.write(json.dumps(doc, ensure_ascii=False))
        return
    command.stdout.write(f"{'account':>8}  {'attractiveness':>14}  {'position':>8}  quadrant")
    for a in [*doc["accounts"], *doc["unscored"]]:
        att = "–" if a["attractiveness"] is None else f"{a['attractiveness']:.1f}"
        pos = "–" if a["position"] is None else f"{a['position']:.1f}"
        command.stdout.write(f"{a['account_id']:>8}  {att:>14}  {pos:>8}  {a['quadrant'] or '–'}")
