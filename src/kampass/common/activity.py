"""What happened on an account, from every context: the account timeline's sources.

The account page belongs to the accounts context, which must not import the contexts above it
(pipeline, planning ...). Each context registers a source when Django starts (``AppConfig.ready``):
``source(account_ids, user=..., since=..., limit=...)`` returns its :class:`Activity` entries on those
accounts that ``user`` may see, newest first; :func:`account_activity` merges them.

>>> import datetime as dt
>>> day = lambda d, text: Activity(dt.datetime(2026, 1, d, tzinfo=dt.UTC), "ann", "note", text, "", 7)
>>> [a.text for a in newest_first([[day(3, "c"), day(1, "a")], [day(2, "b")]], limit=2)]
['c', 'b']
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Activity:
    """One entry of an account's timeline: when, who, what kind, a text, where to see it (a path or empty)
    and which account."""

    when: dt.datetime
    who: str
    kind: str
    text: str
    link: str
    account_id: int


#: the kinds of entries, with their labels (the filter of the timeline)
KINDS: dict[str, Any] = {
    "comment": _("Comments"),
    "opportunity": _("Opportunities"),
    "risk": _("Risks"),
    "plan": _("Plans"),
    "action": pgettext_lazy("activity kind", "Actions"),
    "team": _("Team"),
    "buying_centre": _("Buying centre"),
    "account": _("Account changes"),
}

Source = Callable[..., Sequence[Activity]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Add ``source(account_ids, *, user, since, limit)`` to the account timeline (by name: once)."""
    _sources[name] = source


def unregister_source(name: str) -> None:
    _sources.pop(name, None)


def account_activity(
    account_ids: Iterable[int],
    *,
    user: Any,
    since: dt.datetime | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = 500,
) -> list[Activity]:
    """The entries of every source on ``account_ids``, newest first, at most ``limit`` (only ``kinds``, if
    given; only since ``since``, if given)."""
    ids = list(account_ids)
    wanted = set(kinds) if kinds else None
    lists = []
    for name in sorted(_sources):
        entries = [
            a
            for a in _sources[name](ids, user=user, since=since, limit=limit)
            if (wanted is None or a.kind in wanted) and (since is None or a.when >= since)
        ]
        lists.append(entries)
    return newest_first(lists, limit=limit)


def newest_first(lists: Iterable[Sequence[Activity]], *, limit: int) -> list[Activity]:
    """The entries of several lists merged, newest first, at most ``limit``."""
    ordered = [sorted(entries, key=lambda a: a.when, reverse=True) for entries in lists]
    merged = heapq.merge(*ordered, key=lambda a: a.when, reverse=True)
    return [a for _i, a in zip(range(limit), merged, strict=False)]
