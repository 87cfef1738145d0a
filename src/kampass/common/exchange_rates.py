"""Rate files an administrator loads: ``date,currency,rate[,base]`` lines into :class:`ExchangeRate`.

A file is loaded whole or not at all: every bad row is reported (row, column, value, reason) and nothing
is written. ``rate`` is the number of ``currency`` units one unit of ``base`` buys on ``date`` (``base``
defaults to EUR, as in the ECB's tables); a rate against another base is stored per euro through that
base's rate on the day (a loaded one from the same file or an earlier load, else the ECB's). Loading a
file again replaces its rates for those days (one loaded rate per currency and day).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common import fx
from kampass.common.models import ExchangeRate

COLUMNS = ("date", "currency", "rate")


@dataclass(frozen=True)
class RateFileError:
    """One bad cell of a rate file."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s, value %(value)r: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


class RateFileInvalid(ValueError):
    """The rate file has bad rows; nothing was loaded."""

    def __init__(self, name: str, errors: list[RateFileError]) -> None:
        self.name, self.errors = name, errors
        super().__init__(
            "\n".join([_("%(file)s: not loaded, %(n)s errors") % {"file": name, "n": len(errors)}, *map(str, errors)])
        )


@dataclass(frozen=True)
class RatesLoaded:
    source: str
    rates: int
    currencies: list[str]
    first_day: dt.date | None
    last_day: dt.date | None


@dataclass(frozen=True)
class _Row:
    day: dt.date
    currency: str
    rate: Decimal
    base: str


def _parse(text: str, name: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RateFileInvalid(
            name,
            [
                RateFileError(1, c, ",".join(reader.fieldnames or []), _("the header lacks this column"))
                for c in missing
            ],
        )
    known = fx.known_currencies()
    rows: list[_Row] = []
    errors: list[RateFileError] = []
    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        ok = True
        try:
            day = dt.date.fromisoformat(cells["date"])
        except ValueError:
            errors.append(RateFileError(number, "date", cells["date"], _("not a date (YYYY-MM-DD)")))
            ok = False
        codes = {}
        for column in ("currency", "base"):
            code = (cells.get(column) or ("EUR" if column == "base" else "")).upper()
            if code not in known:
                errors.append(RateFileError(number, column, cells.get(column, ""), _("unknown currency")))
                ok = False
            codes[column] = code
        try:
            value = Decimal(cells["rate"].replace(" ", ""))
            if not value.is_finite() or value <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(RateFileError(number, "rate", cells["rate"], _("not a positive number")))
            ok = False
        if ok and codes["currency"] == codes["base"]:
            errors.append(RateFileError(number, "currency", cells["currency"], _("the same as the base currency")))
            ok = False
        if ok:
            rows.append(_Row(day, codes["currency"], value, codes["base"]))
    if errors:
        raise RateFileInvalid(name, errors)
    return rows


def rates_load(*, path: Path, source: str = "") -> RatesLoaded:
    """Load a rate file (see the module) atomically; ``source`` names it (default: the file's name)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RateFileInvalid(name, [RateFileError(0, "", name, str(error))]) from error
    return rates_load_text(text=text, name=name, source=source or path.name)


def rates_load_text(*, text: str, name: str, source: str) -> RatesLoaded:
    """Load the text of a rate file (see :func:`rates_load`)."""
    rows = _parse(text, name)
    now = timezone.now()
    per_euro_in_file = {(r.day, r.currency): r.rate for r in rows if r.base == "EUR"}

    def per_euro(r: _Row) -> Decimal:
        if r.base == "EUR":
            return r.rate
        base = per_euro_in_file.get((r.day, r.base))
        if base is None:
            base = fx.rate("EUR", r.base, r.day).rate
        return r.rate * base

    with transaction.atomic():
        for r in rows:
            ExchangeRate.objects.update_or_create(
                currency=r.currency,
                day=r.day,
                defaults={
                    "per_euro": per_euro(r).quantize(Decimal("0.0000000001")),
                    "base": r.base,
                    "base_rate": r.rate,
                    "source": source[:100],
                    "loaded_at": now,
                },
            )
        transaction.on_commit(fx.invalidate_loaded_rates)
    fx.invalidate_loaded_rates()
    days = [r.day for r in rows]
    return RatesLoaded(
        source=source,
        rates=len(rows),
        currencies=sorted({r.currency for r in rows}),
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
    )


@dataclass(frozen=True)
class RateSummary:
    """The loaded rates of one source and currency."""

    source: str
    currency: str
    rates: int
    first_day: dt.date
    last_day: dt.date
    loaded_at: dt.datetime


def rate_summaries() -> list[RateSummary]:
    """What has been loaded, per source and currency."""
    from django.db.models import Count, Max, Min

    rows = (
        ExchangeRate.objects.values("source", "currency")
        .annotate(n=Count("pk"), first=Min("day"), last=Max("day"), loaded=Max("loaded_at"))
        .order_by("source", "currency")
    )
    return [RateSummary(r["source"], r["currency"], r["n"], r["first"], r["last"], r["loaded"]) for r in rows]


def rate_list(
    *, currency: str = "", day_from: dt.date | None = None, day_to: dt.date | None = None
) -> QuerySet[ExchangeRate]:
    """The loaded rates, of one currency and between two days (both included) if given, by currency and day."""
    qs = ExchangeRate.objects.all()
    if currency:
        qs = qs.filter(currency=currency.upper())
    if day_from is not None:
        qs = qs.filter(day__gte=day_from)
    if day_to is not None:
        qs = qs.filter(day__lte=day_to)
    return qs.order_by("currency", "day", "pk")
