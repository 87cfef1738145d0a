"""``kampass import opportunity-history FILE``: the sub-command's arguments and its run (see
:mod:`kampass.pipeline.history_import`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kampass.core.dates import ORDERS
from kampass.pipeline.history_import import import_opportunity_history
from kampass.pipeline.importing import OpportunityImportError


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "opportunity-history",
        help="The stage history of imported opportunities (e.g. a Salesforce OpportunityHistory export: "
        "OpportunityId, StageName, CreatedDate, Amount, CloseDate, Probability).",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--mapping", default="salesforce", help="salesforce | generic | FILE.yaml (as for the opportunities)"
    )
    p.add_argument("--date-order", choices=ORDERS, help="Day/month order of slash dates: dmy or mdy.")
    p.add_argument("--dry-run", action="store_true", help="Read and check everything, report, write nothing.")
    p.add_argument("--strict", action="store_true", help="Write nothing if any row is rejected.")
    p.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
    return p


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.common.cli import system_actor

    path: Path = opts["file"]
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        result = import_opportunity_history(
            actor=system_actor(),
            path=path,
            mapping=opts["mapping"],
            dry_run=opts["dry_run"],
            strict=opts["strict"],
            date_order=opts.get("date_order") or "",
        )
    except OpportunityImportError as exc:
        raise CommandError(str(exc)) from exc
    if opts["json"]:
        command.stdout.write(json.dumps(result.as_json()))
        return
    out = command.stdout
    if result.rejects:
        out.write(_("%(rows)d rows rejected (file, row, column, value, reason):") % {"rows": len(result.rejects)})
        for r in result.rejects:
            out.write(f"  {r.file}, row {r.row}, {r.column}, “{r.value}”: {r.reason}")
    figures = {
        "file": result.file,
        "rows": result.rows,
        "entries": result.entries,
        "amounts": result.amount_entries,
        "opportunities": result.opportunities,
    }
    if result.dry_run:
        line = _(
            "%(file)s: dry run, nothing written; of %(rows)d rows it would record %(entries)d stage entries "
            "and %(amounts)d amount changes of %(opportunities)d opportunities"
        )
    elif result.committed:
        line = _(
            "%(file)s: %(rows)d rows read: %(entries)d stage entries and %(amounts)d amount changes of "
            "%(opportunities)d opportunities recorded"
        )
    else:
        line = _("%(file)s: nothing imported (--strict and %(rejected)d of %(rows)d rows rejected)")
        figures["rejected"] = len(result.rejects)
    out.write(line % figures + ".")
    out.write(
        _(
            "Derived (certain, without a date): %(entries)d entries for the open stages %(deals)d won "
            "opportunities passed without a recorded entry."
        )
        % {"entries": result.derived_entries, "deals": result.derived_opportunities}
    )
