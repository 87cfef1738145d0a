"""Cheap stamps of stored data: a digest that changes whenever a row of the given apps is added, removed
or changed, read with one aggregate query per table instead of reading the data itself.

What a table contributes:

- every table: its row count and highest primary key (a row added or removed; a row removed and
  another added);
- ``version`` (``kampass.common.concurrency.Versioned``: raised by every save): its sum;
- every date and time column but the bookkeeping ones (``last_login``, ``last_used_at``, ...): its
  maximum (``auto_now`` columns move with every save; a time a bulk update sets, e.g. ``scored_at``);
- a table with no such marker of change (no ``version``, no ``auto_now`` column, no history kept by
  django-simple-history): a digest of its rows but binary columns (such tables are small: stages,
  settings, users).

Historical tables (django-simple-history) only grow: count and highest key say all. A change that a
bulk ``QuerySet.update`` makes to a versioned, historied or time-stamped table without moving any of
these markers is not seen: such updates maintain derived columns only (see ``Versioned``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Sum

#: columns that record use, not content (a login, a token's use, a worker's sign of life)
BOOKKEEPING_FIELDS = frozenset({"last_login", "last_used_at", "last_seen"})


def data_stamp(app_labels: Iterable[str], *, exclude: Iterable[str] = ()) -> str:
    """A digest (SHA-256, hex) of the stamps of every table of ``app_labels`` but the models named in
    ``exclude`` (``"app_label.ModelName"``): equal digests, unchanged data (see the module)."""
    excluded = set(exclude)
    digest = hashlib.sha256()
    for label in sorted(set(app_labels)):
        for model in sorted(apps.get_app_config(label).get_models(), key=lambda m: m._meta.label):
            if model._meta.label in excluded or not model._meta.managed:
                continue
            digest.update(f"{model._meta.label}={table_stamp(model)!r};".encode())
    return digest.hexdigest()


def table_stamp(model: type[models.Model]) -> tuple[Any, ...]:
    """The stamp of one table (see the module)."""
    from simple_history.models import registered_models

    aggregates: dict[str, Any] = {"rows": Count("pk")}
    if isinstance(model._meta.pk, models.IntegerField):  # PostgreSQL has no max() of a UUID
        aggregates["last"] = Max("pk")
    if any(f.name == "history_id" for f in model._meta.concrete_fields):  # a historical table only grows
        found = model._base_manager.aggregate(**aggregates)
        return (found["rows"], found.get("last"))
    marked = model._meta.label_lower in {m._meta.label_lower for m in registered_models.values()}
    content: list[str] = []
    for field in model._meta.concrete_fields:
        if field.name in BOOKKEEPING_FIELDS:
            continue
        if not isinstance(field, models.BinaryField):  # an artefact (a trained model) comes with its own row
            content.append(field.attname)
        if field.name == "version" and isinstance(field, models.IntegerField):
            aggregates["version"] = Sum(field.name)
            marked = True
        elif isinstance(field, models.DateField):  # DateTimeField too
            aggregates[f"max_{field.name}"] = Max(field.name)
            marked = marked or bool(getattr(field, "auto_now", False))
    found = model._base_manager.aggregate(**aggregates)
    stamp: list[Any] = [found[name] for name in sorted(found)]
    if not marked:
        rows = model._base_manager.order_by("pk").values_list(*content)
        stamp.append(hashlib.sha256(repr(list(rows)).encode()).hexdigest())
    return tuple(stamp)
