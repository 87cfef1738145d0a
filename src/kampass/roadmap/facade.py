"""What other contexts may ask of the roadmap context (the contract with the programme app).

Returns frozen dataclasses only; callers never touch the models directly.

The programme context depends on the roadmap (it turns accepted recommendations into initiatives
and shows the roadmap), so the roadmap never imports the programme. What the roadmap needs from it,
the running concept catalogue and the current programme signals, the programme hands over once
its app is ready: :func:`connect_programme` (dependency inversion; see docs/development.md).
Without it (the programme app not installed) the roadmap uses the built-in catalogue and no signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kampass.common.guardrails import GuardrailValue, StoredReading
from kampass.core.concept import Catalogue
from kampass.users.actors import Actor


@dataclass(frozen=True)
class InitiativeProposal:
    """An accepted recommendation to be put on the roadmap."""

    logic: str
    rank: int
    title: str
    guardrail_key: str
    guardrail_threshold: float
    guardrail_direction: str
    timing: str


@dataclass(frozen=True)
class InitiativeRef:
    id: int
    logic: str
    title: str
    owner: str | None
    starts: dt.date | None
    ends: dt.date | None
    status: str
    accounts: int

    @property
    def is_open(self) -> bool:
        """Still to come or under way (planned, active or paused), not done or abandoned."""
        from kampass.roadmap.models import OPEN_INITIATIVE_STATUSES

        return self.status in OPEN_INITIATIVE_STATUSES

    @property
    def status_label(self) -> str:
        """The status as the user reads it (``Geplant``, not ``planned``), in the active language."""
        from kampass.roadmap.models import InitiativeStatus

        return str(dict(InitiativeStatus.choices).get(self.status, self.status))


@dataclass(frozen=True)
class GuardrailStatus:
    initiative_id: int
    logic: str
    key: str
    value: float | None
    threshold: float
    direction: str
    warning: bool
    measured_at: dt.datetime | None
    reading: GuardrailValue | None = None
    """The value shown, with its source (live or stored) and the stored reading next to it."""


@dataclass(frozen=True)
class RoadmapSummary:
    initiatives: list[InitiativeRef]
    guardrails: list[GuardrailStatus]
    topics_active: int
    topics_limit: int
    topics_over_limit: bool


@dataclass(frozen=True)
class ProgrammeSource:
    """Where the roadmap reads the programme's running catalogue and current signals."""

    catalogue: Callable[[], Catalogue]
    signals: Callable[[], dict[str, float | None]]


_programme: list[ProgrammeSource] = []


def connect_programme(source: ProgrammeSource) -> None:
    """Called by the programme app when it is ready (``ProgrammeConfig.ready``)."""
    _programme[:] = [source]


def programme_source() -> ProgrammeSource | None:
    """The connected programme, ``None`` when the programme app is not installed."""
    return _programme[0] if _programme else None


@dataclass(frozen=True)
class AlreadyOnRoadmap:
    """A proposal not turned into an initiative because its logic already has an open initiative
    (planned, active or paused), or one from the same round."""

    logic: str
    initiative_id: int
    title: str
    status: str
    round_id: int | None


@dataclass(frozen=True)
class RecommendationsOutcome:
    """The initiatives created from accepted recommendations and the proposals skipped."""

    created: tuple[int, ...]
    skipped: tuple[AlreadyOnRoadmap, ...]

    @property
    def ids(self) -> list[int]:
        """The initiatives that now stand for the proposals: created or already there."""
        return [*self.created, *(s.initiative_id for s in self.skipped)]


def initiatives_from_recommendations(
    *, actor: Actor, round_id: int | None, proposals: Sequence[InitiativeProposal]
) -> RecommendationsOutcome:
    """Create one planned initiative per proposal whose logic is not pursued yet; skip (and report)
    the others. Idempotent: calling again creates nothing.

    Only the head of KAM or an administrator may do this.
    """
    from kampass.roadmap.services import initiatives_from_recommendations as create

    return create(actor=actor, round_id=round_id, proposals=proposals)


def latest_guardrail_readings() -> dict[str, StoredReading]:
    """The latest stored measurement of each guardrail metric (over all initiatives watching it),
    with the assessment round of the initiative it was stored for."""
    from kampass.roadmap.models import GuardrailMeasurement

    out: dict[str, StoredReading] = {}
    for key in GuardrailMeasurement.objects.order_by().values_list("key", flat=True).distinct():
        last = (
            GuardrailMeasurement.objects.filter(key=key)
            .order_by("-measured_at", "-pk")
            .values_list("value", "measured_at", "initiative__round_id")
            .first()
        )
        if last is not None:
            out[key] = StoredReading(value=last[0], measured_at=last[1], round_id=last[2])
    return out


def programme_signals() -> dict[str, float | None]:
    """The roadmap's facts for the recommender.

    * ``active_topics``: number of active improvement topics;
    * ``topic_completion_rate``: done / (done + abandoned + active), ``None`` when that is zero;
    * ``initiatives_with_owner_share``: share of the open initiatives (planned, active, paused)
      with an owner, ``None`` without open initiatives.
    """
    from kampass.roadmap.selectors import initiatives_with_owner_share, topic_stats

    stats = topic_stats()
    return {
        "active_topics": float(stats.active),
        "topic_completion_rate": stats.completion_rate,
        "initiatives_with_owner_share": initiatives_with_owner_share(),
    }


def roadmap_summary() -> RoadmapSummary:
    """All initiatives, the latest guardrail reading of every active one, and the topic limit."""
    from kampass.roadmap.models import InitiativeStatus
    from kampass.roadmap.selectors import InitiativeFilters, initiative_list, topic_stats

    initiatives = initiative_list(filters=InitiativeFilters(sort="start"))
    refs = [
        InitiativeRef(
            id=i.pk,
            logic=i.logic,
            title=i.label,
            owner=str(i.owner) if i.owner_id else None,
            starts=i.starts,
            ends=i.ends,
            status=i.status,
            accounts=i.account_count,  # type: ignore[attr-defined]
        )
        for i in initiatives
    ]
    guardrails = [
        GuardrailStatus(
            initiative_id=i.pk,
            logic=i.logic,
            key=i.guardrail_key,
            value=i.reading.value,
            threshold=i.guardrail_threshold,
            direction=i.guardrail_direction,
            warning=i.reading.warning,
            measured_at=i.reading.measured_at,
            reading=i.reading.guardrail,
        )
        for i in initiatives
        if i.status == InitiativeStatus.ACTIVE
    ]
    stats = topic_stats()
    return RoadmapSummary(
        initiatives=refs,
        guardrails=guardrails,
        topics_active=stats.active,
        topics_limit=stats.limit,
        topics_over_limit=stats.over_limit,
    )
