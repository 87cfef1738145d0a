from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kampass.users.models import ApiToken, User
from kampass.users.services import TOKEN_MAX_DAYS, token_create, token_default_days, token_revoke


def _date(value: Any) -> str:
    return "-" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = "Manage personal API access tokens: create USERNAME [--days N] | list [USERNAME] | revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Create a token; prints the token alone on stdout and its expiry on stderr."
        )
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Lifetime in days, 1 to {TOKEN_MAX_DAYS} (default: $KAMPASS_API_TOKEN_DAYS, {token_default_days()}).",
        )
        lst = sub.add_parser("list", help="List tokens: prefix, user, name, created, state, expires, last used.")
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
            try:
                token, raw = token_create(user=user, name=opts["name"], days=opts["days"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(raw)
            # on stderr, so that `TOKEN=$(kampass token create NAME)` still captures the token alone
            self.stderr.write(f"Token {token.prefix}… for {user.username} expires {_date(token.expires_at)}.")
        elif action == "list":
            qs = ApiToken.objects.select_related("user")
            if opts.get("username"):
                qs = qs.filter(user__username=opts["username"])
            now = timezone.now()
            for t in qs:
                self.stdout.write(
                    "\t".join(
                        [
                            t.prefix,
                            t.user.username,
                            t.name,
                            f"{t.created_at:%Y-%m-%d}",
                            t.state(now),
                            f"expires {_date(t.expires_at)}",
                            f"last used {_date(t.last_used_at)}",
                        ]
                    )
                )
        else:
            tokens = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True)
            if not tokens:
                raise CommandError(f"No active token with prefix {opts['prefix']!r}.")
            for t in tokens:
                token_revoke(token=t)
            self.stdout.write(f"Revoked {len(tokens)} token(s).")
