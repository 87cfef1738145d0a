"""Buying centre analysis: coverage gaps and the layout of the relationship map."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class ContactNode:
    """A buying-centre contact as the relationship map sees it."""

    id: int
    name: str
    title: str
    roles: tuple[str, ...]
    influence: int
    attitude: int
    reports_to: int | None


@dataclass(frozen=True)
class CoverageLink:
    """A team member covering a contact at a relationship level (1 vendor .. 4 trusted advisor)."""

    contact_id: int
    member: str
    level_now: int
    level_target: int

    @property
    def below_target(self) -> bool:
        """Whether the relationship is still below the level the member aims for.

        Examples
        --------
        >>> CoverageLink(1, "kam", 2, 3).below_target, CoverageLink(1, "kam", 3, 3).below_target
        (True, False)
        """
        return self.level_now < self.level_target


class GapKind(StrEnum):
    UNCOVERED = "uncovered"
    BELOW_TARGET = "below_target"


@dataclass(frozen=True)
class CoverageGap:
    """A high-influence contact that nobody covers, or whose best relationship is below its target."""

    contact_id: int
    kind: GapKind
    influence: int
    best_level: int | None
    target_level: int | None


def coverage_gaps(
    contacts: Iterable[ContactNode], links: Iterable[CoverageLink], *, high_influence: int = 7
) -> list[CoverageGap]:
    """List the coverage gaps among contacts with influence >= ``high_influence``.

    A contact is covered well enough when at least one team member's current
    level reaches the target that member set; the most influential gaps come first.

    Examples
    --------
    >>> cs = [ContactNode(1, "Ada", "CEO", ("decider",), 9, 0, None),
    ...       ContactNode(2, "Bo", "Buyer", ("buyer",), 8, 1, 1),
    ...       ContactNode(3, "Cy", "Engineer", ("user",), 3, 2, 1)]
    >>> ls = [CoverageLink(2, "kam", 2, 3)]
    >>> [(g.contact_id, g.kind.value) for g in coverage_gaps(cs, ls)]
    [(1, 'uncovered'), (2, 'below_target')]
    """
    by_contact: dict[int, list[CoverageLink]] = {}
    for link in links:
        by_contact.setdefault(link.contact_id, []).append(link)
    gaps: list[CoverageGap] = []
    for c in contacts:
        if c.influence < high_influence:
            continue
        cov = by_contact.get(c.id, [])
        if not cov:
            gaps.append(CoverageGap(c.id, GapKind.UNCOVERED, c.influence, None, None))
            continue
        if any(not link.below_target for link in cov):
            continue
        best = max(cov, key=lambda link: (link.level_now, -link.level_target))
        gaps.append(CoverageGap(c.id, GapKind.BELOW_TARGET, c.influence, best.level_now, best.level_target))
    gaps.sort(key=lambda g: (-g.influence, g.contact_id))
    return gaps


def reporting_layout(contacts: Sequence[ContactNode]) -> dict[int, tuple[float, float]]:
    """Place contacts as an organisation chart: bosses above their reports.

    Returns ``{contact_id: (x, level)}``; leaves get consecutive x positions and a
    boss is centred over its reports. A reports-to link to someone outside the
    set, or one that closes a loop, makes the contact a root.

    Examples
    --------
    >>> cs = [ContactNode(1, "Ada", "", (), 9, 0, None), ContactNode(2, "Bo", "", (), 5, 0, 1),
    ...       ContactNode(3, "Cy", "", (), 5, 0, 1), ContactNode(4, "Di", "", (), 5, 0, None)]
    >>> reporting_layout(cs)
    {2: (0.0, 1.0), 3: (1.0, 1.0), 1: (0.5, 0.0), 4: (2.0, 0.0)}
    """
    ids = {c.id for c in contacts}
    boss: dict[int, int | None] = {c.id: (c.reports_to if c.reports_to in ids else None) for c in contacts}
    # break loops: walk up; if we come back to a visited node on the same walk, cut the link
    for start in list(boss):
        seen: set[int] = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                boss[node] = None
                break
            seen.add(node)
            node = boss[node]
    children: dict[int | None, list[ContactNode]] = {}
    for c in contacts:
        children.setdefault(boss[c.id], []).append(c)
    for kids in children.values():
        kids.sort(key=lambda c: (-c.influence, c.name))
    pos: dict[int, tuple[float, float]] = {}
    next_x = 0.0

    def place(node: ContactNode, level: int) -> float:
        nonlocal next_x
        kids = children.get(node.id, [])
        if not kids:
            x = next_x
            next_x += 1.0
        else:
            xs = [place(k, level + 1) for k in kids]
            x = (xs[0] + xs[-1]) / 2
        pos[node.id] = (x, float(level))
        return x

    for root in children.get(None, []):
        place(root, 0)
    return pos
