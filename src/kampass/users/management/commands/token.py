from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.users.models import ApiToken, User
from kampass.users.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Manage personal API access tokens: create USERNAME | list [USERNAME] | revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; prints the token alone on stdout.")
        create.add_argument("username")
        create.add_argument("--name", default="")
        lst = sub.add_parser("list", help="List tokens.")
        lst.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "create":
            try:
                user = User.objects.get(username=opts["username"])
            except User.DoesNotExist as exc:
                raise CommandError(f"No user named {opts['username']!r}.") from exc
            _token, raw = token_create(user=user, name=opts["name"])
            self.stdout.write(raw)
        elif action == "list":
            qs = ApiToken.objects.select_related("user")
            if opts.get("username"):
                qs = qs.filter(user__username=opts["username"])
            for t in qs:
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}\t{t.user.username}\t{t.name}\t{t.created_at:%Y-%m-%d}\t{state}")
        else:
            tokens = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True)
            if not tokens:
                raise CommandError(f"No active token with prefix {opts['prefix']!r}.")
            for t in tokens:
                token_revoke(token=t)
            self.stdout.write(f"Revoked {len(tokens)} token(s).")
