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
    # before numpy and scikit-learn load: their OpenMP pool is sized when it starts
    os.environ.setdefault("OMP_NUM_THREADS", str(compute_threads()))
    from django.core.management import execute_from_command_line

    from kampass.common.filemodes import restrict_umask

    # the data files (database, analytics store, uploads, backups) are not for other users of the machine
    restrict_umask()

    args = acting_user_from(list(sys.argv[1:] if argv is None else argv))
    execute_from_command_line(["kampass", *args])


def compute_threads(cores: int | None = None) -> int:
    """Threads of the model training's thread pool (OpenMP) unless ``OMP_NUM_THREADS`` says otherwise: half the
    machine's cores, at least one. The training runs in the task worker beside the web server; a pool as large
    as the machine spins on cores the server needs, and the training then takes three times as long (measured
    on 2 cores with the other one busy: one gradient-boosting fit over 50,000 deals 17.7 s with 2 threads,
    5.5 s with 1; 4.4 s and 4.9 s on an idle machine).

    >>> compute_threads(2), compute_threads(1), compute_threads(16)
    (1, 1, 8)
    """
    return max(1, (os.cpu_count() or 1) // 2 if cores is None else cores // 2)


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
