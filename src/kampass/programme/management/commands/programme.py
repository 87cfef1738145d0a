"""``kampass programme report``: the programme report as JSON (``--json``) or PDF (``--pdf FILE``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The KAM programme: `report --json` prints the programme report, `report --pdf FILE` writes it as PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="The programme report of a closed assessment round.")
        out = report.add_mutually_exclusive_group(required=True)
        out.add_argument("--json", action="store_true", help="Print the report as one JSON document.")
        out.add_argument("--pdf", metavar="FILE", help="Write the report as PDF to FILE.")
        report.add_argument("--lang", choices=["en", "de"], default="en", help="Language of the texts.")
        report.add_argument("--round", type=int, dest="round_id", help="Round id (default: the latest closed round).")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kampass.programme.models import AssessmentRound, RoundStatus
        from kampass.programme.report import report_document, report_pdf

        assessment_round = None
        if opts["round_id"] is not None:
            assessment_round = AssessmentRound.objects.filter(pk=opts["round_id"]).first()
            if assessment_round is None:
                raise CommandError(f"No assessment round with id {opts['round_id']}.")
            if assessment_round.status != RoundStatus.CLOSED:
                raise CommandError(
                    f"Assessment round {assessment_round.pk} is {assessment_round.status}; "
                    "only a closed round has a report."
                )
        if opts["json"]:
            doc = report_document(lang=opts["lang"], assessment_round=assessment_round)
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        target = Path(opts["pdf"])
        if not target.parent.exists():
            raise CommandError(f"Directory {target.parent} does not exist.")
        data = report_pdf(lang=opts["lang"], assessment_round=assessment_round)
        target.write_bytes(data)
        self.stdout.write(f"Wrote {target} ({len(data):,} bytes).")
