"""``kampass import opportunities FILE``: the sub-command's arguments and its run, plugged into
the ``import`` command of the commercial context."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kampass.core.dates import ORDERS
from kampass.pipeline.importing import LINK_MODES, PREFER, OpportunityImportError, import_opportunities, iter_report


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser("opportunities", help="Opportunities from a CRM export (CSV or XLSX).")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--mapping",
        default="salesforce",
        help="salesforce | generic | the name of a mapping saved on Pipeline › Imports | FILE.yaml",
    )
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
        help="How to find the accounts: external_id (default), name (external id, then name), create (create "
        "missing), keep (external id, then name; keep deals without an account as opportunities awaiting one).",
    )
    p.add_argument(
        "--date-order",
        choices=ORDERS,
        help="Day/month order of slash dates (03/04/2024) for columns whose values do not decide it: "
        "dmy (day first) or mdy (month first). Overrides date_order in the mapping.",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="Read and check everything the real run checks (account links and owners too), report what "
        "would be created and updated, but write nothing.",
    )
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
            date_order=opts.get("date_order") or "",
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
    for column, order in result.date_orders.items():
        out.write(
            _("Dates in column %(column)s read as %(order)s.")
            % {"column": column, "order": _("day/month/year") if order == "dmy" else _("month/day/year")}
        )
    if result.warnings:
        out.write(
            ngettext(
                "%(n)d optional value left empty (file, row, column, value, reason):",
                "%(n)d optional values left empty (file, row, column, value, reason):",
                len(result.warnings),
            )
            % {"n": len(result.warnings)}
        )
        for w in result.warnings:
            out.write(f"  {w.file}, row {w.row}, {w.column}, “{w.value}”: {w.reason}")
    if result.rejects:
        out.write(
            _("%(rows)d rows rejected, %(reasons)d reasons (file, row, column, value, reason):")
            % {"rows": result.rejected_rows, "reasons": len(result.rejects)}
        )
        for r in result.rejects:
            out.write(f"  {r.file}, row {r.row}, {r.column}, “{r.value}”: {r.reason}")
    if result.refused:
        raise CommandError(
            f"{path.name}: {len(result.contradictions)} contradictory rows; nothing imported. "
            "Decide which field wins: --prefer stage (the stage decides the outcome) or --prefer flags "
            "(IsClosed/IsWon decide)."
        )
    figures = {
        "file": path.name,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected_rows,
    }
    if result.dry_run:
        line = _(
            "%(file)s: dry run, nothing written; of %(rows)d rows it would create %(created)d, update %(updated)d, "
            "leave %(unchanged)d unchanged and reject %(rejected)d"
        )
    elif result.committed:
        line = _(
            "%(file)s: imported %(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected"
        )
    else:
        line = _("%(file)s: nothing imported (--strict and %(rejected)d of %(rows)d rows rejected)")
    out.write(
        line % figures
        + (f" (contradictions resolved by --prefer {result.prefer})" if result.contradictions else "")
        + "."
    )
    if result.accounts_created:
        out.write(
            (_("%(n)d accounts would be created.") if result.dry_run else _("%(n)d accounts created."))
            % {"n": result.accounts_created}
        )
    if result.unlinked:
        out.write(
            (
                _("%(n)d opportunities without an account would be kept (%(new)d new); link them on the list "
                  "“Opportunities without an account”.")
                if result.dry_run
                else _("%(n)d opportunities without an account kept (%(new)d new); link them on the list "
                       "“Opportunities without an account”.")
            )
            % {"n": result.unlinked, "new": result.unlinked_new}
        )  # fmt: skip
    if result.owners_unlinked:
        out.write(
            f"{len(result.owners_unlinked)} owners are not users of kampass and are kept by name "
            f"(e.g. {', '.join(result.owners_unlinked[:5])})."
        )
