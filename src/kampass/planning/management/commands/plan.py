"""``kampass plan reviews|kpis``: raise the reviews events call for (or list planned reviews), print an
account's KPIs. (The plan exports add their own subcommands here.)"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kampass.planning import cli_kpis_reviews


class Command(BaseCommand):
    help = (
        "Account plans: `reviews` raises event-triggered and due reviews or lists them; "
        "`kpis` prints an account's KPIs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cli_kpis_reviews.add_parsers(sub)

    def handle(self, *args: Any, **opts: Any) -> None:
        cli_kpis_reviews.run(self, opts)
