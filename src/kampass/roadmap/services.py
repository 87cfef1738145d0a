"""Write operations of the roadmap context: initiatives, guardrail measurements, topics and the topic limit.

Every function is one transaction, takes keyword arguments only, checks the
actor's permission itself (so the UI, the API, the CLI and background tasks
enforce the same rules) and validates before it writes: on any error nothing
is saved.

The limit on active topics: activating a topic when the limit is already
reached is refused with a clear message, unless the caller passes
``force=True`` (the UI asks for a confirmation first); a forced activation is
allowed and the roadmap then shows a warning until topics are closed or the
limit is raised. Lowering the limit below the number of active topics is
allowed and shows the same warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.common.changes import reject_unknown_fields
from kampass.common.concurrency import expect_saved_version, expect_version
from kampass.common.models import NotificationKind
from kampass.common.notifications import GUARDRAIL_BREACHED, heads_of_kam, metric_param, notify_each
from kampass.common.permissions import authorize
from kampass.core.concept import FIELDS, LOGICS
from kampass.roadmap import catalogue
from kampass.roadmap.facade import AlreadyOnRoadmap, RecommendationsOutcome
from kampass.roadmap.guardrails import UNITS, is_warning, threshold_problem
from kampass.roadmap.models import (
    OPEN_INITIATIVE_STATUSES,
    Direction,
    GuardrailMeasurement,
    Initiative,
    InitiativeStatus,
    RoadmapSettings,
    Topic,
    TopicStatus,
)
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save
from kampass.users.models import User

INITIATIVE_FIELDS = (
    "logic",
    "title",
    "description",
    "owner",
    "starts",
    "ends",
    "status",
    "accounts",
    "round_id",
    "timing",
    "guardrail_key",
    "guardrail_unit",
    "guardrail_threshold",
    "guardrail_direction",
)
OWNER_MAY_CHANGE = ("title", "description", "starts", "ends", "status", "accounts")
"""What a key account manager may change on an initiative they own."""

TOPIC_FIELDS = ("field", "title", "description", "impact", "effort", "owner", "account", "partner_contact")


# ---------------------------------------------------------------- initiatives


def _validate_initiative(initiative: Initiative) -> None:
    """Check what the model alone cannot: known logic, dates in order, a sensible guardrail."""
    errors: dict[str, str] = {}
    if initiative.logic not in LOGICS:
        errors["logic"] = _("Unknown logic “%(value)s”.") % {"value": initiative.logic}
    if initiative.starts and initiative.ends and initiative.ends <= initiative.starts:
        errors["ends"] = _("The end must lie after the start.")
    if initiative.status == InitiativeStatus.ACTIVE and initiative.starts is None:
        errors["starts"] = _("An active initiative needs a start date.")
    if not (initiative.title or "").strip():
        errors["title"] = _("Give the initiative a title.")
    if not (initiative.guardrail_key or "").strip():
        errors["guardrail_key"] = _("Choose the metric that guards this initiative.")
    if initiative.guardrail_unit not in UNITS:
        errors["guardrail_unit"] = _("Unknown unit “%(value)s”.") % {"value": initiative.guardrail_unit}
    if initiative.guardrail_direction not in Direction.values:
        errors["guardrail_direction"] = _("Unknown direction “%(value)s”.") % {"value": initiative.guardrail_direction}
    if initiative.guardrail_threshold is None:
        errors["guardrail_threshold"] = _("Give the threshold of the guardrail.")
    elif initiative.guardrail_unit in UNITS:
        problem = threshold_problem(initiative.guardrail_unit, float(initiative.guardrail_threshold))
        if problem:
            errors["guardrail_threshold"] = problem
    if errors:
        raise ValidationError(errors)


def _apply_guardrail_defaults(initiative: Initiative) -> None:
    """Fill the guardrail from the catalogue: the logic's guardrail, and the unit of the chosen metric."""
    default = catalogue.default_guardrail(initiative.logic)
    if not initiative.guardrail_key and default is not None:
        initiative.guardrail_key = default.key
    if initiative.guardrail_key:
        unit = catalogue.metric_units().get(initiative.guardrail_key)
        if unit:
            initiative.guardrail_unit = unit
    same = default is not None and default.key == initiative.guardrail_key
    if initiative.guardrail_threshold is None and same:
        initiative.guardrail_threshold = float(default.threshold)
    if not initiative.guardrail_direction:
        initiative.guardrail_direction = default.direction if same and default is not None else Direction.MAX


@transaction.atomic
def initiative_create(
    *,
    actor: Actor,
    logic: str,
    title: str = "",
    description: str = "",
    owner: User | None = None,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    status: str = InitiativeStatus.PLANNED,
    accounts: Iterable[Any] = (),
    round_id: int | None = None,
    timing: str = "",
    guardrail_key: str = "",
    guardrail_threshold: float | None = None,
    guardrail_direction: str = "",
) -> Initiative:
    """Put an initiative on the roadmap; the guardrail defaults to the catalogue's guardrail of the logic."""
    authorize(actor, "roadmap.add_initiative")
    initiative = Initiative(
        logic=logic,
        title=(title or "").strip() or catalogue.logic_name(logic),
        description=description or "",
        owner=owner,
        starts=starts,
        ends=ends,
        status=status,
        round_id=round_id,
        timing=timing or "",
        guardrail_key=(guardrail_key or "").strip(),
        # None until _apply_guardrail_defaults below; the plugin allows no None for a NOT NULL field even unsaved
        guardrail_threshold=guardrail_threshold,  # type: ignore[misc]
        guardrail_direction=guardrail_direction or "",
        created_by=actor if _is_user(actor) else None,
    )
    _apply_guardrail_defaults(initiative)
    _validate_initiative(initiative)
    if round_id is not None and Initiative.objects.filter(round_id=round_id, logic=logic).exists():
        raise ValidationError({"logic": _("This assessment round has an initiative for this logic already.")})
    _save(initiative, actor)
    initiative.accounts.set(list(accounts))
    return initiative


@transaction.atomic
def initiative_update(
    *, actor: Actor, initiative: Initiative, version: int | None = None, **changes: Any
) -> Initiative:
    """Change an initiative. A key account manager who owns it may change only its
    title, description, dates, status and key accounts. ``version``: the version the change is
    based on (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "roadmap.change_initiative", initiative)
    reject_unknown_fields(changes, INITIATIVE_FIELDS, what="initiative")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expect_version(initiative, version)
    if not actor.has_perm("roadmap.manage_initiative", initiative):
        restricted = {
            k
            for k, v in changes.items()
            if k not in OWNER_MAY_CHANGE and _differs(getattr(initiative, k if k != "owner" else "owner_id"), v)
        }
        if restricted:
            raise PermissionDenied(_("Only the head of KAM may change the logic, owner or guardrail of an initiative."))
    accounts = changes.pop("accounts", None)
    logic_changed = "logic" in changes and changes["logic"] != initiative.logic
    for key, value in changes.items():
        setattr(initiative, key, value.strip() if isinstance(value, str) and key == "title" else value)
    if logic_changed and "guardrail_key" not in changes:
        initiative.guardrail_key = ""
        initiative.guardrail_threshold = None  # type: ignore[assignment]
        initiative.guardrail_direction = ""
    if "guardrail_key" in changes and "guardrail_direction" not in changes:
        initiative.guardrail_direction = ""
    _apply_guardrail_defaults(initiative)
    _validate_initiative(initiative)
    if (
        initiative.round_id is not None
        and Initiative.objects.filter(round_id=initiative.round_id, logic=initiative.logic)
        .exclude(pk=initiative.pk)
        .exists()
    ):
        raise ValidationError({"logic": _("This assessment round has an initiative for this logic already.")})
    _save(initiative, actor)
    if accounts is not None:
        initiative.accounts.set(list(accounts))
    return initiative


def _differs(current: Any, new: Any) -> bool:
    if isinstance(new, models.Model):
        new = new.pk
    if isinstance(current, float) or isinstance(new, float):
        try:
            return float(current) != float(new)
        except (TypeError, ValueError):
            return True
    return bool(current != new)


@transaction.atomic
def initiative_set_status(
    *, actor: Actor, initiative: Initiative, status: str, version: int | None = None
) -> Initiative:
    """Move an initiative to another status (planned, active, paused, done, abandoned).

    Activating an initiative without a start date starts it today. ``version``: as for ``initiative_update``."""
    authorize(actor, "roadmap.change_initiative", initiative)
    if status not in InitiativeStatus.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": status}})
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expect_version(initiative, version)
    if status == initiative.status:
        raise ValidationError({"status": _("The initiative has this status already.")})
    initiative.status = status
    if status == InitiativeStatus.ACTIVE and initiative.starts is None:
        initiative.starts = timezone.localdate()
    _validate_initiative(initiative)
    _save(initiative, actor)
    return initiative


@transaction.atomic
def initiative_delete(*, actor: Actor, initiative: Initiative, version: int | None = None) -> None:
    """Remove an initiative and its measurements from the roadmap (abandoning it keeps the record)."""
    authorize(actor, "roadmap.delete_initiative", initiative)
    expect_saved_version(initiative, version)
    _delete(initiative, actor)


def _start_for(timing: str, today: dt.date) -> dt.date:
    """Start date for a recommendation's timing: today (now), in three months (next), in six months (later)."""
    months = {"now": 0, "next": 3, "later": 6}.get(timing, 0)
    if months == 0:
        return today
    return _add_months(today.replace(day=1), months)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's end).

    >>> _add_months(dt.date(2026, 1, 31), 1), _add_months(dt.date(2026, 11, 15), 3)
    (datetime.date(2026, 2, 28), datetime.date(2027, 2, 15))
    """
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def initiatives_from_recommendations(
    *, actor: Actor, round_id: int | None, proposals: Iterable[Any]
) -> RecommendationsOutcome:
    """Turn accepted recommendations into planned initiatives, never duplicating one already on the roadmap.

    A proposal whose logic already has an *open* initiative (planned, active or paused; see
    ``OPEN_INITIATIVE_STATUSES``), from any round or planned by hand, or an initiative of the same
    round in any status, is skipped and reported (``skipped``); a logic whose initiatives are all done
    or abandoned gets a new one. Calling again with the same proposals changes nothing (idempotent).
    A second initiative for a pursued logic is a deliberate choice made on the roadmap itself
    (``initiative_create``).

    ``now`` starts today, ``next`` on the first of the month three months on, ``later`` six months on;
    each runs six months.
    """
    authorize(actor, "roadmap.add_initiative")
    today = timezone.localdate()
    created: list[int] = []
    skipped: list[AlreadyOnRoadmap] = []
    for p in proposals:
        same_logic = Initiative.objects.filter(logic=p.logic)
        pursued = same_logic.filter(status__in=[s.value for s in OPEN_INITIATIVE_STATUSES])
        if round_id is not None:
            pursued = pursued | same_logic.filter(round_id=round_id)
        found = pursued.order_by("pk").first()
        if found is not None:
            skipped.append(
                AlreadyOnRoadmap(
                    logic=p.logic,
                    initiative_id=found.pk,
                    title=found.label,
                    status=found.status,
                    round_id=found.round_id,
                )
            )
            continue
        starts = _start_for(p.timing, today)
        initiative = initiative_create(
            actor=actor,
            logic=p.logic,
            title=p.title,
            starts=starts,
            ends=_add_months(starts, 6),
            status=InitiativeStatus.PLANNED,
            round_id=round_id,
            timing=p.timing,
            guardrail_key=p.guardrail_key,
            guardrail_threshold=float(p.guardrail_threshold),
            guardrail_direction=p.guardrail_direction,
        )
        created.append(initiative.pk)
    return RecommendationsOutcome(created=tuple(created), skipped=tuple(skipped))


# ---------------------------------------------------------------- guardrail measurements


@dataclass(frozen=True)
class MeasureResult:
    """What one measuring run did: measurements stored, warnings among them, initiatives skipped
    because their metric could not be computed from the data (``None``), and (the daily run) initiatives
    left alone because they already had a reading that day."""

    measured: int
    warnings: int
    skipped: tuple[int, ...]
    measured_at: dt.datetime
    already_measured: tuple[int, ...] = ()


def current_metric_values() -> dict[str, float | None]:
    """The current values of the programme's signals and guardrail metrics (from the programme facade)."""
    from kampass.roadmap.facade import programme_source

    source = programme_source()
    if source is None:
        return {}
    return dict(source.signals())


@transaction.atomic
def measurement_record(
    *,
    actor: Actor | None,
    initiative: Initiative,
    value: float,
    measured_at: dt.datetime | None = None,
    note: str = "",
) -> GuardrailMeasurement:
    """Store one reading of the initiative's guardrail metric (e.g. a figure counted by hand or a back-fill)."""
    if actor is not None:
        authorize(actor, "roadmap.measure_guardrails")
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise ValidationError({"value": _("The value must be a finite number.")})
    when = measured_at or timezone.now()
    if timezone.is_naive(when):
        raise ValidationError({"measured_at": _("Give the time of the measurement with its time zone.")})
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"measured_at": _("A measurement cannot lie in the future.")})
    if initiative.guardrail_unit == "share" and not 0 <= value <= 1:
        raise ValidationError({"value": _("This metric is a share: give the value between 0 and 1.")})
    if initiative.guardrail_unit in ("count", "days") and value < 0:
        raise ValidationError({"value": _("This metric cannot be negative.")})
    m = GuardrailMeasurement(
        initiative=initiative,
        key=initiative.guardrail_key,
        value=float(value),
        threshold=initiative.guardrail_threshold,
        direction=initiative.guardrail_direction,
        warning=is_warning(float(value), initiative.guardrail_threshold, initiative.guardrail_direction),
        measured_at=when,
        measured_by=actor if _is_user(actor) else None,
        note=note or "",
    )
    previous = (
        GuardrailMeasurement.objects.filter(initiative=initiative, measured_at__lte=when)
        .order_by("-measured_at", "-pk")
        .first()
    )
    later = GuardrailMeasurement.objects.filter(initiative=initiative, measured_at__gt=when).exists()
    m.full_clean()
    m.save()
    if m.warning and not later and (previous is None or not previous.warning):
        _tell_of_breach(initiative, m)
    return m


def _tell_of_breach(initiative: Initiative, m: GuardrailMeasurement) -> None:
    """Notify the heads of KAM that the initiative's guardrail went from within to breached: the newest
    reading is beyond the threshold and the reading before it was not (or there was none). A breach that
    lasts is told once; a recovery and a new breach are told again. Back-filled older readings tell nobody."""
    unit = initiative.guardrail_unit
    notify_each(
        heads_of_kam(),
        actor=None,
        kind=NotificationKind.GUARDRAIL,
        message=GUARDRAIL_BREACHED,
        params={
            "initiative": initiative.title,
            "value": metric_param(m.value, unit),
            "threshold": metric_param(m.threshold, unit),
        },
        link=reverse("roadmap-initiative", args=[initiative.pk]),
    )


@transaction.atomic
def guardrails_measure(
    *,
    actor: Actor | None = None,
    values: Mapping[str, float | None] | None = None,
    once_a_day: bool = False,
) -> MeasureResult:
    """Measure the guardrail of every active initiative now and store one measurement each.

    The values come from :func:`kampass.programme.facade.current_signals` (``values``
    overrides them, e.g. for a recomputation). ``actor=None`` is the system (the
    scheduled task, the command line); a user must be head of KAM or administrator.
    Initiatives whose metric has no value now are skipped and reported.

    ``once_a_day`` (the worker's daily run): an initiative that already has a reading on the current
    local day (measured by hand, with *Measure guardrails now* or by an earlier run) keeps it as that
    day's reading and gets no second one, so the charts show one point per day, not two close together.
    """
    if actor is not None:
        authorize(actor, "roadmap.measure_guardrails")
    current = dict(values) if values is not None else current_metric_values()
    now = timezone.now()
    measured = warnings = 0
    skipped: list[int] = []
    active = Initiative.objects.filter(status=InitiativeStatus.ACTIVE).order_by("pk")
    already: set[int] = set()
    if once_a_day:
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        already = set(
            GuardrailMeasurement.objects.filter(
                initiative__in=active, measured_at__gte=midnight, measured_at__lte=now
            ).values_list("initiative_id", flat=True)
        )
    for initiative in active:
        if initiative.pk in already:
            continue
        value = current.get(initiative.guardrail_key)
        if value is None:
            skipped.append(initiative.pk)
            continue
        m = measurement_record(actor=None, initiative=initiative, value=float(value), measured_at=now)
        if _is_user(actor):
            GuardrailMeasurement.objects.filter(pk=m.pk).update(measured_by=actor)
        measured += 1
        warnings += int(m.warning)
    return MeasureResult(measured, warnings, tuple(skipped), now, tuple(sorted(already)))


# ---------------------------------------------------------------- topics


def topic_settings() -> RoadmapSettings:
    """The roadmap settings row (created with the defaults on first use)."""
    obj, _created = RoadmapSettings.objects.get_or_create(pk=1)
    return obj


def _validate_topic(topic: Topic) -> None:
    errors: dict[str, str] = {}
    if topic.field not in FIELDS:
        errors["field"] = _("Unknown field “%(value)s”.") % {"value": topic.field}
    if not (topic.title or "").strip():
        errors["title"] = _("Give the topic a title.")
    for name in ("impact", "effort"):
        v = getattr(topic, name)
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5:
            errors[name] = _("Rate from 1 (low) to 5 (high).")
    if topic.partner_contact and topic.account_id is None:
        errors["partner_contact"] = _("A partner contact belongs to a joint initiative: choose the key account too.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def topic_create(
    *,
    actor: Actor,
    field: str,
    title: str,
    description: str = "",
    impact: int = 3,
    effort: int = 3,
    owner: User | None = None,
    account: Any = None,  # an accounts.Account: the roadmap reaches the accounts context only through its facade
    partner_contact: str = "",
    template_key: str = "",
) -> Topic:
    """Add an improvement topic (status proposed). A key account manager proposing a topic owns it
    unless they name another owner."""
    authorize(actor, "roadmap.add_topic")
    if owner is None and _is_user(actor) and actor.role == "kam":
        owner = actor
    if template_key and Topic.objects.filter(template_key=template_key).exists():
        raise ValidationError({"template_key": _("This catalogue topic is on the list already.")})
    topic = Topic(
        field=field,
        title=(title or "").strip(),
        description=description or "",
        impact=impact,
        effort=effort,
        owner=owner,
        account=account,
        partner_contact=(partner_contact or "").strip(),
        template_key=template_key or "",
        created_by=actor if _is_user(actor) else None,
    )
    _validate_topic(topic)
    _save(topic, actor)
    return topic


@transaction.atomic
def topic_update(*, actor: Actor, topic: Topic, version: int | None = None, **changes: Any) -> Topic:
    """Change a topic's content and rating (its status changes through :func:`topic_set_status`).
    ``version``: the version the change is based on (``ConcurrentEdit`` when it was saved since)."""
    authorize(actor, "roadmap.change_topic", topic)
    reject_unknown_fields(changes, TOPIC_FIELDS, what="topic")
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    expect_version(topic, version)
    for key, value in changes.items():
        setattr(topic, key, value.strip() if isinstance(value, str) and key in ("title", "partner_contact") else value)
    if topic.account_id is None:
        topic.partner_contact = topic.partner_contact if "partner_contact" in changes else ""
    _validate_topic(topic)
    _save(topic, actor)
    return topic


def active_topic_count(*, exclude: int | None = None) -> int:
    qs = Topic.objects.filter(status=TopicStatus.ACTIVE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.count()


@transaction.atomic
def topic_set_status(
    *, actor: Actor, topic: Topic, status: str, force: bool = False, version: int | None = None
) -> Topic:
    """Move a topic to proposed, active, done or abandoned.

    Activating it when the limit on active topics is reached is refused unless
    ``force`` is true; a forced activation goes through and the roadmap warns.
    """
    authorize(actor, "roadmap.change_topic_status", topic)
    if status not in TopicStatus.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": status}})
    settings_row = RoadmapSettings.objects.select_for_update().get_or_create(pk=1)[0]
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    expect_version(topic, version)
    if status == topic.status:
        raise ValidationError({"status": _("The topic has this status already.")})
    if status == TopicStatus.ACTIVE and not force:
        active = active_topic_count(exclude=topic.pk)
        if active >= settings_row.topic_limit:
            message = _(
                "%(active)s topics are active already and the limit is %(limit)s. Close or abandon a "
                "topic first, raise the limit, or activate it anyway (it will be flagged)."
            ) % {"active": active, "limit": settings_row.topic_limit}
            raise ValidationError({"status": ValidationError(message, code="topic_limit")})
    now = timezone.now()
    topic.status = status
    if status == TopicStatus.ACTIVE:
        topic.activated_at = now
        topic.closed_at = None
    elif status in (TopicStatus.DONE, TopicStatus.ABANDONED):
        topic.closed_at = now
    else:
        topic.closed_at = None
    _save(topic, actor)
    return topic


@transaction.atomic
def topic_delete(*, actor: Actor, topic: Topic, version: int | None = None) -> None:
    """Remove a topic from the list (abandoning it keeps it for the completion rate)."""
    authorize(actor, "roadmap.delete_topic", topic)
    expect_saved_version(topic, version)
    _delete(topic, actor)


@transaction.atomic
def topic_limit_set(*, actor: Actor, limit: int, version: int | None = None) -> RoadmapSettings:
    """Set how many topics may be active at the same time (1-50); ``version``: of the settings the change is
    based on (``ConcurrentEdit`` when they were saved since)."""
    authorize(actor, "roadmap.change_settings")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 50:
        raise ValidationError({"topic_limit": _("The limit must be a whole number from 1 to 50.")})
    row = RoadmapSettings.objects.select_for_update().get_or_create(pk=1)[0]
    expect_version(row, version)
    row.topic_limit = limit
    row.updated_by = actor if _is_user(actor) else None
    _save(row, actor)
    return row


@transaction.atomic
def topics_seed(*, actor: Actor, language: str | None = None) -> list[Topic]:
    """Add the catalogue's improvement topics that are not on the list yet (status proposed,
    impact and effort 3), titled in ``language`` (default: the active language)."""
    authorize(actor, "roadmap.add_topic")
    if not actor.has_perm("roadmap.change_settings"):
        raise PermissionDenied(_("Only the head of KAM may take over the catalogue's topics."))
    lang = language or catalogue.lang()
    present = set(Topic.objects.exclude(template_key="").values_list("template_key", flat=True))
    created = []
    for t in catalogue.topic_templates():
        if t.key in present:
            continue
        created.append(
            topic_create(
                actor=actor,
                field=t.field,
                title=t.name.get(lang),
                description=t.description.get(lang),
                template_key=t.key,
            )
        )
    return created
