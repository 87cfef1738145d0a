"""``kampass roadmap measure|summary``: measure the guardrails of the active initiatives, or print the roadmap."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation


class Command(BaseCommand):
    help = (
        "Roadmap of the KAM programme: `measure` stores one guardrail measurement per active initiative "
        "(values from the programme's current signals); `summary` prints initiatives, guardrails and topics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        measure = sub.add_parser("measure", help="Measure the guardrails now.")
        measure.add_argument("--json", action="store_true", help="Print one JSON document.")
        measure.add_argument(
            "--enqueue", action="store_true", help="Queue the measurement as a background task instead."
        )
        summary = sub.add_parser("summary", help="Print the roadmap summary.")
        summary.add_argument("--json", action="store_true", help="Print one JSON document.")
        for p in (measure, summary):
            p.add_argument("--lang", choices=["en", "de"], default="en")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts["lang"]):
            if opts["action"] == "measure":
                self._measure(opts)
            else:
                self._summary(opts)

    def _measure(self, opts: dict[str, Any]) -> None:
        if opts["enqueue"]:
            from kampass.roadmap.tasks import measure_guardrails

            result = measure_guardrails.enqueue()
            if opts["json"]:
                self.stdout.write(json.dumps({"task": str(result.id), "status": str(result.status)}))
            else:
                self.stdout.write(f"Guardrail measurement queued as task {result.id}.")
            return
        from kampass.roadmap.services import guardrails_measure

        res = guardrails_measure(actor=None)
        doc = {
            "measured": res.measured,
            "warnings": res.warnings,
            "skipped": list(res.skipped),
            "measured_at": res.measured_at.isoformat(),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(doc))
            return
        self.stdout.write(f"Measured {res.measured} guardrail(s), {res.warnings} beyond the threshold.")
        if res.skipped:
            ids = ", ".join(str(i) for i in res.skipped)
            self.stdout.write(f"No current value for the metric of initiative(s) {ids}; not measured.")

    def _summary(self, opts: dict[str, Any]) -> None:
        from kampass.roadmap import catalogue
        from kampass.roadmap.facade import roadmap_summary

        s = roadmap_summary()
        if opts["json"]:
            self.stdout.write(json.dumps(asdict(s), default=str))
            return
        for i in s.initiatives:
            span = f"{i.starts or '?'} .. {i.ends or '?'}"
            self.stdout.write(
                f"{i.id:>5}  {catalogue.logic_name(i.logic):28.28} {i.title[:40]:40} {i.status:10} {span:24} "
                f"{i.owner or '-'}"
            )
        for g in s.guardrails:
            value = "-" if g.value is None else f"{g.value:g}"
            flag = "WARNING" if g.warning else "ok"
            self.stdout.write(
                f"guardrail {g.initiative_id:>5} {g.key:32} {value:>10} {g.direction} {g.threshold:g}  {flag}"
            )
        over = " (over the limit)" if s.topics_over_limit else ""
        self.stdout.write(f"topics active {s.topics_active} of {s.topics_limit}{over}")
