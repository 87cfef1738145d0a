"""Build the demo transactions file shipped with the package.

An extract of UCI "Online Retail" (Chen, Sain & Guo 2012, CC BY 4.0, DOI 10.24432/C5CG6D), as in
../shared/data/online-retail: every line of 160 customers chosen deterministically (the largest by
number of lines, plus every 25th customer for a long tail) and every 40th line without a customer
number. Written to src/kampass/demo/data/online_retail_demo.csv.gz in the original column layout.

Usage: python scripts/build_demo_transactions.py
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail_2010_2011.csv.gz"
TARGET = ROOT / "src" / "kampass" / "demo" / "data" / "online_retail_demo.csv.gz"


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    counts = Counter(r[6] for r in body if r[6])
    by_size = [c for c, _n in counts.most_common()]
    chosen = set(by_size[:100]) | set(sorted(by_size[100:])[::25][:60])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    kept = 0
    for i, r in enumerate(body):
        if (r[6] and r[6] in chosen) or (not r[6] and i % 40 == 0):
            writer.writerow(r)
            kept += 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", mtime=0) as gz:
        gz.write(out.getvalue().encode("utf-8"))
    print(f"{kept} lines of {len(chosen)} customers -> {TARGET} ({TARGET.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
