"""``Supervisor``: the child process ``kampass serve`` keeps running (real processes, fake commands)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kampass.common.supervision import Supervisor

# A child that records its pid; the first one exits with 3, the later ones run until stopped.
FLAKY_CHILD = """
import sys, time
from pathlib import Path
log = Path(sys.argv[1])
with log.open("a") as f:
    f.write("started\\n")
if log.read_text().count("started") == 1:
    sys.exit(3)
time.sleep(600)
"""

# A child that ignores SIGTERM.
STUBBORN_CHILD = """
import signal, sys, time
from pathlib import Path
signal.signal(signal.SIGTERM, signal.SIG_IGN)
Path(sys.argv[1]).write_text("ready")
time.sleep(600)
"""


def eventually(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Poll ``check`` until it holds (a generous timeout, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_supervisor_restarts_a_child_that_exited_and_stops_the_new_one(tmp_path: Path, caplog):
    # given
    log = tmp_path / "starts.txt"
    supervisor = Supervisor([sys.executable, "-c", FLAKY_CHILD, str(log)], initial_delay=0.05)

    # when: the first child exits
    supervisor.start()
    try:
        assert eventually(lambda: log.exists() and log.read_text().count("started") == 2)
        assert eventually(lambda: supervisor.starts == 2)
        second = supervisor.process
        assert second is not None
        assert second.poll() is None
    finally:
        supervisor.stop()

    # then: restarted once (logged with the exit code), and the running child was stopped with SIGTERM
    assert "exited with code 3; restarting" in caplog.text
    assert second.returncode == -signal.SIGTERM
    assert supervisor.starts == 2


def test_supervisor_kills_a_child_that_ignores_sigterm(tmp_path: Path):
    # given
    ready = tmp_path / "ready"
    supervisor = Supervisor([sys.executable, "-c", STUBBORN_CHILD, str(ready)], stop_timeout=0.5)
    supervisor.start()
    assert eventually(ready.exists)

    # when
    supervisor.stop()

    # then: not restarted after the kill
    assert supervisor.process is not None
    assert supervisor.process.returncode == -signal.SIGKILL
    assert supervisor.starts == 1
