"""Read operations of the roadmap context: initiatives with their latest guardrail reading, topics, counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from kampass.common.guardrails import GuardrailValue, guardrail_values
from kampass.roadmap.guardrails import is_warning
from kampass.roadmap.models import (
    OPEN_INITIATIVE_STATUSES,
    GuardrailMeasurement,
    Initiative,
    InitiativeStatus,
    Quadrant,
    RoadmapSettings,
    Topic,
    TopicStatus,
    quadrant_of,
)
from kampass.users.actors import Actor

INITIATIVE_SORTS: dict[str, str | Lower] = {
    "start": "starts",
    "end": "ends",
    "title": Lower("title"),
    "logic": "logic",
    "status": "status",
    "owner": Lower("owner__last_name"),
}

TOPIC_SORTS = {
    "priority": None,  # quadrant, then impact high to low, then effort low to high
    "title": Lower("title"),
    "field": "field",
    "impact": "impact",
    "effort": "effort",
    "status": "status",
    "owner": Lower("owner__last_name"),
}


@dataclass(frozen=True)
class InitiativeFilters:
    q: str = ""
    logic: str = ""
    status: str = ""
    owner: int | None = None
    warning: bool = False
    sort: str = "start"
    descending: bool = False


def _latest(field: str) -> Subquery:
    latest = GuardrailMeasurement.objects.filter(initiative=OuterRef("pk")).order_by("-measured_at", "-pk")
    return Subquery(latest.values(field)[:1])


@dataclass(frozen=True)
class Reading:
    """The value of an initiative's guardrail metric, judged against its current threshold.

    ``guardrail`` is the one value of the metric every page shows (:mod:`kampass.common.guardrails`:
    live when computable, else the latest stored measurement, with its source); ``value`` and
    ``measured_at`` are its figure and time. Without a connected programme the initiative's own
    latest measurement counts (a reading of another metric, the guardrail changed since, does not)."""

    value: float | None
    measured_at: dt.datetime | None
    warning: bool
    guardrail: GuardrailValue | None = None


def reading_of(initiative: Initiative, values: Mapping[str, GuardrailValue] | None = None) -> Reading:
    """The guardrail reading of ``initiative``: the metric's value from ``values`` (default: asked now
    from :func:`kampass.common.guardrails.guardrail_values`), else its own latest measurement (uses
    the annotations of :func:`initiative_list` if present)."""
    if values is None:
        values = guardrail_values([initiative.guardrail_key])
    found = values.get(initiative.guardrail_key)
    if found is not None:
        value, when = found.value, found.measured_at
    else:
        if (
            hasattr(initiative, "last_key")
            and hasattr(initiative, "last_value")
            and hasattr(initiative, "last_measured_at")
        ):
            key, value, when = initiative.last_key, initiative.last_value, initiative.last_measured_at
        else:
            last = initiative.measurements.order_by("-measured_at", "-pk").first()
            key, value, when = (last.key, last.value, last.measured_at) if last else (None, None, None)
        if key != initiative.guardrail_key:
            value, when = None, None
    if value is None:
        return Reading(None, None, False, found)
    warning = is_warning(value, initiative.guardrail_threshold, initiative.guardrail_direction)
    return Reading(value, when, warning and initiative.status == InitiativeStatus.ACTIVE, found)


def reading_attached(initiative: Initiative) -> Initiative:
    """``initiative`` with its guardrail reading set as ``reading``."""
    initiative.reading = reading_of(initiative)
    return initiative


def initiative_list(*, filters: InitiativeFilters | None = None) -> list[Initiative]:
    """Initiatives matching ``filters``, each with ``reading`` (the value of its guardrail metric)
    and ``account_count`` (the number of key accounts involved).

    ``filters.warning`` keeps the active initiatives whose latest reading is beyond the threshold."""
    filters = filters or InitiativeFilters()
    qs = Initiative.objects.select_related("owner").annotate(
        last_key=_latest("key"),
        last_value=_latest("value"),
        last_measured_at=_latest("measured_at"),
        account_count=Count("accounts", distinct=True),
    )
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.logic:
        qs = qs.filter(logic=filters.logic)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    order = INITIATIVE_SORTS.get(filters.sort, INITIATIVE_SORTS["start"])
    expr = F(order) if isinstance(order, str) else order
    ordering = expr.desc(nulls_last=True) if filters.descending else expr.asc(nulls_last=True)
    items: list[Initiative] = list(qs.order_by(ordering, "logic", "pk"))
    values = guardrail_values({item.guardrail_key for item in items}) if items else {}
    for item in items:
        item.reading = reading_of(item, values)
    if filters.warning:
        items = [i for i in items if i.reading.warning]
    return items


def initiative_measurements(initiative: Initiative) -> list[GuardrailMeasurement]:
    """The guardrail readings of one initiative, oldest first."""
    return list(initiative.measurements.order_by("measured_at", "pk"))


def guardrail_warnings() -> list[Initiative]:
    """Active initiatives whose latest guardrail reading is beyond the threshold."""
    return initiative_list(filters=InitiativeFilters(warning=True, sort="logic"))


def topic_limit() -> int:
    row = RoadmapSettings.objects.filter(pk=1).first()
    return row.topic_limit if row else RoadmapSettings._meta.get_field("topic_limit").default


def topic_limit_version() -> int | None:
    """The version of the topic limit's settings row (``None`` before it is first saved)."""
    return RoadmapSettings.objects.filter(pk=1).values_list("version", flat=True).first()


@dataclass(frozen=True)
class TopicFilters:
    q: str = ""
    field: str = ""
    status: str = ""
    quadrant: str = ""
    owner: int | None = None
    joint: bool = False
    sort: str = "priority"
    descending: bool = False


def topic_list(*, filters: TopicFilters | None = None) -> list[Topic]:
    """Topics matching ``filters``; by default in priority order: quick wins, major projects,
    fill-ins, thankless tasks, and within each the highest impact and lowest effort first."""
    filters = filters or TopicFilters()
    qs = Topic.objects.select_related("owner", "account")
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.field:
        qs = qs.filter(field=filters.field)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.joint:
        qs = qs.filter(account__isnull=False)
    order = TOPIC_SORTS.get(filters.sort)
    if order is None:
        topics = sorted(qs, key=priority_key)
        if filters.descending:
            topics.reverse()
    else:
        prefix = "-" if filters.descending else ""
        topics = list(
            qs.order_by(order.desc() if filters.descending else order.asc(), "pk")
            if not isinstance(order, str)
            else qs.order_by(prefix + order, "pk")
        )
    if filters.quadrant:
        topics = [t for t in topics if t.quadrant == filters.quadrant]
    return topics


QUADRANT_ORDER = [Quadrant.QUICK_WIN, Quadrant.MAJOR_PROJECT, Quadrant.FILL_IN, Quadrant.THANKLESS]


def priority_key(topic: Topic) -> tuple[int, int, int, str, int]:
    """Sort key of a topic's priority: quadrant, impact (high first), effort (low first), title."""
    return (
        QUADRANT_ORDER.index(quadrant_of(topic.impact, topic.effort)),
        -topic.impact,
        topic.effort,
        topic.title.lower(),
        topic.pk or 0,
    )


@dataclass(frozen=True)
class TopicStats:
    """Counts behind the topic limit and the completion rate."""

    total: int
    proposed: int
    active: int
    done: int
    abandoned: int
    limit: int

    @property
    def over_limit(self) -> bool:
        return self.active > self.limit

    @property
    def at_limit(self) -> bool:
        return self.active >= self.limit

    @property
    def completion_rate(self) -> float | None:
        """Done / (done + abandoned + active); ``None`` when that is zero."""
        denominator = self.done + self.abandoned + self.active
        return self.done / denominator if denominator else None


def topic_stats() -> TopicStats:
    counts = dict(Topic.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return TopicStats(
        total=sum(counts.values()),
        proposed=counts.get(TopicStatus.PROPOSED, 0),
        active=counts.get(TopicStatus.ACTIVE, 0),
        done=counts.get(TopicStatus.DONE, 0),
        abandoned=counts.get(TopicStatus.ABANDONED, 0),
        limit=topic_limit(),
    )


def initiatives_with_owner_share() -> float | None:
    """Share of the open initiatives (planned, active, paused) that have an owner; ``None`` without any."""
    open_qs = Initiative.objects.filter(status__in=[s.value for s in OPEN_INITIATIVE_STATUSES])
    total = open_qs.count()
    if not total:
        return None
    return open_qs.filter(owner__isnull=False).count() / total


#: Initiatives in these states are flagged on the roadmap page when they have no owner.
OWNER_FLAGGED_STATUSES = (InitiativeStatus.PLANNED, InitiativeStatus.ACTIVE)


def initiatives_without_owner(initiatives: Iterable[Initiative]) -> list[Initiative]:
    """The planned and active ones among ``initiatives`` that nobody owns."""
    return [i for i in initiatives if i.owner_id is None and i.status in OWNER_FLAGGED_STATUSES]


def owner_choices() -> list[Any]:
    """Users who may own initiatives and topics (everyone active but viewers and controllers first out)."""
    from kampass.users.models import Role, User

    return list(
        User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.HEAD, Role.KAM]).order_by(
            "last_name", "first_name", "username"
        )
    )


def key_account_choices(*, user: Actor) -> QuerySet[Any]:
    """Key and strategic accounts, for the pickers (read through the accounts selectors)."""
    from kampass.accounts.selectors import AccountFilters, account_list

    return account_list(user=user, filters=AccountFilters(sort="name")).filter(
        kam_status__in=["key_account", "strategic"]
    )
