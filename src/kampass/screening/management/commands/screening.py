"""``kampass screening score|wallet|whitespace|... [--json]``: the screening context's commands.

Each part of the context contributes one subcommand from its own module ``kampass.screening.cli_<part>``
that defines ``add_parser(subparsers)`` and ``run(command, options)``; ``SUBCOMMANDS`` lists them.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# subcommand name -> module (kampass.screening.cli_<part>) with add_parser(sub) and run(command, opts)
SUBCOMMANDS: dict[str, str] = {
    "score": "kampass.screening.cli_selection",
    "segments": "kampass.screening.cli_segments",
    "wallet": "kampass.screening.cli_wallet",
    "whitespace": "kampass.screening.cli_whitespace",
}


class Command(BaseCommand):
    help = "Screening: selection scores, realistic wallets and whitespace of the accounts (see `--help` of each)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for module in SUBCOMMANDS.values():
            importlib.import_module(module).add_parser(sub)

    def handle(self, *args: Any, **opts: Any) -> None:
        importlib.import_module(SUBCOMMANDS[opts["action"]]).run(self, opts)
