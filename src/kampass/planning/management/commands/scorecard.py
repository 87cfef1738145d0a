"""``kampass scorecard [--json] [--record]``: the health of every key account with its components."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation


class Command(BaseCommand):
    help = (
        "The explainable health score (0-100) of every key account: each component's score, weight and "
        "contribution (the contributions add up to the health). --record stores today's snapshots "
        "(once per account and day) and raises the notices of drops; run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")
        parser.add_argument("--record", action="store_true", help="Store the day's health snapshots first.")
        parser.add_argument("--day", default="", help="Day of the snapshots (YYYY-MM-DD; default today).")
        parser.add_argument("--lang", choices=["en", "de"], default="en")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kampass.common.cli import system_actor
        from kampass.core import scorecard as core
        from kampass.planning import health_selectors, health_services

        try:
            day = dt.date.fromisoformat(opts["day"]) if opts["day"] else None
        except ValueError:
            raise CommandError(f"--day: “{opts['day']}” is not a date (YYYY-MM-DD).") from None
        actor = system_actor()
        with translation.override(opts["lang"]):
            recorded = None
            if opts["record"]:
                recorded = health_services.health_snapshots_record(actor=actor, day=day)
            card = health_selectors.scorecard(user=actor, today=day, live=True)
            if opts["json"]:
                doc: dict[str, Any] = {
                    "accounts": [
                        {
                            "account_id": r.account_id,
                            "account": r.name,
                            "health": r.score,
                            "components": [
                                {"key": c.key, "value": c.score, "weight": c.weight, "contribution": c.contribution}
                                for c in r.health.components
                            ],
                        }
                        for r in card.rows
                    ]
                }
                self.stdout.write(json.dumps(doc))
                return
            if recorded is not None:
                self.stdout.write(
                    f"Recorded {recorded.created + recorded.updated} snapshot(s) for {recorded.day} "
                    f"({recorded.updated} replaced), {recorded.notices} notice(s) of a drop."
                )
            lang = opts["lang"]
            keys = core.COMPONENT_KEYS
            self.stdout.write(f"{'account':30} {'health':>6}  " + " ".join(f"{k[:10]:>10}" for k in keys))
            for r in card.rows:
                cells = []
                for k in keys:
                    c = r.health.component(k)
                    cells.append(f"{'–' if c is None or not c.present else f'{c.contribution:.1f}':>10}")
                score = "–" if r.score is None else f"{r.score:.1f}"
                self.stdout.write(f"{r.name[:30]:30} {score:>6}  " + " ".join(cells))
            self.stdout.write(
                "Contributions in points; – : no value (left out, weights normalised over the rest). Components: "
                + "; ".join(f"{s.key} = {s.label(lang)}" for s in core.COMPONENTS)
            )
