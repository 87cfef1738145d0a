"""``kampass import accounts|contacts|users|org-units|teams FILE``: the command line of the import framework."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kampass.common.cli import ProgressBar, system_actor
from kampass.common.imports.framework import ImportOutcome, ImportRefused, run_import
from kampass.common.imports.mappings import mapping_named
from kampass.common.imports.registry import importer_for, kinds


def add_parsers(sub: Any) -> None:
    """One sub-command per registered kind."""
    for kind in kinds():
        importer = importer_for(kind)
        builtin = ", ".join(["generic", *importer.mappings])
        parser = sub.add_parser(
            kind, help=f"{importer.label} from CSV or XLSX (columns suggested; mappings: {builtin})."
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            default="generic",
            help=f"Built-in ({builtin}), a mapping saved in kampass by its name, "
            "or a YAML file (kind, columns: field: column).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything the real run checks; store nothing."
        )
        parser.add_argument("--strict", action="store_true", help="Store nothing if any row is rejected.")
        parser.add_argument("--rejects", type=Path, help="Write the rejected rows (row, column, value, reason) as CSV.")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    importer = importer_for(opts["kind"])
    path: Path = opts["file"]
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    actor = system_actor()
    # the text output (summary and reasons) in the language of the user the work is done for (``--as``);
    # the JSON output keeps the default language, for the scripts that read it
    language = "" if opts["json"] else getattr(actor, "language", "")
    if language:
        with translation.override(language):
            _run(command, opts, importer, path, actor)
    else:
        _run(command, opts, importer, path, actor)


def _run(command: BaseCommand, opts: dict[str, Any], importer: Any, path: Path, actor: Any) -> None:
    bar = None if opts["quiet"] or opts["json"] else ProgressBar(sys.stderr)
    try:
        mapping = mapping_named(importer, opts["mapping"], allow_path=True)
        outcome = run_import(
            importer, actor=actor, path=path, mapping=mapping, dry_run=opts["dry_run"], strict=opts["strict"],
            progress=bar.update if bar else None,
        )  # fmt: skip
    except (ImportRefused, PermissionDenied) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        if bar:
            bar.close()
    if opts["rejects"]:
        write_rejects(outcome, opts["rejects"])
    if opts["json"]:
        command.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        return
    command.stdout.write(summary(outcome))
    for reject in outcome.rejects[:20]:
        command.stdout.write(
            _("  row %(row)s, %(column)s “%(value)s”: %(reason)s")
            % {"row": reject.row, "column": reject.column or "-", "value": reject.value, "reason": reject.reason}
        )
    if len(outcome.rejects) > 20:
        command.stdout.write(
            _("  ... %(more)s more (--rejects FILE writes them all)") % {"more": len(outcome.rejects) - 20}
        )


def summary(outcome: ImportOutcome) -> str:
    """The outcome in one line, in the active language."""
    counts = {
        "file": outcome.file, "created": outcome.created, "updated": outcome.updated,
        "unchanged": outcome.unchanged, "rejected": outcome.rejected, "rows": outcome.rows,
    }  # fmt: skip
    if outcome.dry_run:
        text = (
            _(
                "%(file)s: would create %(created)s, would update %(updated)s, unchanged %(unchanged)s, "
                "rejected %(rejected)s of %(rows)s rows."
            )
            % counts
        )
    else:
        text = (
            _(
                "%(file)s: created %(created)s, updated %(updated)s, unchanged %(unchanged)s, "
                "rejected %(rejected)s of %(rows)s rows."
            )
            % counts
        )
    if outcome.strict and outcome.rejects and not outcome.dry_run:
        text += " " + _("Nothing was stored (--strict).")
    if outcome.ignored_columns:
        text += " " + _("Columns not read: %(columns)s (--mapping names a field's column).") % {
            "columns": ", ".join(outcome.ignored_columns)
        }
    return text


def write_rejects(outcome: ImportOutcome, target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "column", "value", "reason"])
        for r in sorted(outcome.rejects, key=lambda r: r.row):
            writer.writerow([r.row, r.column, r.value, r.reason])
