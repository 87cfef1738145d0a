"""``kampass worker``: run the background task worker alone (imports, model training, reports).

django-tasks' ``db_worker`` with its options, running :class:`kampass.common.worker.ResilientWorker`:
it survives a locked or lost database and records a heartbeat (see that module).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from kampass.common.worker import ResilientWorker


class Command(db_worker.Command):
    help = "Run the background task worker (django-tasks database backend) until stopped."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.configure_logging(opts["verbosity"])
        queue_names = opts["queue_name"].split(",")
        excluded = opts["exclude_queues"].split(",") if opts["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        reload = opts["reload"] and not opts["batch"]
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=opts["interval"],
            batch=opts["batch"],
            backend_name=opts["backend_name"],
            startup_delay=opts["startup_delay"],
            max_tasks=opts["max_tasks"],
            worker_id=opts["worker_id"],
            excluded_queue_names=excluded,
            heartbeat_interval=settings.KAMPASS_WORKER_HEARTBEAT_SECONDS,
            # the daily schedule (kampass.common.schedule); not in batch mode, off with KAMPASS_SCHEDULE_CHECK_SECONDS=0
            schedule_interval=None if opts["batch"] else (settings.KAMPASS_SCHEDULE_CHECK_SECONDS or None),
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child handles signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
