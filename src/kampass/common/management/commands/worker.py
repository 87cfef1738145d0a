"""``kampass worker``: run the background task worker alone (imports, model training, reports)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls for new tasks.")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("db_worker", interval=opts["interval"])
