"""Keep a child process running: ``kampass serve`` supervises its background task worker with it.

:class:`Supervisor` starts the command, watches it from a daemon thread and, when it exits while it
should be running, logs that and starts it again after a back-off (1 s doubling to 60 s; a child that
ran for ``steady_after`` seconds restarts after the first delay again). :meth:`Supervisor.stop`
ends it cleanly: SIGTERM, a grace period, then SIGKILL.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Sequence

logger = logging.getLogger("kampass.serve")


class Supervisor:
    """Runs ``command`` as a child process and restarts it whenever it exits, until :meth:`stop`."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        name: str = "worker",
        initial_delay: float = 1.0,
        max_delay: float = 60.0,
        steady_after: float = 60.0,
        poll_interval: float = 0.5,
        stop_timeout: float = 15.0,
    ) -> None:
        self.command = list(command)
        self.name = name
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.steady_after = steady_after
        self.poll_interval = poll_interval
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the child and the thread that watches it."""
        self._spawn()
        self._thread = threading.Thread(target=self._watch, name=f"kampass-supervise-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, then terminate the child (killed after ``stop_timeout`` seconds)."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "The %s (pid %s) did not stop in %g s; killing it", self.name, process.pid, self.stop_timeout
                )
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_interval + 5)

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # its own session: a Ctrl+C in the terminal reaches serve, which stops the child itself
            self.process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603 (our own command)
            self.starts += 1
            self._started_at = time.monotonic()

    def _watch(self) -> None:
        delay = self.initial_delay
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            try:
                code = process.wait(timeout=self.poll_interval)
            except subprocess.TimeoutExpired:
                continue
            if self._stopping.is_set():
                return
            if time.monotonic() - self._started_at >= self.steady_after:
                delay = self.initial_delay
            logger.warning(
                "The %s (pid %s) exited with code %s; restarting it in %.0f s", self.name, process.pid, code, delay
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)
            try:
                self._spawn()
            except OSError as exc:
                logger.error("Could not start the %s: %s", self.name, exc)
                continue
            logger.warning("The %s restarted (pid %s)", self.name, self.process.pid if self.process else "?")
