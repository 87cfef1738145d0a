"""The ``kampass`` console script.

It wraps Django's management commands: ``kampass serve``, ``kampass demo``,
``kampass createuser``, ``kampass token create USER`` and every other command
(``kampass migrate``, ``kampass shell`` ...).
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

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["kampass", *args])


if __name__ == "__main__":
    main()
