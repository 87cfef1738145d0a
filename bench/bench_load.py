"""Many users at once, while an import runs: `kampass serve` (gunicorn, 2 processes x 4 threads, and
its task worker) on a fresh data directory with the demo data.

Clients log in (as head of KAM and as KAM, alternately) and request, in a loop and in random order, a mix of
pages, HTMX partials and API calls that read the analytics store and the pipeline: start page, account list
(page and partial), portfolio, an account's profitability, forecast, pipeline board, programme dashboard,
the API's portfolio, profitability, leakage, forecast, opportunities and programme report.

After a warm-up (every request three times, not measured), two phases in the same run:

* ``baseline``: 1 client for ``KAMPASS_BENCH_LOAD_BASELINE_SECONDS`` (default 20), nothing else running;
* ``load``: ``KAMPASS_BENCH_LOAD_CLIENTS`` clients (default 20) for ``KAMPASS_BENCH_LOAD_SECONDS``
  (default 60) while ``kampass import transactions`` writes the whole Online Retail file into the store
  (``KAMPASS_BENCH_LOAD_IMPORT=0``: without the import).

A request is an error when it answers other than 2xx/3xx, fails, or takes over 60 s. ``hung_workers`` counts
the web processes gunicorn had to kill (``WORKER TIMEOUT`` in its log). Prints
``{"bench": "load", "clients", "seconds", "requests", "errors", "p50_ms", "p95_ms", "hung_workers",
"baseline_p50_ms", "baseline_p95_ms", "p95_ratio", "import_exit"}``; ``p95_ratio`` is load p95 over baseline p95.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
CLIENTS = int(os.environ.get("KAMPASS_BENCH_LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("KAMPASS_BENCH_LOAD_SECONDS", "60"))
BASELINE_SECONDS = float(os.environ.get("KAMPASS_BENCH_LOAD_BASELINE_SECONDS", "20"))
TIMEOUT = 60.0
PASSWORD = os.environ.get("KAMPASS_DEMO_PASSWORD", "kampass-demo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kampass(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kampass.cli", *args], env=env, **kwargs)  # type: ignore[call-overload]


class Client:
    """One logged-in browser-like user (cookies, CSRF)."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/login/", timeout=TIMEOUT).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
        answer = self.opener.open(request, timeout=TIMEOUT)
        assert "/login/" not in answer.geturl(), f"login as {username} failed"

    def get(self, path: str, *, htmx: bool = False) -> tuple[int, float, bytes]:
        headers = {"HX-Request": "true"} if htmx else {}
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, headers=headers), timeout=TIMEOUT) as r:
                body = r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        except Exception as exc:  # timeouts, resets: counted as errors
            body, status = type(exc).__name__.encode() + b": " + str(exc).encode()[:80], 0
        return status, (time.perf_counter() - started) * 1000, body


def request_mix(client: Client) -> list[tuple[str, bool]]:
    # the accounts whose figures the user may see (a key account manager: those of their teams)
    _status, _ms, body = client.get("/api/v1/profitability")
    rows = json.loads(body or b"{}").get("accounts", [])
    ids = [row["account_id"] for row in rows if row.get("account_id")][:20] or [1]
    pages = [("/", False), ("/accounts/", False), ("/accounts/?q=a", True), ("/portfolio/", False),
             ("/forecast/", False), ("/pipeline/", False), ("/programme/", False),
             ("/api/v1/portfolio", False), ("/api/v1/profitability", False), ("/api/v1/leakage", False),
             ("/api/v1/forecast", False), ("/api/v1/opportunities?limit=50", False),
             ("/api/v1/programme/report", False)]  # fmt: skip
    pages += [(f"/accounts/{pk}/profitability/", False) for pk in ids[:5]]
    pages += [(f"/api/v1/accounts/{pk}/profitability", False) for pk in ids[:5]]
    return pages


def run_clients(base: str, clients: int, seconds: float) -> tuple[list[float], int, list[str]]:
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def user(n: int) -> None:
        client = Client(base, "head" if n % 2 == 0 else "kam")
        mix = request_mix(client)
        rng = random.Random(n)
        ready.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            path, htmx = rng.choice(mix)
            status, ms, body = client.get(path, htmx=htmx)
            with lock:
                times.append(ms)
                if not (200 <= status < 400) or ms > TIMEOUT * 1000:
                    failures.append(f"{status} {path}" + (f" ({body.decode(errors='replace')})" if status == 0 else ""))

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    ready.wait()
    for t in threads:
        t.join(timeout=seconds + TIMEOUT + 30)
    hung = sum(t.is_alive() for t in threads)
    failures += ["client thread did not finish"] * hung
    return times, len(failures), failures


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="kampass-load-"))
    env = {**os.environ, "KAMPASS_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    env.pop("KAMPASS_ANALYTICS_URL", None)
    env.pop("DATABASE_URL", None)
    server = None
    try:
        for step in (("migrate", "--noinput", "-v", "0"), ("demo",)):
            if kampass(*step, env=env, stdout=subprocess.DEVNULL).wait() != 0:
                raise SystemExit(f"kampass {' '.join(step)} failed")
        port = free_port()
        log = (home / "serve.log").open("wb")
        server = kampass("serve", "--no-migrate", "--port", str(port), env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        warm = Client(base, "head")  # every page once per web process: model and catalogue loads are not measured
        for _ in range(3):
            for path, htmx in request_mix(warm):
                warm.get(path, htmx=htmx)
        baseline, _errors, _ = run_clients(base, 1, BASELINE_SECONDS)
        importer = None
        if os.environ.get("KAMPASS_BENCH_LOAD_IMPORT", "1") != "0":  # 0: the same load without the import
            importer = kampass("import", "transactions", str(SOURCE), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
        times, errors, failures = run_clients(base, CLIENTS, SECONDS)
        import_exit = importer.wait(timeout=1800) if importer is not None else None
        log.flush()
        hung = (home / "serve.log").read_bytes().count(b"WORKER TIMEOUT")
        p95, base95 = percentile(times, 95), percentile(baseline, 95)
        result = {
            "bench": "load", "clients": CLIENTS, "seconds": SECONDS, "requests": len(times), "errors": errors,
            "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(p95, 1), "hung_workers": hung,
            "baseline_p50_ms": round(percentile(baseline, 50), 1), "baseline_p95_ms": round(base95, 1),
            "p95_ratio": round(p95 / base95, 2) if base95 else None, "import_exit": import_exit,
        }  # fmt: skip
        if failures:
            result["first_errors"] = sorted(set(failures))[:10]
            log_lines = (home / "serve.log").read_text(errors="replace").splitlines()
            notes = [line for line in log_lines if any(w in line for w in ("WORKER", "Booting", "rror", "xit"))]
            print("\n".join(notes[-40:]), file=sys.stderr)
        print(json.dumps(result), flush=True)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
