"""Models of the shared plumbing: the background worker's sign of life."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A background task worker process that is (or was) running: imports, model training and
    reports only make progress while one is alive.

    Each worker process writes its row every few seconds (``last_seen``); a row whose
    ``last_seen`` is older than ``KAMPASS_WORKER_STALE_SECONDS`` belongs to a worker that died or
    hangs. The health endpoint and the UI's warning read these rows.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
