"""Run the benchmarks: ``python bench/run.py [NAME]``; each prints JSON lines ``{"bench": NAME, ...}``."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    only = [a for a in sys.argv[1:] if a]
    unknown = [name for name in only if name not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {BENCHES}", file=sys.stderr)
        return 2
    status = 0
    for name in only or BENCHES:
        # each benchmark in its own process: clean settings, clean memory figures
        status |= subprocess.call([sys.executable, str(HERE / f"bench_{name}.py")])
    return status


if __name__ == "__main__":
    importlib.invalidate_caches()
    sys.exit(main())
