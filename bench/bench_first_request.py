"""The first page a fresh web process serves: the opportunity page and the programme dashboard.

A web process starts cold (imports, the URL configuration, the first connection to the analytics
store); the issue measured ~9 s for the first opportunity page (it loaded the win-probability
model: scikit-learn) and ~2.3 s for the programme dashboard. This benchmark sets up the demo data
in a fresh data directory (``kampass migrate`` + ``kampass demo``, ~1 minute), then, ``ROUNDS``
times, starts a fresh Python process per page that logs in as the head of KAM and requests:

* ``baseline``: the account list (a plain page: the cold start every page pays);
* ``opportunity``: an open, scored opportunity (and, as the browser does next, its factors fragment);
* ``programme``: the programme dashboard.

Each prints the first and the second (warm) request time; one JSON line per case with the
medians and the ratio of the first request to the baseline's first request in the same run.

``python bench/bench_first_request.py [--src DIR]``: ``--src`` runs another checkout's
``src`` (e.g. an exported copy of main) for a before/after comparison on the same data.
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
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import django
django.setup()
from django.test import Client
from kampass.pipeline.models import Opportunity
from kampass.users.models import User
setup = time.perf_counter() - t0
case = sys.argv[1]
client = Client()
client.force_login(User.objects.get(username="head"))
if case == "opportunity":
    o = Opportunity.objects.filter(outcome="open", model_version__isnull=False).order_by("pk").first()
    urls = [f"/pipeline/opportunities/{o.pk}/", f"/pipeline/opportunities/{o.pk}/?part=factors"]
elif case == "programme":
    urls = ["/programme/"]
else:
    urls = ["/accounts/"]
def get(url):
    t = time.perf_counter()
    r = client.get(url, headers={"HX-Request": "true"} if "part=" in url else {})
    assert r.status_code == 200, (url, r.status_code)
    return time.perf_counter() - t
page = get(urls[0])
rest = sum(get(url) for url in urls[1:])
second = sum(get(url) for url in urls)
print(json.dumps({"setup_s": setup, "first_page_s": page, "first_with_parts_s": page + rest, "second_s": second}))
"""


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    src = Path(sys.argv[sys.argv.index("--src") + 1]) if "--src" in sys.argv else ROOT / "src"
    home = tempfile.mkdtemp(prefix="kampass-bench-first-")
    env = {**os.environ, "KAMPASS_HOME": home, "DJANGO_SETTINGS_MODULE": "kampass.config.settings",
           "PYTHONPATH": str(src)}  # fmt: skip
    kampass = [sys.executable, "-c", "from kampass.cli import main; main()"]
    run([*kampass, "migrate", "-v0"], env)
    run([*kampass, "demo"], env)
    results: dict[str, list[dict[str, float]]] = {"baseline": [], "opportunity": [], "programme": []}
    for _ in range(ROUNDS):
        for case in results:  # interleaved, so machine load hits all cases alike
            results[case].append(json.loads(run([sys.executable, "-c", CHILD, case], env).strip().splitlines()[-1]))
    base = statistics.median(r["first_page_s"] for r in results["baseline"])
    for case, runs in results.items():
        first = statistics.median(r["first_page_s"] for r in runs)
        print(json.dumps({
            "bench": "first_request", "case": case, "src": str(src), "rounds": ROUNDS,
            "first_page_s": round(first, 3),
            "first_with_parts_s": round(statistics.median(r["first_with_parts_s"] for r in runs), 3),
            "second_s": round(statistics.median(r["second_s"] for r in runs), 3),
            "process_setup_s": round(statistics.median(r["setup_s"] for r in runs), 3),
            "baseline_first_s": round(base, 3), "ratio_to_baseline": round(first / base, 2),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
