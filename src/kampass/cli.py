"""The ``kampass`` console script.

It wraps Django's management commands: ``kampass serve``, ``kampass demo``,
``kampass createuser``, ``kampass token create USER`` and every other command
(``kampass migrate``, ``kampass shell`` ...). ``--as USER`` attributes a command's work to that
user; without it, to the system user (no person).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a kampass/Django management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampass.config.settings")
    from django.core.management import execute_from_command_line

    from kampass.common.filemodes import restrict_umask

    # the data files (database, analytics store, uploads, backups) are not for other users of the machine
    restrict_umask()

    args = acting_user_from(list(sys.argv[1:] if argv is None else argv))
    execute_from_command_line(["kampass", *args])


def acting_user_from(args: list[str]) -> list[str]:
    """Take ``--as USER`` (or ``--as=USER``) out of the arguments: the command's work is attributed to
    that user (``KAMPASS_AS_USER``; see :func:`kampass.common.cli.system_actor`).

    >>> import os
    >>> acting_user_from(["import", "accounts", "a.csv", "--as", "anna"]), os.environ.pop("KAMPASS_AS_USER")
    (['import', 'accounts', 'a.csv'], 'anna')
    """
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "--as":
            os.environ["KAMPASS_AS_USER"] = next(it, "")
        elif arg.startswith("--as="):
            os.environ["KAMPASS_AS_USER"] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest


if __name__ == "__main__":
    main()
