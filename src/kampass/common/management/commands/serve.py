"""``kampass serve``: run kampass under gunicorn (static files by whitenoise), the task worker beside it.

The worker runs as a child process under a :class:`~kampass.common.supervision.Supervisor`: when it
exits it is restarted (with back-off, logged); when serve stops (SIGTERM, SIGINT) it is stopped too.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kampass.common.supervision import Supervisor

# the command of the supervised worker process
WORKER_COMMAND = [sys.executable, "-m", "kampass.cli", "worker"]

#: libraries a page imports on its first use (scikit-learn alone takes about a second): each web worker
#: imports them after it starts and before it takes requests, so that its first user does not wait for them
WARM_IMPORTS = ("sklearn.ensemble", "sklearn.isotonic", "altair", "ibis", "duckdb")


def warm_imports(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: import :data:`WARM_IMPORTS` in the new worker (after the fork, so
    no library state is shared with the master); a library that fails to import is logged, not fatal."""
    import importlib

    for name in WARM_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # a page that needs it reports the error itself
            worker.log.exception("could not import %s ahead of the first request", name)


class Command(BaseCommand):
    help = "Serve kampass with gunicorn (migrates the database first unless --no-migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply pending migrations first.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the background task worker (run `kampass worker`)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.core.wsgi import get_wsgi_application
        from gunicorn.app.base import BaseApplication

        # the same application as kampass.config.wsgi (common sits below config and does not import it)
        application = get_wsgi_application()

        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)

        options = {
            "bind": f"{opts['host']}:{opts['port']}",
            "workers": opts["workers"],
            "threads": opts["threads"],
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 120,
            "graceful_timeout": 10,
            "post_worker_init": warm_imports,
        }

        class KampassApplication(BaseApplication):
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        worker = None
        if not opts["no_worker"]:
            # the task worker (imports, training, reports) runs beside the web server, so one command serves everything
            worker = Supervisor(WORKER_COMMAND, name="task worker")
            worker.start()
        self.stdout.write(f"kampass serving on http://{opts['host']}:{opts['port']}/  (Ctrl+C to stop)")
        try:
            KampassApplication().run()
        finally:
            if worker is not None:
                worker.stop()
