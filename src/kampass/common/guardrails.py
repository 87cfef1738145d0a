"""One value per guardrail metric, for every page that shows one.

A guardrail metric (e.g. ``leakage_share``, the Commercialisation guardrail) has two possible
figures: the value measured live from the data now, and the last value stored by a guardrail
measurement on the roadmap. Pages used to show either without saying which; now each page asks
:func:`guardrail_values` and shows the :class:`GuardrailValue` with its label ("measured live",
"as stored on <date>"), and where both exist the stored one next to the live one.

The values are defined in the programme context (``kampass.programme.selectors.guardrail_values``:
the live signals and the roadmap's stored readings); the programme connects that selector here
when its app is ready (``ProgrammeConfig.ready``), so the roadmap and the commercial pages can ask
without importing the programme (which imports their facades).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from kampass.common.i18n import format_percent

LIVE = "live"
STORED = "stored"


@dataclass(frozen=True)
class StoredReading:
    """The latest stored measurement of a guardrail metric (any initiative watching it)."""

    value: float
    measured_at: dt.datetime
    round_id: int | None = None
    round_title: str = ""


@dataclass(frozen=True)
class GuardrailValue:
    """The value of a guardrail metric that every page shows.

    ``value`` is the live value when the data give one (``source == "live"``, ``measured_at`` = when
    it was computed), else the latest stored reading (``source == "stored"``), else ``None``
    (``source == ""``). ``stored`` is the latest stored reading, also when the live value is shown."""

    key: str
    value: float | None
    source: str
    measured_at: dt.datetime | None
    stored: StoredReading | None = None

    @property
    def stored_differs(self) -> bool:
        """A live value is shown and a stored reading exists next to it."""
        return self.source == LIVE and self.stored is not None


def guardrail_value(key: str, *, live: float | None, stored: StoredReading | None, now: dt.datetime) -> GuardrailValue:
    """The rule: the live value when computable, else the stored one, always with its source.

    >>> import datetime as dt
    >>> now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    >>> s = StoredReading(0.087, dt.datetime(2026, 11, 2, tzinfo=dt.UTC), 3)
    >>> v = guardrail_value("leakage_share", live=0.063, stored=s, now=now)
    >>> (v.value, v.source, v.measured_at == now, v.stored.value)
    (0.063, 'live', True, 0.087)
    >>> guardrail_value("leakage_share", live=None, stored=s, now=now).source
    'stored'
    >>> guardrail_value("leakage_share", live=None, stored=None, now=now).value is None
    True
    """
    if live is not None:
        return GuardrailValue(key, float(live), LIVE, now, stored)
    if stored is not None:
        return GuardrailValue(key, stored.value, STORED, stored.measured_at, stored)
    return GuardrailValue(key, None, "", None, None)


def format_metric(value: float | None, unit: str) -> str:
    """A guardrail value for display: shares as percent with one decimal, counts and days whole.

    >>> format_metric(0.0634, "share"), format_metric(3.0, "count"), format_metric(None, "share")
    ('6.3%', '3', '–')
    """
    if value is None:
        return "–"
    v = float(value)
    if unit == "share":
        return format_percent(v, 1)
    if unit in ("count", "days"):
        return str(floatformat(v, 0))
    return str(floatformat(v, 2))


def describe(value: GuardrailValue | None, unit: str) -> str:
    """The value with what it is: "6.3 % measured live (8.7 % as stored on 02.11.2026 09:00 for the
    round “Autumn assessment”)"."""
    if value is None or value.value is None:
        return _("– (not measurable from the data yet)")
    shown = format_metric(value.value, unit)
    if value.source == LIVE:
        text = _("%(value)s measured live") % {"value": shown}
        if value.stored is not None:
            text += " " + _stored_text(value.stored, unit, parenthesised=True)
        return text
    assert value.stored is not None
    return _stored_text(value.stored, unit, parenthesised=False)


def _stored_text(stored: StoredReading, unit: str, *, parenthesised: bool) -> str:
    args = {
        "value": format_metric(stored.value, unit),
        "date": date_filter(stored.measured_at, "SHORT_DATETIME_FORMAT"),
        "round": stored.round_title or stored.round_id,
    }
    if stored.round_id is not None:
        text = _("%(value)s as stored on %(date)s for the round “%(round)s”") % args
    else:
        text = _("%(value)s as stored on %(date)s") % args
    return f"({text})" if parenthesised else text


_source: list[Callable[[Iterable[str] | None], dict[str, GuardrailValue]]] = []


def connect(source: Callable[[Iterable[str] | None], dict[str, GuardrailValue]]) -> None:
    """Called by the programme app when it is ready: the one definition of the guardrail values."""
    _source[:] = [source]


def guardrail_values(keys: Iterable[str] | None = None) -> dict[str, GuardrailValue]:
    """The value of each guardrail metric in ``keys`` (all known metrics for ``None``); empty when
    no programme is connected."""
    if not _source:
        return {}
    return _source[0](keys)
