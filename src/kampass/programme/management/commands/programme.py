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
        cat = sub.add_parser(
            "catalogue", help="Check, install or remove an extension/translation of the concept catalogue."
        )
        cat_sub = cat.add_subparsers(dest="catalogue_action", required=True)
        for name, text in (
            ("check", "Check a catalogue file; change nothing."),
            ("load", "Check a catalogue file and, if valid, install it over the built-in catalogue."),
        ):
            cat_sub.add_parser(name, help=text).add_argument("file", type=Path)
        cat_sub.add_parser("reset", help="Remove the installed extension (the built-in catalogue runs again).")
        cat_sub.add_parser("show", help="Print the running catalogue's version and counts.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "catalogue":
            self._catalogue(opts)
            return
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

    def _catalogue(self, opts: dict[str, Any]) -> None:
        from kampass.core.concept import CatalogueError
        from kampass.programme import catalogue as cat

        action = opts["catalogue_action"]
        if action == "reset":
            removed = cat.catalogue_reset()
            self.stdout.write(
                "Extension removed; the built-in catalogue runs." if removed else "No extension installed."
            )
            return
        if action == "show":
            c = cat.active_catalogue()
            installed = cat.extension_path().exists()
            self.stdout.write(
                f"version {c.version}{' (with extension ' + str(cat.extension_path()) + ')' if installed else ''}: "
                f"{len(c.statements)} statements, {len(c.tension_fields)} tension fields, {len(c.logics)} logics, "
                f"{len(c.phases)} phases, {len(c.topics)} topics, {len(c.rules)} rules"
            )
            return
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            c = cat.catalogue_install(path) if action == "load" else cat.catalogue_check(path)
        except CatalogueError as exc:
            raise CommandError(f"refused, nothing changed: {exc}") from exc
        verb = "installed" if action == "load" else "is valid"
        self.stdout.write(f"{path.name} {verb}: catalogue version {c.version}, {len(c.statements)} statements.")
