"""``kampass import transactions FILE``: import invoice lines into the analytics store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.commercial.models import LinkMode, OnOverlap
from kampass.common.cli import ProgressBar, system_actor


class Command(BaseCommand):
    help = (
        "Import data files. `kampass import transactions FILE` reads invoice lines (CSV, gzipped CSV, XLSX); "
        "`kampass import opportunities FILE` reads a CRM opportunity export; "
        "`kampass import opportunity-history FILE` reads its stage history (e.g. Salesforce OpportunityHistory); "
        "`kampass import targets FILE` reads targets (quotas); "
        "`kampass import accounts|contacts|users|org-units|teams FILE` reads master data (CSV or XLSX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        tx = sub.add_parser("transactions", help="Invoice lines into the analytics store.")
        tx.add_argument("file", type=Path)
        tx.add_argument("--mapping", default="online-retail", help="online-retail | generic | FILE.yaml")
        tx.add_argument("--dry-run", action="store_true", help="Read, check and classify, but store nothing.")
        tx.add_argument("--strict", action="store_true", help="Store nothing if any line is rejected.")
        tx.add_argument(
            "--link",
            choices=LinkMode.values,
            default=LinkMode.EXTERNAL_ID,
            help="How to link customer numbers to accounts: external_id (default), create, none.",
        )
        tx.add_argument(
            "--date-order",
            choices=["dmy", "mdy"],
            default="",
            help="Day/month order of slash dates (03/04/2011) when the date column cannot decide it: "
            "dmy (day first) or mdy (month first). Without it the order is decided from all the column's values.",
        )
        tx.add_argument(
            "--on-overlap",
            choices=OnOverlap.values,
            default=OnOverlap.SKIP,
            help="Lines an earlier import already holds (same invoice, stock code, quantity, price, date, customer): "
            "skip them (default), replace the earlier ones, or import them again (counted twice).",
        )
        tx.add_argument(
            "--encoding",
            default="",
            help="The file's text encoding, e.g. utf-8, cp1252, latin-1 (default: recognised from its bytes; "
            "a file mixing UTF-8 with other lines is refused until it is given).",
        )
        tx.add_argument("--rejects", type=Path, help="Write the rejected lines as CSV to this file.")
        tx.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
        tx.add_argument("--quiet", action="store_true", help="No progress bar.")
        sub.add_parser(
            "cleanup",
            help="Delete uploaded import files older than KAMPASS_UPLOAD_RETENTION_HOURS (at least an hour) "
            "whose import is not queued or running.",
        )
        from kampass.pipeline.facade import add_import_opportunities_parser

        add_import_opportunities_parser(sub)
        from kampass.common.imports import cli as master_data

        master_data.add_parsers(sub)

    def handle(self, *args: Any, **opts: Any) -> None:
        from kampass.commercial.services import import_job_create, import_job_run, uploads_clean
        from kampass.core.analytics.ingest import IngestError

        if opts["kind"] in ("opportunities", "opportunity-history", "targets"):
            from kampass.pipeline.facade import run_import_opportunities

            return run_import_opportunities(self, opts)
        from kampass.common.imports.registry import kinds

        if opts["kind"] in kinds():
            from kampass.common.imports import cli as master_data

            return master_data.run(self, opts)
        if opts["kind"] == "cleanup":
            self.stdout.write(f"{uploads_clean()} uploaded files deleted.")
            return None

        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = system_actor()
        try:
            job = import_job_create(
                actor=actor, source=path, original_name=path.name, mapping=opts["mapping"], strict=opts["strict"],
                dry_run=opts["dry_run"], link_mode=opts["link"], date_order=opts["date_order"],
                on_overlap=opts["on_overlap"], enqueue=False,
                encoding=opts["encoding"], allow_mapping_path=True,
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        bar = None if opts["quiet"] or opts["json"] else ProgressBar(sys.stderr)
        try:
            job = import_job_run(str(job.pk), progress=bar.update if bar else None, actor=actor)
        except IngestError as exc:  # a question, a limit, mixed encodings: the job says it
            job.refresh_from_db()
            raise CommandError(job.error or str(exc)) from exc
        except Exception as exc:
            raise CommandError(f"import failed: {exc}") from exc
        finally:
            if bar:
                bar.close()
        if opts["rejects"] and job.rejects_path:
            Path(opts["rejects"]).write_bytes(Path(job.rejects_path).read_bytes())
        outcome = {
            "file": str(path),
            "mapping": job.mapping,
            "lines": job.lines,
            "rejected": job.rejected,
            "already_imported": job.already_imported,
            "dry_run": job.dry_run,
            "strict": job.strict,
            "committed": not job.dry_run and not job.already_imported and not (job.strict and job.rejected),
            "customers": job.customers,
            "customers_linked": job.linked_customers,
            "accounts_created": job.accounts_created,
            "unmatched_customers": len(job.unmatched_customers),
            "date_order": job.date_order_used,
            "overlap": job.overlap or None,
            "rejects_report": str(opts["rejects"] or job.rejects_path or ""),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(outcome))
            return
        if job.already_imported:
            self.stdout.write(f"{path.name} was imported before: nothing added.")
            return
        verb = "would import" if job.dry_run else ("imported" if outcome["committed"] else "rejected the file;")
        would = "would be " if job.dry_run else ""
        self.stdout.write(f"{path.name}: {verb} {job.lines} lines, {job.rejected} {would}rejected.")
        if job.overlap:
            self.stdout.write(job.overlap_summary)
        if job.date_order_used:
            reading = {"dmy": "day/month/year", "mdy": "month/day/year"}[job.date_order_used]
            self.stdout.write(f"Dates read as {reading}.")
        if job.rejected:
            self.stdout.write(f"Rejected lines (file, row, column, value, reason): {outcome['rejects_report']}")
        if job.dry_run and (job.linked_customers or job.accounts_created):
            self.stdout.write(
                f"It would link {job.linked_customers} of {job.customers} customers to accounts"
                + (f", {job.accounts_created} of them to new accounts." if job.accounts_created else ".")
            )
        elif job.accounts_created:
            self.stdout.write(f"{job.accounts_created} accounts created for new customers.")
        if job.unmatched_customers:
            sample = ", ".join(job.unmatched_customers[:10])
            self.stdout.write(
                f"{len(job.unmatched_customers)} customers {'would not be' if job.dry_run else 'are not'} linked "
                f"to an account yet (e.g. {sample}); their lines count as 'unassigned'. "
                "Link them in the UI or re-run with --link create."
            )
