"""``kampass backup FILE``: the operational database and the analytics store in one file, while serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent backup (database, analytics store, uploads) to FILE (.tar.gz); the server may run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            summary = backup_create(path=opts["file"].resolve())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{summary.path}: {summary.database} database ({summary.rows} rows in {summary.tables} tables), "
            f"{summary.analytics} analytics store, {summary.bytes / 1e6:.1f} MB"
        )
