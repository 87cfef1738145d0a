"""The scorecard page on the demo data: served from the stored health snapshots vs computing every key
account's health for the view (what the page did before), in the same run.

Sets up the demo in a fresh data directory (``kampass migrate`` + ``kampass demo``, about a minute; the demo
records today's snapshots), then times ``REPEAT`` rounds, interleaved:

* ``page_ms``: the full request of ``/scorecard/`` as the head of KAM (newest snapshots, roll-ups, template);
* ``live_ms`` (baseline): ``health_selectors.scorecard(live=True)``, the computation of every key account's
  health alone, without the template;
* ``recompute_ms``: one background run of all snapshots (``health_run_execute``) as the worker does it.

``BENCH_HOME=DIR`` reuses a data directory with the demo loaded (skips the set-up).

Prints ``{"bench": "scorecard", "accounts", "page_ms", "live_ms", "ratio", "recompute_ms"}`` (medians).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(os.environ.get("BENCH_ROUNDS", "5"))

CHILD = r"""
import json, sys, time
import django
django.setup()
from django.test import Client
from kampass.accounts import facade as accounts_facade
from kampass.planning import health_selectors
from kampass.planning.health_runs import health_run_execute
from kampass.planning.models import HealthRun
from kampass.users.models import User
from django.utils import timezone
head = User.objects.get(username="head")
client = Client(HTTP_HOST="localhost")
client.force_login(head)
assert client.get("/scorecard/").status_code == 200  # warm: imports, templates, connections
page, live = [], []
for _ in range(int(sys.argv[1])):
    t = time.perf_counter(); r = client.get("/scorecard/"); page.append(time.perf_counter() - t)
    assert r.status_code == 200
    t = time.perf_counter()
    health_selectors.scorecard(user=head, live=True)
    live.append(time.perf_counter() - t)
run = HealthRun.objects.create(day=timezone.localdate())
t = time.perf_counter(); health_run_execute(str(run.pk)); recompute = time.perf_counter() - t
run.refresh_from_db()
assert run.status == "done", run.error
print(json.dumps({"accounts": len(accounts_facade.key_account_ids()), "page": page, "live": live,
                  "recompute": recompute}))
"""


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    reuse = os.environ.get("BENCH_HOME", "")  # a data directory with the demo loaded already
    home = reuse or tempfile.mkdtemp(prefix="kampass-bench-scorecard-")
    env = {**os.environ, "KAMPASS_HOME": home, "DJANGO_SETTINGS_MODULE": "kampass.config.settings",
           "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    env.pop("DATABASE_URL", None)
    kampass = [sys.executable, "-c", "from kampass.cli import main; main()"]
    if not reuse:
        run([*kampass, "migrate", "-v0"], env)
        run([*kampass, "demo"], env)
    out = json.loads(run([sys.executable, "-c", CHILD, str(REPEAT)], env).strip().splitlines()[-1])
    page = statistics.median(out["page"]) * 1000
    live = statistics.median(out["live"]) * 1000
    print(
        json.dumps(
            {
                "bench": "scorecard",
                "accounts": out["accounts"],
                "rounds": REPEAT,
                "page_ms": round(page, 1),
                "live_ms": round(live, 1),
                "ratio": round(page / live, 3) if live else None,
                "recompute_ms": round(out["recompute"] * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
