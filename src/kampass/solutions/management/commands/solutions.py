"""``kampass solutions report [--json] [--as-of YYYY-MM-DD]``: the solutions context's programme figures."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {value!r} is no date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "Solutions and co-creation in figures: solution reuse across key accounts and the innovations' "
        "revenue share against their effort share (the guardrails of Selected Key Accounts and Innovation)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="Print the figures.")
        report.add_argument("--json", action="store_true", help="Print one JSON document.")
        report.add_argument(
            "--as-of", default="", help="Last day of the twelve-month window (default: the newest invoice day)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from kampass.solutions import selectors

        as_of = _day(opts["as_of"]) if opts["as_of"] else None
        figures = selectors.innovation_figures(as_of=as_of)
        parts = figures.parts
        reuse = selectors.solution_reuse_share()
        doc: dict[str, Any] = {
            "solution_reuse_share": reuse,
            "innovation_revenue_effort_ratio": parts.ratio,
            "window": {"from": figures.window_start.isoformat(), "to": figures.window_end.isoformat()},
            "currency": figures.currency,
            "innovation_revenue": str(parts.innovation_revenue),
            "key_account_revenue": str(parts.key_account_revenue),
            "innovation_effort": str(parts.innovation_effort),
            "revenue_share": parts.revenue_share,
            "effort_share": parts.effort_share,
            "conversion": figures.conversion,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(doc))
            return

        def share(v: float | None) -> str:
            return "–" if v is None else f"{v:.1%}"

        self.stdout.write(f"Solutions reused across key accounts: {share(reuse)}")
        self.stdout.write(f"Window: {figures.window_start} .. {figures.window_end} ({figures.currency})")
        self.stdout.write(
            f"Innovation revenue {parts.innovation_revenue} of key-account revenue {parts.key_account_revenue}: "
            f"{share(parts.revenue_share)}"
        )
        self.stdout.write(f"Innovation effort {parts.innovation_effort}: {share(parts.effort_share)}")
        ratio = "–" if parts.ratio is None else f"{parts.ratio:.2f}"
        self.stdout.write(f"Revenue share / effort share: {ratio}")
        if figures.conversion:
            self.stdout.write(f"({figures.conversion})")
