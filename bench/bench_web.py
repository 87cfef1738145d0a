"""Speed at scale: the same page mix at the demo size and at the size of a large supplier, in one run.

Two data directories: the demo (``kampass demo``) and the demo plus ``kampass demo --scale large`` (5,000
accounts in hierarchies, 50,000 contacts, 100,000 opportunities with stage history, 1,000,000 invoice lines,
200 users). For each, ``kampass serve`` (gunicorn and its task worker) answers
``KAMPASS_BENCH_WEB_USERS`` concurrent users (default 20; head of KAM and key account manager alternately)
for ``KAMPASS_BENCH_WEB_SECONDS`` (default 60) after a warm-up (every request twice as each of the two
users, not measured). Each user
requests, in random order, a mix of pages, HTMX partials and API calls: start page, account list (page,
search partial, last page), contacts, an account's cockpit, pipeline board, opportunity list (first and last
page), forecast, portfolio, plans, scorecard, programme, and the API's accounts and opportunities.

Before each size is measured, its queued background work is done (:func:`settle`), so that the server's
task worker does not compete with the requests for work left over from generating the data.

The demo size is the baseline: what matters is each page's p95 at the large size against its p95 at the demo
size (``ratio``; the aim is at most 1.5, and p95 at most 500 ms). A request is an error when it answers
other than 2xx/3xx, fails, or takes over 60 s.

``KAMPASS_BENCH_WEB_THINK`` ("LOW-HIGH", seconds) lets each user wait between two requests as a person
reading the page would (e.g. "1-5", like locust's ``between(1, 5)``); the default "0" asks again at once,
a saturation test of 20 users on the machine's cores.

Building the large data set takes minutes; ``KAMPASS_BENCH_WEB_SMALL_HOME`` and
``KAMPASS_BENCH_WEB_LARGE_HOME`` name prepared data directories to use instead (they are not deleted).
``KAMPASS_BENCH_WEB_SCALE=medium`` uses a tenth of the large size.

Prints ``{"bench": "web", "users", "seconds", "think_seconds", "requests", "errors", "pages": [{"page", "p95_small_ms",
"p95_large_ms", "ratio", "requests_small", "requests_large"}...], "scale"}``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

from bench_load import TIMEOUT, Client, free_port, kampass, percentile

ROOT = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("KAMPASS_BENCH_WEB_USERS", "20"))
SECONDS = float(os.environ.get("KAMPASS_BENCH_WEB_SECONDS", "60"))
SCALE = os.environ.get("KAMPASS_BENCH_WEB_SCALE", "large")
#: seconds a user waits between two requests, drawn uniformly from "LOW-HIGH" (like locust's ``between``);
#: "0" (the default): every user asks again as soon as the answer is in, which saturates the server
THINK = os.environ.get("KAMPASS_BENCH_WEB_THINK", "0")


def think_range() -> tuple[float, float]:
    low, _sep, high = THINK.partition("-")
    return float(low), float(high or low)


def prepare(env: dict[str, str], *, scale: str) -> None:
    steps = [("migrate", "--noinput", "-v", "0"), ("demo", *(["--scale", scale] if scale else []))]
    for step in steps:
        if kampass(*step, env=env, stdout=subprocess.DEVNULL).wait() != 0:
            raise SystemExit(f"kampass {' '.join(step)} failed")


SETTLE = "from kampass.common.schedule import enqueue_due; enqueue_due()"


def settle(env: dict[str, str]) -> float:
    """Bring a data directory to the state pages are read in day to day, before it is measured: the day's
    jobs of the schedule enqueued and every queued task run (``kampass worker --batch``), e.g. the scoring
    of 100,000 just-generated deals or the day's health snapshots. Otherwise the server's own task worker
    would do that work during the measurement, at one size and not the other. The seconds it took."""
    started = time.perf_counter()
    for step in (("shell", "-c", SETTLE), ("worker", "--batch")):
        if kampass(*step, env=env, stdout=subprocess.DEVNULL).wait() != 0:
            raise SystemExit(f"kampass {' '.join(step[:1])} failed while settling {env['KAMPASS_HOME']}")
    return time.perf_counter() - started


def page_mix(client: Client) -> list[tuple[str, str, bool]]:
    """(label, path, htmx): the same labels at both sizes; ids and last pages found on the server."""
    _s, _ms, body = client.get("/api/v1/accounts?limit=1")
    first = (json.loads(body or b"{}").get("items") or [{"id": 1}])[0]["id"]

    def last_page(path: str) -> int:
        """The pager says "page 1 of N" (the users speak English: no language set; N with thousands separators)."""
        _s, _ms, body = client.get(path)
        found = re.search(rb"page [\d,]+ of ([\d,]+)", body)
        return int(found.group(1).replace(b",", b"")) if found else 1

    opportunity_pages, account_pages = last_page("/pipeline/opportunities/"), last_page("/accounts/")
    return [
        ("start page", "/", False),
        ("account list", "/accounts/", False),
        ("account list: search (htmx)", "/accounts/?q=al", True),
        ("account list: last page", f"/accounts/?page={account_pages}", False),
        ("contact list", "/accounts/contacts/", False),
        ("account cockpit", f"/accounts/{first}/", False),
        ("pipeline board", "/pipeline/", False),
        ("opportunity list", "/pipeline/opportunities/", False),
        ("opportunity list: last page", f"/pipeline/opportunities/?page={opportunity_pages}", False),
        ("forecast", "/forecast/", False),
        ("portfolio", "/portfolio/", False),
        ("plans", "/plans/", False),
        ("scorecard", "/scorecard/", False),
        ("programme", "/programme/", False),
        ("api: accounts", "/api/v1/accounts?limit=50", False),
        ("api: opportunities", "/api/v1/opportunities?limit=50", False),
    ]


def measure(home: Path) -> tuple[dict[str, list[float]], int, list[str]]:
    env = {**os.environ, "KAMPASS_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    env.pop("KAMPASS_ANALYTICS_URL", None)
    env.pop("DATABASE_URL", None)
    seconds = settle(env)
    print(f"{home.name}: queued work done in {seconds:.0f} s before measuring", file=sys.stderr)
    port = free_port()
    log = (home / "serve-bench.log").open("wb")
    server = kampass("serve", "--no-migrate", "--port", str(port), env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        for login in ("head", "kam"):  # the two users of the mix: each sees its own figures
            warm = Client(base, login)
            for _ in range(2):
                for _label, path, htmx in page_mix(warm):
                    warm.get(path, htmx=htmx)
        times: dict[str, list[float]] = defaultdict(list)
        failures: list[str] = []
        lock = threading.Lock()
        ready = threading.Barrier(USERS + 1)

        def user(n: int) -> None:
            client = Client(base, "head" if n % 2 == 0 else "kam")
            mix = page_mix(client)
            rng = random.Random(n)  # a request order, no secret
            ready.wait()
            deadline = time.monotonic() + SECONDS
            low, high = think_range()
            while time.monotonic() < deadline:
                label, path, htmx = rng.choice(mix)
                status, ms, _body = client.get(path, htmx=htmx)
                with lock:
                    times[label].append(ms)
                    if not (200 <= status < 400) or ms > TIMEOUT * 1000:
                        failures.append(f"{status} {path}")
                if high > 0:
                    time.sleep(rng.uniform(low, high))

        threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(USERS)]
        for t in threads:
            t.start()
        ready.wait()
        for t in threads:
            t.join(timeout=SECONDS + TIMEOUT + 30)
        failures += ["user thread did not finish"] * sum(t.is_alive() for t in threads)
        return times, len(failures), failures
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    made: list[Path] = []
    homes: dict[str, Path] = {}
    try:
        for size, scale in (("small", ""), ("large", SCALE)):
            given = os.environ.get(f"KAMPASS_BENCH_WEB_{size.upper()}_HOME")
            if given:
                homes[size] = Path(given)
                continue
            home = Path(tempfile.mkdtemp(prefix=f"kampass-web-{size}-"))
            made.append(home)
            env = {**os.environ, "KAMPASS_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
            env.pop("KAMPASS_ANALYTICS_URL", None)
            env.pop("DATABASE_URL", None)
            started = time.perf_counter()
            prepare(env, scale=scale)
            print(f"{size}: data ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        small, small_errors, small_failures = measure(homes.get("small") or made[0])
        large, large_errors, large_failures = measure(homes.get("large") or made[-1])
        pages = []
        for label in small:
            p_small, p_large = percentile(small[label], 95), percentile(large.get(label, []), 95)
            pages.append({
                "page": label, "p95_small_ms": round(p_small, 1), "p95_large_ms": round(p_large, 1),
                "ratio": round(p_large / p_small, 2) if p_small else None,
                "requests_small": len(small[label]), "requests_large": len(large.get(label, [])),
            })  # fmt: skip
        result = {
            "bench": "web", "users": USERS, "seconds": SECONDS, "scale": SCALE, "think_seconds": list(think_range()),
            "requests": sum(map(len, small.values())) + sum(map(len, large.values())),
            "errors": small_errors + large_errors, "pages": pages,
        }  # fmt: skip
        failures = small_failures + large_failures
        if failures:
            result["first_errors"] = sorted(set(failures))[:10]
        print(json.dumps(result), flush=True)
    finally:
        for home in made:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
