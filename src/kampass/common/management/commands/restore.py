"""``kampass restore FILE``: bring a backup back into this (stopped, empty) installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.common.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup written by `kampass backup` into this installation (stop the server first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="Replace the data this installation already holds.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            manifest = backup_restore(path=opts["file"].resolve(), force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.get("rows", {}).values())
        self.stdout.write(
            f"restored {opts['file']}: backup of {manifest['created_at']} (kampass {manifest['kampass']}), {rows} rows"
        )
