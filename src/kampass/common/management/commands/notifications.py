"""``kampass notifications digest``: e-mail each user their unread notifications of the last day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Send the notification digest."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        sub.add_parser("digest", help="E-mail each user their unread notifications of the last day.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kampass.common.notifications import send_digests

        sent = send_digests()
        self.stdout.write(_("%(n)s notification digests sent.") % {"n": sent})
