"""The plan template editor's form: the sections and their fields as posted by the editor page
(one input per key, label and required flag, numbered ``s-<i>-...`` and ``s-<i>-f-<j>-...``), and
the editing steps its buttons ask for (add, remove, move a section or a field up or down). Each
step is one form post, so the editor works with the keyboard alone and without script; nothing is
saved until "Save" (the service validates and saves a new template version).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

#: bounds of what one post may describe (a template has a handful of sections of a few fields)
MAX_SECTIONS = 40
MAX_FIELDS = 60


def _count(data: QueryDict, name: str, bound: int) -> int:
    raw = data.get(name, "")
    return min(int(raw), bound) if raw.isdigit() and len(raw) < 4 else 0


def _text(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()[:500]


def sections_from_post(data: QueryDict) -> list[dict[str, Any]]:
    """The sections as the editor posted them, in order (inputs kept as entered, trimmed)."""
    sections = []
    for i in range(_count(data, "s-count", MAX_SECTIONS)):
        p = f"s-{i}-"
        fields = [
            {
                "key": _text(data, f"{p}f-{j}-key"),
                "label_en": _text(data, f"{p}f-{j}-label_en"),
                "label_de": _text(data, f"{p}f-{j}-label_de"),
                "required": data.get(f"{p}f-{j}-required") == "on",
            }
            for j in range(_count(data, f"{p}f-count", MAX_FIELDS))
        ]
        sections.append(
            {
                "key": _text(data, f"{p}key"),
                "label_en": _text(data, f"{p}label_en"),
                "label_de": _text(data, f"{p}label_de"),
                "fields": fields,
            }
        )
    return sections


@dataclass
class Step:
    """An editing step asked for by a button: ``op`` with the section (and field) it applies to."""

    op: str
    section: int | None = None
    field: int | None = None


OPS = ("add_section", "remove_section", "up_section", "down_section", "add_field", "remove_field", "up_field",
       "down_field")  # fmt: skip


def step_from_post(data: QueryDict) -> Step | None:
    """The step the pressed button asks for (``op`` = ``up_field-1-2`` ...), ``None`` for "Save"."""
    raw = data.get("op", "save")
    name, *numbers = raw.split("-")
    if name not in OPS or not all(n.isdigit() and len(n) < 4 for n in numbers):
        return None
    values = [int(n) for n in numbers]
    return Step(name, values[0] if values else None, values[1] if len(values) > 1 else None)


@dataclass
class Applied:
    """The sections after a step and the id of the control to focus (where the keyboard user goes on)."""

    sections: list[dict[str, Any]]
    focus: str = ""
    notes: list[str] = field(default_factory=list)


def _swap(items: list[Any], i: int, j: int) -> bool:
    if 0 <= i < len(items) and 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        return True
    return False


def apply_step(sections: list[dict[str, Any]], step: Step) -> Applied:
    """The sections after ``step`` (a new list; out-of-range positions change nothing).

    >>> s = [{"key": "a", "fields": []}, {"key": "b", "fields": [{"key": "x"}, {"key": "y"}]}]
    >>> [x["key"] for x in apply_step(s, Step("up_section", 1)).sections]
    ['b', 'a']
    >>> [f["key"] for f in apply_step(s, Step("down_field", 1, 0)).sections[1]["fields"]]
    ['y', 'x']
    >>> apply_step(s, Step("add_field", 0)).focus
    's-0-f-0-key'
    """
    out = copy.deepcopy(sections)
    i, j = step.section, step.field
    blank_field = {"key": "", "label_en": "", "label_de": "", "required": False}
    if step.op == "add_section":
        out.append({"key": "", "label_en": "", "label_de": "", "fields": []})
        return Applied(out, f"s-{len(out) - 1}-key")
    if i is None or not 0 <= i < len(out):
        return Applied(out)
    if step.op == "remove_section":
        del out[i]
        return Applied(out, f"s-{min(i, len(out) - 1)}-key" if out else "op-add_section")
    if step.op in ("up_section", "down_section"):
        target = i - 1 if step.op == "up_section" else i + 1
        at = target if _swap(out, i, target) else i
        return Applied(out, _move_focus("section", step.op, at, len(out), ""))
    fields = out[i]["fields"]
    if step.op == "add_field":
        fields.append(dict(blank_field))
        return Applied(out, f"s-{i}-f-{len(fields) - 1}-key")
    if j is None or not 0 <= j < len(fields):
        return Applied(out)
    if step.op == "remove_field":
        del fields[j]
        return Applied(out, f"s-{i}-f-{min(j, len(fields) - 1)}-key" if fields else f"op-add_field-{i}")
    target = j - 1 if step.op == "up_field" else j + 1
    at = target if _swap(fields, j, target) else j
    return Applied(out, _move_focus("field", step.op, at, len(fields), f"{i}-"))


def _move_focus(kind: str, op: str, at: int, count: int, prefix: str) -> str:
    """The button to focus after a move: the same button at the new place, or the other direction's
    when the moved item reached the end (a disabled button cannot hold the focus)."""
    up = op.startswith("up")
    if up and at == 0 and count > 1:
        up = False
    elif not up and at == count - 1 and count > 1:
        up = True
    return f"op-{'up' if up else 'down'}_{kind}-{prefix}{at}"
