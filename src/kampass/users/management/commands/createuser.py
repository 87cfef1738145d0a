from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.users.models import Role
from kampass.users.services import user_create


class Command(BaseCommand):
    help = "Create a kampass user with a role (admin, head, kam, controller, viewer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", choices=["en", "de"], default="")
        parser.add_argument("--password", help="Password (asked for when omitted).")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = opts["password"] or getpass.getpass("Password: ")
        try:
            user = user_create(
                username=opts["username"],
                password=password,
                role=opts["role"],
                email=opts["email"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                language=opts["language"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created user {user.username} ({user.get_role_display()}).")
