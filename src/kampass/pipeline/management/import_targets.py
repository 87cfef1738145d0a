"""``kampass import targets FILE``: the sub-command's arguments and its run (see
:mod:`kampass.pipeline.target_import`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kampass.pipeline.importing import OpportunityImportError
from kampass.pipeline.services.imports import targets_summary
from kampass.pipeline.target_import import import_targets


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "targets",
        help="Targets (quotas) from a CSV or XLSX file: owner (username or e-mail) or team or account (id or name), "
        "period (2027, 2027-Q1, 2027-01), amount, currency, category (optional). Atomic; re-importing updates.",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="Read and check everything, report, write nothing.")
    p.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
    return p


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.common.cli import system_actor

    path: Path = opts["file"]
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        result = import_targets(actor=system_actor(), path=path, dry_run=opts["dry_run"])
    except OpportunityImportError as exc:
        raise CommandError(str(exc)) from exc
    if opts["json"]:
        command.stdout.write(json.dumps(result.as_json()))
    else:
        if result.rejects:
            command.stdout.write(
                _("%(rows)d rows rejected (file, row, column, value, reason):") % {"rows": len(result.rejects)}
            )
            for r in result.rejects:
                command.stdout.write(f"  {r.file}, row {r.row}, {r.column}, “{r.value}”: {r.reason}")
        command.stdout.write(f"{result.file}: {targets_summary(result.as_json())}")
    if result.rejects:
        raise CommandError(_("Nothing imported."))
