"""What other contexts (the programme dashboard, the recommender) may ask of the
organisation context. Returns plain numbers and frozen dataclasses only.

Units of ``programme_signals()``:

``kams_appointed``
    number of persons: users with the role key account manager who are key
    account manager (team role ``kam``) on at least one account team.
``accounts_per_kam``
    accounts per key account manager: the mean number of accounts on whose team
    an appointed key account manager is KAM (``None`` when nobody is appointed).
``raci_conflicts``
    number of active KAM process activities with a conflict in the function
    diagram (no Accountable, several Accountable or no Responsible).
``blocked_actions_share``
    fraction 0..1: open development actions marked as blocked by the
    organisation / all open development actions (``None`` when none is open).
``competence_gap``
    rating points on the 1-5 scale (0..4): the mean of max(target - rating, 0)
    over every (person, active competence) with an agreed rating and a target
    (``None`` when there is no such rating).
"""

from __future__ import annotations

from dataclasses import dataclass

from kampass.organisation import selectors as _selectors
from kampass.organisation.competence_gap import mean_positive_gap as _mean_positive_gap
from kampass.organisation.models import BlockedCause as _BlockedCause


@dataclass(frozen=True)
class ActivityConflict:
    """An activity of the KAM process whose RACI column has conflicts (``conflicts``: ``Conflict`` values)."""

    activity_id: int
    activity: str
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class RaciSummary:
    """The function diagram in figures: active activities and roles, filled cells, conflicting activities."""

    activities: int
    roles: int
    cells_filled: int
    conflicts: int
    conflicting: tuple[ActivityConflict, ...]


@dataclass(frozen=True)
class StructureSummary:
    """Workload and lead units: appointed KAMs, mean accounts per KAM, KAMs above the threshold,
    international accounts and those without lead unit."""

    kams_appointed: int
    accounts_per_kam: float | None
    max_accounts_per_kam: int
    kams_over_threshold: int
    international_accounts: int
    without_lead_unit: int


@dataclass(frozen=True)
class BlockedCount:
    cause: str
    label: str
    count: int


@dataclass(frozen=True)
class PeopleSummary:
    """Competence profiles and development actions in figures (gaps in rating points, share 0..1)."""

    profiles: int
    rated_profiles: int
    competence_gap: float | None
    open_actions: int
    blocked_actions: int
    blocked_actions_share: float | None
    overdue_actions: int
    blocked_by_cause: tuple[BlockedCount, ...]


def raci_summary() -> RaciSummary:
    matrix = _selectors.raci_matrix()
    conflicting = tuple(
        ActivityConflict(a.pk, a.label, tuple(c.value for c in matrix.checks[a.pk].conflicts))
        for a in matrix.activities
        if matrix.checks[a.pk].conflicts
    )
    return RaciSummary(len(matrix.activities), len(matrix.roles), len(matrix.cells), len(conflicting), conflicting)


def structure_summary() -> StructureSummary:
    load = _selectors.kam_load()
    threshold = _selectors.structure_settings().max_accounts_per_kam
    intl = _selectors.international_accounts()
    return StructureSummary(
        load.appointed,
        load.mean_accounts,
        threshold,
        sum(1 for r in _selectors.workload(threshold=threshold) if r.over_threshold),
        len(intl),
        sum(1 for r in intl if r.lead_unit_missing),
    )


def _competence_gap() -> tuple[int, int, float | None]:
    """(profiles, profiles with at least one rating, mean positive gap over all rated competences)."""
    people = list(_selectors.profile_people())
    all_profiles = _selectors.profiles(people)
    rows = [line.row for p in all_profiles for line in p.lines]
    return len(all_profiles), sum(1 for p in all_profiles if p.rated), _mean_positive_gap(rows)


def people_summary() -> PeopleSummary:
    profiles, rated, gap = _competence_gap()
    counts = _selectors.action_counts()
    share = counts.blocked / counts.open if counts.open else None
    by_cause = tuple(
        BlockedCount(value, str(label), counts.blocked_by_cause.get(value, 0)) for value, label in _BlockedCause.choices
    )
    return PeopleSummary(profiles, rated, gap, counts.open, counts.blocked, share, counts.overdue, by_cause)


def programme_signals() -> dict[str, float | None]:
    """The organisation's data signals for the programme phase and the recommender (units: module docstring)."""
    load = _selectors.kam_load()
    counts = _selectors.action_counts()
    _, _, gap = _competence_gap()
    return {
        "kams_appointed": float(load.appointed),
        "accounts_per_kam": load.mean_accounts,
        "raci_conflicts": float(_selectors.raci_matrix().conflict_count),
        "blocked_actions_share": counts.blocked / counts.open if counts.open else None,
        "competence_gap": gap,
    }


__all__ = [
    "ActivityConflict",
    "BlockedCount",
    "PeopleSummary",
    "RaciSummary",
    "StructureSummary",
    "people_summary",
    "programme_signals",
    "raci_summary",
    "structure_summary",
]
