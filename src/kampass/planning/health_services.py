"""Writes of the health score: the weights (head of KAM), the daily snapshots with the notices of a
drop, and marking notices read. One transaction per function; permissions are checked here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kampass.accounts import facade as accounts_facade
from kampass.common.concurrency import expect_version
from kampass.common.permissions import authorize
from kampass.core import scorecard as core
from kampass.planning import health_selectors as selectors
from kampass.planning import services as plan_services
from kampass.planning.models import HealthSnapshot, HealthWeights, Notice
from kampass.users.actors import Actor
from kampass.users.history import is_user

#: the text of a drop notice (stored as its English message id, shown in the reader's language)
DROP_NOTICE = gettext_noop("The health of %(account)s fell by %(points)s points to %(score)s.")


@transaction.atomic
def health_weights_save(
    *, actor: Actor, weights: Mapping[str, Any], note: str = "", version: int | None = None
) -> HealthWeights:
    """Set the weights of the health components (head of KAM): whole numbers 0..10, at least one above 0.
    ``version`` is the one the head saw (a stale one raises ``ConcurrentEdit``)."""
    authorize(actor, "planning.manage_health_weights")
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for key, value in weights.items():
        try:
            clean[key] = int(value) if not isinstance(value, bool) and float(value) == int(value) else -1
        except (TypeError, ValueError):
            clean[key] = -1
    for key, problem in core.weight_errors(clean).items():
        if problem == "unknown":
            errors.setdefault("weights", []).append(_("Unknown component “%(key)s”.") % {"key": key})
        elif problem == "range":
            errors.setdefault(key, []).append(
                _("A weight is a whole number from 0 to %(max)s.") % {"max": core.MAX_WEIGHT}
            )
        else:
            errors.setdefault("weights", []).append(_("Give at least one component a weight above 0."))
    if errors:
        raise ValidationError(errors)
    row = HealthWeights.objects.select_for_update().filter(active=True).first()
    if row is None:
        row = HealthWeights(weights=core.default_weights(), active=True)
    else:
        expect_version(row, version)
    row.weights = {**core.default_weights(), **{k: v for k, v in row.weights.items() if k in core.SPECS}, **clean}
    row.note = note.strip()
    row.updated_by = actor if is_user(actor) else None
    plan_services._save(row, actor)
    return row


@dataclass(frozen=True)
class SnapshotOutcome:
    """What a snapshot run did: snapshots written for ``day`` (``created`` new, ``updated`` replaced) and
    the notices of drops raised."""

    day: dt.date
    created: int
    updated: int
    notices: int


def _recipients(account_id: int) -> list[Any]:
    """The account's key account managers and every active head of KAM."""
    from kampass.users.models import Role

    kam_ids = {k.user_id for k in accounts_facade.account_kams([account_id]).get(account_id, [])}
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(pk__in=kam_ids) | users.filter(role=Role.HEAD))


@transaction.atomic
def health_snapshots_record(
    *, actor: Actor, day: dt.date | None = None, account_ids: list[int] | None = None, notify: bool = True
) -> SnapshotOutcome:
    """Store the health of every key account (or of ``account_ids``) for ``day`` (default today), computed
    as of that day: one snapshot per account and day, so running it again the same day replaces that
    day's snapshot and adds nothing. A score ``KAMPASS_HEALTH_DROP_POINTS`` (default 10) or more below the
    previous snapshot raises a notice to the account's KAM and the head of KAM (once per account and day);
    ``notify=False`` raises none (a backfill of past days: their drops are history, not news)."""
    if is_user(actor) and not actor.has_perm("planning.manage_health_weights"):
        raise PermissionDenied(_("Only the head of KAM records health snapshots."))
    when = day or timezone.localdate()
    ids = sorted(account_ids if account_ids is not None else accounts_facade.key_account_ids())
    healths = selectors.account_health(ids, today=when)
    created = updated = notices = 0
    threshold = float(settings.KAMPASS_HEALTH_DROP_POINTS)
    for account_id in ids:
        h = healths[account_id]
        _snap, was_created = HealthSnapshot.objects.update_or_create(
            account_id=account_id,
            day=when,
            defaults={"score": h.score, "components": selectors.components_json(h), "computed_at": timezone.now()},
        )
        created += was_created
        updated += not was_created
        previous = selectors.previous_snapshot(account_id, when)
        fall = core.drop(previous.score if previous else None, h.score)
        if notify and fall is not None and fall >= threshold:
            notices += _notify_drop(account_id, when, fall, h.score)
    return SnapshotOutcome(when, created, updated, notices)


def _notify_drop(account_id: int, day: dt.date, fall: float, score: float | None) -> int:
    ref = accounts_facade.account_ref(account_id)
    name = ref.name if ref else str(account_id)
    n = 0
    for user in _recipients(account_id):
        if Notice.objects.filter(
            recipient=user, account_id=account_id, kind="health_drop", params__day=day.isoformat()
        ).exists():
            continue
        Notice.objects.create(
            recipient=user,
            account_id=account_id,
            kind="health_drop",
            text=DROP_NOTICE,
            params={"account": name, "points": fall, "score": score, "day": day.isoformat()},
            link=reverse("account-health", args=[account_id]),
        )
        n += 1
    return n


@transaction.atomic
def notice_mark_read(*, actor: Actor, notice: Notice) -> Notice:
    """Mark one of the actor's notices read."""
    if not is_user(actor) or notice.recipient_id != actor.pk:
        raise PermissionDenied(_("This notice is not yours."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice
