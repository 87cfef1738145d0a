"""Account hierarchies as materialised paths.

An account's path lists the ids from the root down to the account itself,
each followed by ``/``: account 78 under 45 under 12 has the path ``"12/45/78/"``.
A subtree is every account whose path starts with the root's path.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


class HierarchyCycleError(ValueError):
    """Raised when a move would make an account its own ancestor."""


def node_path(parent_path: str, node_id: int) -> str:
    """Return the path of ``node_id`` placed under a parent with ``parent_path``.

    Examples
    --------
    >>> node_path("", 12)
    '12/'
    >>> node_path("12/45/", 78)
    '12/45/78/'
    """
    return f"{parent_path}{node_id}/"


def path_ids(path: str) -> list[int]:
    """Return the ids on a path, root first.

    Examples
    --------
    >>> path_ids("12/45/78/")
    [12, 45, 78]
    >>> path_ids("")
    []
    """
    return [int(p) for p in path.split("/") if p]


def check_move(node_id: int, new_parent_path: str | None) -> None:
    """Refuse to place ``node_id`` under a parent whose path contains it.

    Examples
    --------
    >>> check_move(45, "12/")
    >>> check_move(45, "12/45/78/")
    Traceback (most recent call last):
    ...
    kampass.core.hierarchy.HierarchyCycleError: account 45 cannot be placed below itself or one of its descendants
    """
    if new_parent_path is not None and node_id in path_ids(new_parent_path):
        raise HierarchyCycleError(f"account {node_id} cannot be placed below itself or one of its descendants")


def rebase(path: str, old_prefix: str, new_prefix: str) -> str:
    """Move a descendant's path from one subtree root path to another.

    Examples
    --------
    >>> rebase("12/45/78/", "12/45/", "9/45/")
    '9/45/78/'
    """
    if not path.startswith(old_prefix):
        raise ValueError(f"{path!r} is not below {old_prefix!r}")
    return new_prefix + path[len(old_prefix) :]


@dataclass(frozen=True)
class TreeNode:
    """One account in a tree to be displayed."""

    id: int
    parent_id: int | None
    name: str


@dataclass(frozen=True)
class TreeRow:
    """A node with its depth relative to the displayed root, in display order."""

    id: int
    parent_id: int | None
    name: str
    depth: int
    children: int


def flatten_tree(nodes: Iterable[TreeNode], root_id: int) -> list[TreeRow]:
    """Order the nodes of a subtree depth-first, children by name.

    Examples
    --------
    >>> rows = flatten_tree([TreeNode(1, None, "Group"), TreeNode(3, 1, "Zeta"),
    ...                      TreeNode(2, 1, "Alpha"), TreeNode(4, 2, "Site")], 1)
    >>> [(r.name, r.depth, r.children) for r in rows]
    [('Group', 0, 2), ('Alpha', 1, 1), ('Site', 2, 0), ('Zeta', 1, 0)]
    """
    by_parent: dict[int | None, list[TreeNode]] = {}
    by_id: dict[int, TreeNode] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id, []).append(n)
        by_id[n.id] = n
    for kids in by_parent.values():
        kids.sort(key=lambda n: (n.name.casefold(), n.id))
    out: list[TreeRow] = []
    if root_id not in by_id:
        return out
    stack: list[tuple[TreeNode, int]] = [(by_id[root_id], 0)]
    while stack:
        node, depth = stack.pop()
        kids = by_parent.get(node.id, [])
        out.append(TreeRow(node.id, node.parent_id, node.name, depth, len(kids)))
        stack.extend((k, depth + 1) for k in reversed(kids))
    return out


def roll_up_distinct(rows: Sequence[TreeRow], members: Mapping[int, Iterable[Hashable]]) -> dict[int, int]:
    """Count the distinct members (people, contacts) of each node's subtree.

    A member attached to several nodes of a subtree (a person on the teams of two subsidiaries, a
    contact with positions at two sites) counts once for every ancestor, not once per node: a sum
    of per-node counts would count memberships, not people. ``rows`` must be in the order
    :func:`flatten_tree` returns; ``members`` maps a node id to the ids of its own members.

    Examples
    --------
    >>> rows = flatten_tree([TreeNode(1, None, "G"), TreeNode(2, 1, "A"), TreeNode(3, 1, "B")], 1)
    >>> roll_up_distinct(rows, {1: ["ann"], 2: ["bob", "cy"], 3: ["bob"]})
    {3: 1, 2: 2, 1: 3}
    """
    below: dict[int, set[Hashable]] = {}
    total: dict[int, int] = {}
    for row in reversed(rows):
        mine = below.pop(row.id, set())
        mine.update(members.get(row.id, ()))
        total[row.id] = len(mine)
        if row.parent_id is not None and row.depth > 0:
            below.setdefault(row.parent_id, set()).update(mine)
    return total
