"""``kampass import opportunities FILE``: the sub-command's arguments and its run, plugged into
the ``import`` command of the commercial context."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kampass.pipeline.importing import LINK_MODES, PREFER, OpportunityImportError, import_opportunities, iter_report


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser("opportunities", help="Opportunities from a CRM export (CSV).")
    p.add_argument("file", type=Path)
    p.add_argument("--mapping", default="salesforce", help="salesforce | generic | FILE.yaml")
    p.add_argument(
        "--prefer",
        choices=PREFER,
        help="Which field wins where the stage and the IsClosed/IsWon flags contradict each other "
        "(without it the import refuses and reports the contradictions).",
    )
    p.add_argument(
        "--link",
        choices=LINK_MODES,
        default="external_id",
        help="How to find the accounts: external_id (default), name (external id, then name), create (create missing).",
    )
    p.add_argument("--dry-run", action="store_true", help="Read and check, but write nothing.")
    p.add_argument("--strict", action="store_true", help="Write nothing if any row is rejected.")
    p.add_argument("--report", type=Path, help="Write the contradictions as CSV to this file.")
    p.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
    return p


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.common.cli import system_actor

    path: Path = opts["file"]
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        result = import_opportunities(
            actor=system_actor(),
            path=path,
            mapping=opts["mapping"],
            prefer=opts.get("prefer") or "",
            link=opts["link"],
            dry_run=opts["dry_run"],
            strict=opts["strict"],
        )
    except OpportunityImportError as exc:
        raise CommandError(str(exc)) from exc
    if opts.get("report"):
        Path(opts["report"]).write_text("\n".join(iter_report(result)) + "\n", encoding="utf-8")
    if opts["json"]:
        command.stdout.write(json.dumps(result.as_json()))
        if result.refused:
            raise CommandError("contradictions found; nothing imported (choose --prefer stage or --prefer flags)")
        return
    out = command.stdout
    if result.contradictions:
        out.write(f"{len(result.contradictions)} rows where the stage and the IsClosed/IsWon flags contradict:")
        for rule, n in sorted(result.contradiction_counts().items()):
            out.write(f"  {n:6d}  {rule}")
        for line in iter_report(result):
            out.write("  " + line)
    if result.rejects:
        out.write(f"{len(result.rejects)} rows rejected (file, row, column, value, reason):")
        for r in result.rejects:
            out.write(f"  {r.file}, row {r.row}, {r.column}, “{r.value}”: {r.reason}")
    if result.refused:
        raise CommandError(
            f"{path.name}: {len(result.contradictions)} contradictory rows; nothing imported. "
            "Decide which field wins: --prefer stage (the stage decides the outcome) or --prefer flags "
            "(IsClosed/IsWon decide)."
        )
    verb = "would import" if result.dry_run else ("imported" if result.committed else "rejected the file;")
    out.write(
        f"{path.name}: {verb} {result.rows} rows: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.rejects)} rejected"
        + (f" (contradictions resolved by --prefer {result.prefer})" if result.contradictions else "")
        + "."
    )
    if result.accounts_created:
        out.write(f"{result.accounts_created} accounts created.")
    if result.owners_unlinked:
        out.write(
            f"{len(result.owners_unlinked)} owners are not users of kampass and are kept by name "
            f"(e.g. {', '.join(result.owners_unlinked[:5])})."
        )
