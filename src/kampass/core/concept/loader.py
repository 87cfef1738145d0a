"""Reading, validating and merging catalogue files.

The built-in catalogue is the set of YAML files in ``data/`` (merged in a fixed order); an
administrator's file has the same layout and is merged over it with :func:`load_catalogue`.
Every section is a list of entries with a ``key``; an entry with a new key adds to the catalogue
(all its attributes are required), an entry with an existing key overrides the attributes it
gives (e.g. a better German text). Fields, perspectives, tension fields, logics, phases and
signals are closed sets: their keys cannot be invented. Layout::

    version: "acme-1"
    statements:
      - key: screening.corporate.7
        field: screening            # one of the six fields
        perspective: corporate      # corporate | operative
        text: {en: "...", de: "..."}
        anchors:                    # exactly the ratings 1, 3 and 5, each in en and de
          1: {en: "...", de: "..."}
          3: {en: "...", de: "..."}
          5: {en: "...", de: "..."}
    topics:
      - {key: supplier_days, field: solutions, name: {en: ..., de: ...}, description: {en: ..., de: ...}}
    rules:
      - key: acme_leakage
        logic: commercialisation
        when: {signal: leakage_share, above: 0.05}
        reason: {en: "Leakage is {leakage_share:%} of revenue.", de: "Leakage beträgt {leakage_share:%} des Umsatzes."}
        weight: 2

Other sections: ``fields``, ``tension_fields``, ``logics``, ``phases``, ``signals``, ``phase_rules``
(see the built-in files for their attributes).

The condition language of ``when`` (rules and phase rules) has these forms:

* ``{field: REF, above|below|at_least|at_most: NUMBER, ...}``: the mean rating of ``REF``, which is
  ``screening.corporate`` (one cell), ``screening`` (both perspectives), ``all.operative`` (all fields
  of a perspective) or ``all``; the input it records is named like ``REF``.
* ``{disagreement: screening.corporate}``: respondents disagree on that cell (input ``REF.spread``).
* ``{signal: KEY, above|below|at_least|at_most: NUMBER}``: a fact from kampass (input ``KEY``).
* ``{tension: KEY, of: current|target|gap, above|...: NUMBER}``: a tension field's mean position
  or ``target - current`` (input ``KEY.OF``); not in phase rules.
* ``{all: [COND, ...]}``, ``{any: [COND, ...]}``, ``{not: COND}``, ``{always: true}``.

An unknown input never satisfies a comparison. A rule's ``reason`` may name any input of its
condition as ``{name}`` or ``{name:%}`` (a share shown in per cent). A rule also has ``weight``
(number), optional ``phase`` (list: the phases it applies in), ``after`` (logics that should come
first), ``combine_with`` (logics to pursue together) and ``timing`` (``now``/``next``/``later``).

A refused file raises :class:`CatalogueError` naming the file, the path inside the document
(``statements[3].anchors.5.de``) and the line; the catalogue passed in is never changed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kampass.core.concept.model import (
    ANCHOR_RATINGS,
    FIELDS,
    GUARDRAIL_DIRECTIONS,
    GUARDRAIL_UNITS,
    LANGUAGES,
    LOGICS,
    PERSPECTIVES,
    PHASES,
    SIGNAL_UNITS,
    SIGNALS,
    TENSION_FIELDS,
    TIMINGS,
    AllOf,
    Always,
    AnyOf,
    Catalogue,
    Compare,
    Condition,
    DisagreementCondition,
    Field,
    FieldCondition,
    Guardrail,
    Logic,
    NotCondition,
    Phase,
    PhaseRule,
    Rule,
    SignalCondition,
    SignalDef,
    Statement,
    TensionCondition,
    TensionField,
    Text,
    TopicTemplate,
    condition_inputs,
)

BUILTIN_FILES: tuple[str, ...] = ("concept.yaml", "statements.yaml", "topics.yaml", "rules.yaml")
"""The built-in data files, merged in this order."""

SECTIONS: tuple[str, ...] = (
    "signals",
    "fields",
    "tension_fields",
    "logics",
    "phases",
    "statements",
    "topics",
    "rules",
    "phase_rules",
)
"""Sections of a catalogue file besides ``version``, merged in this order."""

_KEY = re.compile(r"^[a-z][a-z0-9_.-]*$")
_PLACEHOLDER = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")
_LANGUAGE_NAMES = {"en": "English", "de": "German"}
_COMPARISONS = ("above", "below", "at_least", "at_most")
_TENSION_OF = ("current", "target", "gap")


class CatalogueError(ValueError):
    """A catalogue file was refused; ``location`` names file, path inside the document and line.

    Examples
    --------
    >>> e = CatalogueError("custom.yaml: statements[3].anchors.5.de (line 12)", "missing German translation")
    >>> str(e)
    'custom.yaml: statements[3].anchors.5.de (line 12): missing German translation'
    """

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass
class _Doc:
    """A parsed file: plain data plus the line of every path (1-based)."""

    name: str
    data: Any = None
    lines: dict[str, int] = dataclasses.field(default_factory=dict)

    def where(self, path: str) -> str:
        p = path
        while p:
            if p in self.lines:
                return f"{self.name}: {path} (line {self.lines[p]})"
            p = _parent(p)
        return f"{self.name}: {path}" if path else self.name

    def error(self, path: str, message: str) -> CatalogueError:
        return CatalogueError(self.where(path), message)


def _parent(path: str) -> str:
    m = re.match(r"^(.*?)(\[\d+\]|\.[^.\[\]]+)$", path)
    return m.group(1) if m else ""


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _parse(text: str, name: str) -> _Doc:
    doc = _Doc(name)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}: line {mark.line + 1}" if mark is not None else name
        raise CatalogueError(where, f"not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(name, f"not valid YAML: {exc}") from exc
    if node is None:
        raise CatalogueError(name, "the file is empty")
    constructor = yaml.SafeLoader("")

    def convert(n: yaml.Node, path: str) -> Any:
        doc.lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for k_node, v_node in n.value:
                if not isinstance(k_node, yaml.ScalarNode):
                    raise CatalogueError(f"{name}: {path or '<top>'} (line {k_node.start_mark.line + 1})", "bad key")
                k = constructor.construct_object(k_node)
                child = _join(path, k)
                if k in out:
                    raise CatalogueError(
                        f"{name}: {child} (line {k_node.start_mark.line + 1})",
                        f"duplicate key {k!r} (first at line {doc.lines.get(child, '?')})",
                    )
                doc.lines[child] = k_node.start_mark.line + 1
                out[k] = convert(v_node, child)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [convert(item, f"{path}[{i}]") for i, item in enumerate(n.value)]
        return constructor.construct_object(n)

    doc.data = convert(node, "")
    return doc


# ---- attribute readers --------------------------------------------------------------------------


def _string(doc: _Doc, value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise doc.error(path, f"expected a non-empty text, got {value!r}")
    return value.strip()


def _key(doc: _Doc, value: Any, path: str) -> str:
    key = _string(doc, value, path)
    if not _KEY.match(key):
        raise doc.error(path, f"bad key {key!r}: use lower-case letters, digits, '_', '.', '-'")
    return key


def _choice(doc: _Doc, value: Any, path: str, options: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise doc.error(path, f"unknown {what} {value!r}; expected one of: {', '.join(options)}")
    return value


def _choices(doc: _Doc, value: Any, path: str, options: tuple[str, ...], what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise doc.error(path, f"expected a list of {what}s, got {value!r}")
    out = [_choice(doc, v, f"{path}[{i}]", options, what) for i, v in enumerate(value)]
    if len(set(out)) != len(out):
        raise doc.error(path, f"a {what} is listed twice")
    return tuple(out)


def _number(doc: _Doc, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise doc.error(path, f"expected a number, got {value!r}")
    return float(value)


def _integer(doc: _Doc, value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise doc.error(path, f"expected a whole number, got {value!r}")
    return value


def _mapping(doc: _Doc, value: Any, path: str, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise doc.error(path, f"expected {what} (a mapping), got {type(value).__name__}")
    return value


def _text(doc: _Doc, value: Any, path: str) -> Text:
    m = _mapping(doc, value, path, "a text in " + " and ".join(_LANGUAGE_NAMES.values()))
    for lang in m:
        if lang not in LANGUAGES:
            raise doc.error(_join(path, lang), f"unknown language {lang!r}; expected {', '.join(LANGUAGES)}")
    for lang in LANGUAGES:
        if lang not in m:
            raise doc.error(_join(path, lang), f"missing {_LANGUAGE_NAMES[lang]} translation ({lang})")
        if not isinstance(m[lang], str) or not m[lang].strip():
            raise doc.error(_join(path, lang), f"empty {_LANGUAGE_NAMES[lang]} translation ({lang})")
    return Text(en=m["en"].strip(), de=m["de"].strip())


def _anchors(doc: _Doc, value: Any, path: str) -> dict[int, Text]:
    m = _mapping(doc, value, path, "anchors for the ratings 1, 3 and 5")
    for rating in m:
        if rating not in ANCHOR_RATINGS:
            raise doc.error(
                _join(path, rating), f"anchors are described for the ratings 1, 3 and 5 only, not {rating!r}"
            )
    out: dict[int, Text] = {}
    for rating in ANCHOR_RATINGS:
        if rating not in m:
            raise doc.error(_join(path, rating), f"missing anchor for rating {rating}")
        out[rating] = _text(doc, m[rating], _join(path, rating))
    return out


def _guardrail(doc: _Doc, value: Any, path: str) -> Guardrail:
    m = _mapping(doc, value, path, "a guardrail")
    _only(doc, m, path, ("key", "name", "unit", "direction", "threshold"))
    _require(doc, m, path, ("key", "name", "unit", "direction", "threshold"))
    return Guardrail(
        key=_key(doc, m["key"], _join(path, "key")),
        name=_text(doc, m["name"], _join(path, "name")),
        unit=_choice(doc, m["unit"], _join(path, "unit"), GUARDRAIL_UNITS, "unit"),
        direction=_choice(doc, m["direction"], _join(path, "direction"), GUARDRAIL_DIRECTIONS, "direction"),
        threshold=_number(doc, m["threshold"], _join(path, "threshold")),
    )


def _only(doc: _Doc, m: dict[Any, Any], path: str, allowed: tuple[str, ...]) -> None:
    for k in m:
        if k not in allowed:
            raise doc.error(_join(path, k), f"unknown attribute {k!r}; expected: {', '.join(allowed)}")


def _require(doc: _Doc, m: dict[Any, Any], path: str, required: tuple[str, ...]) -> None:
    for k in required:
        if k not in m:
            raise doc.error(_join(path, k), f"missing attribute {k!r}")


# ---- the condition language ---------------------------------------------------------------------


def _field_ref(doc: _Doc, value: Any, path: str, *, cell_only: bool = False) -> str:
    ref = _string(doc, value, path)
    parts = ref.split(".")
    ok_field = parts[0] in FIELDS or (parts[0] == "all" and not cell_only)
    ok = ok_field and ((len(parts) == 1 and not cell_only) or (len(parts) == 2 and parts[1] in PERSPECTIVES))
    if not ok:
        expected = "field.perspective" if cell_only else "field.perspective, field, all.perspective or all"
        raise doc.error(
            path,
            f"unknown field reference {ref!r}; expected {expected} with fields {', '.join(FIELDS)} "
            f"and perspectives {', '.join(PERSPECTIVES)}",
        )
    return ref


def _compare(doc: _Doc, m: dict[Any, Any], path: str) -> Compare:
    bounds = {k: _number(doc, m[k], _join(path, k)) for k in _COMPARISONS if k in m}
    if not bounds:
        raise doc.error(path, f"a comparison needs at least one of: {', '.join(_COMPARISONS)}")
    return Compare(**bounds)


def _condition(doc: _Doc, value: Any, path: str, *, allow_tension: bool) -> Condition:
    forms = ("all", "any", "not", "always", "field", "disagreement", "signal", "tension")
    m = _mapping(doc, value, path, "a condition")
    present = [f for f in forms if f in m]
    if len(present) != 1:
        raise doc.error(path, f"a condition needs exactly one of: {', '.join(forms)}; found {present or list(m)}")
    form = present[0]
    if form in ("all", "any"):
        _only(doc, m, path, (form,))
        items = m[form]
        if not isinstance(items, list) or not items:
            raise doc.error(_join(path, form), f"'{form}' needs a non-empty list of conditions")
        subs = tuple(
            _condition(doc, item, f"{_join(path, form)}[{i}]", allow_tension=allow_tension)
            for i, item in enumerate(items)
        )
        return AllOf(subs) if form == "all" else AnyOf(subs)
    if form == "not":
        _only(doc, m, path, ("not",))
        return NotCondition(_condition(doc, m["not"], _join(path, "not"), allow_tension=allow_tension))
    if form == "always":
        _only(doc, m, path, ("always",))
        if m["always"] is not True:
            raise doc.error(_join(path, "always"), "'always' must be true")
        return Always()
    if form == "field":
        _only(doc, m, path, ("field", *_COMPARISONS))
        return FieldCondition(_field_ref(doc, m["field"], _join(path, "field")), _compare(doc, m, path))
    if form == "disagreement":
        _only(doc, m, path, ("disagreement",))
        return DisagreementCondition(_field_ref(doc, m["disagreement"], _join(path, "disagreement"), cell_only=True))
    if form == "signal":
        _only(doc, m, path, ("signal", *_COMPARISONS))
        return SignalCondition(
            _choice(doc, m["signal"], _join(path, "signal"), SIGNALS, "signal"), _compare(doc, m, path)
        )
    if not allow_tension:
        raise doc.error(_join(path, "tension"), "phase rules cannot use tension fields")
    _only(doc, m, path, ("tension", "of", *_COMPARISONS))
    _require(doc, m, path, ("of",))
    return TensionCondition(
        _choice(doc, m["tension"], _join(path, "tension"), TENSION_FIELDS, "tension field"),
        _choice(doc, m["of"], _join(path, "of"), _TENSION_OF, "position"),
        _compare(doc, m, path),
    )


def _check_placeholders(doc: _Doc, text: Text, entry: str, inputs: tuple[str, ...]) -> None:
    """The reason's placeholders must name inputs of the condition; blame the reason if this file gives it,
    else the condition (an override of ``when`` that drops an input the existing reason needs)."""
    given = _join(entry, "reason") in doc.lines
    for lang in LANGUAGES:
        s = text.get(lang)
        where = _join(_join(entry, "reason"), lang) if given else _join(entry, "when")
        prefix = "" if given else f"the reason ({lang}): "
        for m in _PLACEHOLDER.finditer(s):
            name, spec = m.group(1), m.group(2)
            if name not in inputs:
                raise doc.error(
                    where,
                    f"{prefix}placeholder {{{name}}} names no input of the condition; "
                    f"inputs: {', '.join(inputs) or 'none'}",
                )
            if spec not in (None, "%"):
                raise doc.error(where, f"{prefix}placeholder {{{name}:{spec}}}: the only format is '%'")
        if "{" in _PLACEHOLDER.sub("", s) or "}" in _PLACEHOLDER.sub("", s):
            raise doc.error(where, f"{prefix}unbalanced '{{' or '}}' in the text")


# ---- sections -----------------------------------------------------------------------------------

_Parser = Callable[[_Doc, Any, str], Any]


@dataclass(frozen=True)
class _Section:
    cls: type[Any]
    attrs: dict[str, _Parser]
    closed: tuple[str, ...] | None  # the only keys allowed, in order; None = open set
    fixed: tuple[str, ...] = ()  # attributes an override may not change


def _cond_rule(doc: _Doc, v: Any, p: str) -> Condition:
    return _condition(doc, v, p, allow_tension=True)


def _cond_phase(doc: _Doc, v: Any, p: str) -> Condition:
    return _condition(doc, v, p, allow_tension=False)


_SECTIONS: dict[str, _Section] = {
    "signals": _Section(
        SignalDef,
        {"name": _text, "unit": lambda d, v, p: _choice(d, v, p, SIGNAL_UNITS, "unit")},
        SIGNALS,
    ),
    "fields": _Section(Field, {"name": _text, "corporate": _text, "operative": _text}, FIELDS),
    "tension_fields": _Section(
        TensionField,
        {
            "number": _integer,
            "left": _text,
            "right": _text,
            "left_dangers": _text,
            "right_dangers": _text,
        },
        TENSION_FIELDS,
        fixed=("number",),
    ),
    "logics": _Section(
        Logic,
        {
            "name": _text,
            "focus": _text,
            "means": _text,
            "benefits": _text,
            "dangers": _text,
            "guardrail": _guardrail,
        },
        LOGICS,
    ),
    "phases": _Section(
        Phase,
        {"number": _integer, "name": _text, "description": _text, "accents": _text},
        PHASES,
        fixed=("number",),
    ),
    "statements": _Section(
        Statement,
        {
            "field": lambda d, v, p: _choice(d, v, p, FIELDS, "field"),
            "perspective": lambda d, v, p: _choice(d, v, p, PERSPECTIVES, "perspective"),
            "text": _text,
            "anchors": _anchors,
        },
        None,
        fixed=("field", "perspective"),
    ),
    "topics": _Section(
        TopicTemplate,
        {"field": lambda d, v, p: _choice(d, v, p, FIELDS, "field"), "name": _text, "description": _text},
        None,
    ),
    "rules": _Section(
        Rule,
        {
            "logic": lambda d, v, p: _choice(d, v, p, LOGICS, "logic"),
            "when": _cond_rule,
            "reason": _text,
            "weight": _number,
            "phase": lambda d, v, p: _choices(d, v, p, PHASES, "phase"),
            "after": lambda d, v, p: _choices(d, v, p, LOGICS, "logic"),
            "combine_with": lambda d, v, p: _choices(d, v, p, LOGICS, "logic"),
            "timing": lambda d, v, p: _choice(d, v, p, TIMINGS, "timing"),
        },
        None,
    ),
    "phase_rules": _Section(
        PhaseRule,
        {
            "phase": lambda d, v, p: _choice(d, v, p, PHASES, "phase"),
            "when": _cond_phase,
            "reason": _text,
            "weight": _number,
        },
        None,
    ),
}
_OPTIONAL = {"phase", "after", "combine_with", "timing"}


def _merge_section(doc: _Doc, name: str, raw: Any, base: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[str, str]]:
    """Merge one section over ``base``; returns the entries and, per touched key, its path in ``doc``."""
    spec = _SECTIONS[name]
    if not isinstance(raw, list):
        raise doc.error(name, f"expected a list of entries, got {type(raw).__name__}")
    entries: dict[str, Any] = {item.key: item for item in base}
    touched: dict[str, str] = {}
    for i, entry in enumerate(raw):
        path = f"{name}[{i}]"
        m = _mapping(doc, entry, path, "an entry")
        _only(doc, m, path, ("key", *spec.attrs))
        _require(doc, m, path, ("key",))
        key = _key(doc, m["key"], _join(path, "key"))
        if key in touched:
            raise doc.error(_join(path, "key"), f"duplicate key {key!r} (first at {touched[key]})")
        if spec.closed is not None and key not in spec.closed:
            what = name.rstrip("s").replace("_", " ")
            raise doc.error(_join(path, "key"), f"unknown {what} {key!r}; expected one of: {', '.join(spec.closed)}")
        touched[key] = path
        attrs = {a: parse(doc, m[a], _join(path, a)) for a, parse in spec.attrs.items() if a in m}
        if "number" in attrs and spec.closed is not None and attrs["number"] != spec.closed.index(key) + 1:
            raise doc.error(_join(path, "number"), f"{key!r} has number {spec.closed.index(key) + 1} in the concept")
        if key in entries:
            old = entries[key]
            for a in spec.fixed:
                if a in attrs and attrs[a] != getattr(old, a):
                    raise doc.error(_join(path, a), f"{a} of the existing entry {key!r} cannot change")
            entries[key] = dataclasses.replace(old, **attrs)
        else:
            _require(doc, m, path, tuple(a for a in spec.attrs if a not in _OPTIONAL))
            entries[key] = spec.cls(key=key, **attrs)
    items = list(entries.values())
    if spec.closed is not None:
        order = spec.closed
        items.sort(key=lambda item: order.index(item.key))
    return tuple(items), touched


def _check_rules(doc: _Doc, cat: Catalogue, touched: dict[str, dict[str, str]]) -> None:
    for section, rules in (("rules", cat.rules), ("phase_rules", cat.phase_rules)):
        for rule in rules:
            path = touched.get(section, {}).get(rule.key)
            if path is None:
                continue
            _check_placeholders(doc, rule.reason, path, condition_inputs(rule.when))
            if isinstance(rule, Rule):
                for attr in ("after", "combine_with"):
                    if rule.logic in getattr(rule, attr):
                        raise doc.error(_join(path, attr), f"a rule for {rule.logic!r} cannot name it in {attr}")
    # the order constraints of all rules together must not form a cycle
    edges: dict[str, set[str]] = {}
    for rule in cat.rules:
        edges.setdefault(rule.logic, set()).update(rule.after)
    cycle = _find_cycle(edges)
    if cycle:
        culprit = next(
            (
                touched["rules"][r.key]
                for r in cat.rules
                if r.key in touched.get("rules", {}) and r.logic in cycle and set(r.after) & set(cycle)
            ),
            "rules",
        )
        raise doc.error(
            _join(culprit, "after") if culprit != "rules" else culprit, f"'after' forms a cycle: {' -> '.join(cycle)}"
        )


def _find_cycle(edges: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


def _merge(doc: _Doc, base: Catalogue, *, builtin: bool = False) -> Catalogue:
    data = _mapping(doc, doc.data, "", "a catalogue document")
    for k in data:
        if k != "version" and k not in SECTIONS:
            raise doc.error(str(k), f"unknown section {k!r}; expected: version, {', '.join(SECTIONS)}")
    version = base.version
    if "version" in data:
        v = data["version"]
        if isinstance(v, bool) or not isinstance(v, str | int | float) or not str(v).strip():
            raise doc.error("version", f"expected a version text, got {v!r}")
        version = f"{base.version}+{v}" if base.version and not builtin else str(v)
    elif base.version and not builtin:
        version = f"{base.version}+{Path(doc.name).stem}"
    values: dict[str, Any] = {}
    touched: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        if section in data:
            values[section], touched[section] = _merge_section(doc, section, data[section], getattr(base, section))
    cat = dataclasses.replace(base, version=version, sources=(*base.sources, doc.name), **values)
    _check_rules(doc, cat, touched)
    return cat


def _check_complete(cat: Catalogue, where: str) -> None:
    """The merged catalogue must cover every closed set and every field x perspective cell."""
    for section, keys in (
        ("signals", SIGNALS),
        ("fields", FIELDS),
        ("tension_fields", TENSION_FIELDS),
        ("logics", LOGICS),
        ("phases", PHASES),
    ):
        have = {item.key for item in getattr(cat, section)}
        missing = [k for k in keys if k not in have]
        if missing:
            raise CatalogueError(f"{where}: {section}", f"incomplete: missing {', '.join(missing)}")
    for f in FIELDS:
        for p in PERSPECTIVES:
            if not cat.statements_of(f, p):
                raise CatalogueError(f"{where}: statements", f"no statement for {f}.{p}")


_EMPTY = Catalogue(
    version="",
    fields=(),
    statements=(),
    tension_fields=(),
    logics=(),
    phases=(),
    topics=(),
    rules=(),
)


def _builtin_docs() -> Iterator[_Doc]:
    folder = resources.files("kampass.core.concept") / "data"
    for name in BUILTIN_FILES:
        yield _parse((folder / name).read_text(encoding="utf-8"), name)


@cache
def builtin_catalogue() -> Catalogue:
    """The built-in catalogue, complete in English and German (read once, then cached).

    Examples
    --------
    >>> cat = builtin_catalogue()
    >>> len(cat.fields), len(cat.tension_fields), len(cat.logics), len(cat.phases)
    (6, 9, 8, 4)
    >>> cat.logic("commercialisation").guardrail.key
    'leakage_share'
    >>> cat.phase("install").name.get("de")
    'Installieren'
    """
    cat = _EMPTY
    for doc in _builtin_docs():
        cat = _merge(doc, cat, builtin=True)
    _check_complete(cat, "built-in catalogue")
    return cat


def load_catalogue(path: Path, base: Catalogue | None = None) -> Catalogue:
    """Merge the extension or translation file ``path`` over ``base`` (default: the built-in catalogue).

    Nothing is changed when the file is refused: ``base`` is immutable and a new catalogue is
    returned only when the whole file is valid.

    Raises
    ------
    CatalogueError
        naming file, path inside the document and line, for: unknown field, perspective, tension
        field, logic, phase, signal or attribute; a missing or empty translation; bad anchors; a
        duplicate key; a malformed rule (condition, placeholder, weight, order cycle); bad YAML.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "acme.yaml"
    ...     _ = p.write_text("version: acme-1\\nphases:\\n  - key: focus\\n    name: {en: Focus, de: Fokus!}\\n")
    ...     cat = load_catalogue(p)
    >>> cat.phase("focus").name.de, cat.version.endswith("+acme-1")
    ('Fokus!', True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "bad.yaml"
    ...     _ = p.write_text("phases:\\n  - key: focus\\n    name: {en: Focus}\\n")
    ...     load_catalogue(p)
    Traceback (most recent call last):
    ...
    kampass.core.concept.loader.CatalogueError: bad.yaml: phases[0].name.de (line 3): missing German translation (de)
    """
    base = builtin_catalogue() if base is None else base
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path.name, f"cannot read the file: {exc}") from exc
    doc = _parse(text, path.name)
    cat = _merge(doc, base)
    _check_complete(cat, path.name)
    return cat
