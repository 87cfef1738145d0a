"""Competence gaps of a profile; pure Python, no database.

Levels are on the 1-5 scale of the competence model; a gap is measured in
rating points (target minus rating, 0 when the rating reaches the target).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class GapRow:
    """One competence of one person: the agreed rating, the self-assessment,
    the target that applies and the gap (``None`` when rating or target is missing)."""

    competence_id: int
    level: int | None
    self_level: int | None
    target: int | None

    @property
    def gap(self) -> int | None:
        """Target minus rating (negative when the person is above target).

        >>> GapRow(1, 2, None, 4).gap
        2
        >>> GapRow(1, 5, 4, 4).gap
        -1
        >>> GapRow(1, None, 3, 4).gap is None
        True
        """
        if self.level is None or self.target is None:
            return None
        return self.target - self.level

    @property
    def positive_gap(self) -> int | None:
        """The gap counted only where the rating falls short of the target.

        >>> GapRow(1, 5, None, 4).positive_gap
        0
        """
        gap = self.gap
        return None if gap is None else max(gap, 0)


def effective_targets(
    competence_ids: Iterable[int], role_targets: Mapping[int, int], personal_targets: Mapping[int, int]
) -> dict[int, int | None]:
    """The target level per competence for one person: their own target, else their role's.

    >>> effective_targets([1, 2, 3], {1: 4, 2: 3}, {2: 5})
    {1: 4, 2: 5, 3: None}
    """
    return {c: personal_targets.get(c, role_targets.get(c)) for c in competence_ids}


def mean_positive_gap(rows: Iterable[GapRow]) -> float | None:
    """Mean positive gap over the rows that have a rating and a target; ``None`` when there are none.

    >>> mean_positive_gap([GapRow(1, 2, None, 4), GapRow(2, 5, None, 4), GapRow(3, None, 2, 4)])
    1.0
    >>> mean_positive_gap([GapRow(1, None, None, 4)]) is None
    True
    """
    gaps = [r.positive_gap for r in rows if r.positive_gap is not None]
    if not gaps:
        return None
    return sum(gaps) / len(gaps)
