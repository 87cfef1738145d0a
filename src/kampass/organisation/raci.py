"""Checks of a function diagram (RACI matrix); pure Python, no database.

Every activity needs exactly one Accountable (who answers for the result and
decides) and at least one Responsible (who does the work). A role that is both
is written ``AR``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Conflict(StrEnum):
    """What is wrong with the RACI column of one activity."""

    NO_ACCOUNTABLE = "no_accountable"
    SEVERAL_ACCOUNTABLE = "several_accountable"
    NO_RESPONSIBLE = "no_responsible"


@dataclass(frozen=True)
class ActivityCheck:
    """The result of checking one activity: how many Accountable and Responsible
    it has and the conflicts that follow."""

    activity_id: int
    accountable: int
    responsible: int
    conflicts: tuple[Conflict, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts


def check_codes(activity_id: int, codes: Iterable[str]) -> ActivityCheck:
    """Check the RACI codes of one activity (one code per role, empty cells left out).

    Examples
    --------
    >>> check_codes(1, ["A", "R", "C"]).conflicts
    ()
    >>> check_codes(2, ["AR", "I"]).ok
    True
    >>> [c.value for c in check_codes(3, ["R", "C"]).conflicts]
    ['no_accountable']
    >>> [c.value for c in check_codes(4, ["A", "A"]).conflicts]
    ['several_accountable', 'no_responsible']
    >>> [c.value for c in check_codes(5, []).conflicts]
    ['no_accountable', 'no_responsible']
    """
    codes = [c for c in codes if c]
    accountable = sum(1 for c in codes if "A" in c)
    responsible = sum(1 for c in codes if "R" in c)
    conflicts: list[Conflict] = []
    if accountable == 0:
        conflicts.append(Conflict.NO_ACCOUNTABLE)
    elif accountable > 1:
        conflicts.append(Conflict.SEVERAL_ACCOUNTABLE)
    if responsible == 0:
        conflicts.append(Conflict.NO_RESPONSIBLE)
    return ActivityCheck(activity_id, accountable, responsible, tuple(conflicts))


def check_matrix(activity_ids: Iterable[int], cells: Iterable[tuple[int, int, str]]) -> dict[int, ActivityCheck]:
    """Check every activity of a matrix given as ``(activity_id, role_id, code)`` cells.

    Activities without any cell are checked too (they have every conflict); cells
    of activities not listed in ``activity_ids`` are ignored.

    Examples
    --------
    >>> checks = check_matrix([1, 2, 3], [(1, 10, "A"), (1, 11, "R"), (2, 10, "A"), (2, 12, "A")])
    >>> {k: [c.value for c in v.conflicts] for k, v in checks.items()}
    {1: [], 2: ['several_accountable', 'no_responsible'], 3: ['no_accountable', 'no_responsible']}
    """
    ids = list(activity_ids)
    per_activity: dict[int, list[str]] = {i: [] for i in ids}
    for activity_id, _role_id, code in cells:
        if activity_id in per_activity:
            per_activity[activity_id].append(code)
    return {i: check_codes(i, per_activity[i]) for i in ids}
