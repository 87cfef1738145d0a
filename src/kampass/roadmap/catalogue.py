"""The parts of the concept catalogue the roadmap uses, in the user's language.

Logic and field names, the default guardrail of each logic, the unit of a
guardrail metric and the improvement-topic templates all come from
the programme's running catalogue (the built-in catalogue with the administrator's
extension, if one is installed), handed over through
:func:`kampass.roadmap.facade.connect_programme`; this module only picks the
language and shapes them for forms and pages.
"""

from __future__ import annotations

from typing import Any

from kampass.common.i18n import ui_language as lang  # the catalogue's language is the UI's
from kampass.core.concept import FIELDS, LOGICS, builtin_catalogue


def catalogue() -> Any:
    """The running concept catalogue (from the programme, see :func:`kampass.roadmap.facade.connect_programme`)."""
    from kampass.roadmap.facade import programme_source

    source = programme_source()
    return source.catalogue() if source is not None else builtin_catalogue()


def logic_name(key: str, language: str | None = None) -> str:
    """The name of a logic (its key when the catalogue does not know it)."""
    for logic in catalogue().logics:
        if logic.key == key:
            return str(logic.name.get(language or lang()))
    return key


def logic_choices() -> list[tuple[str, str]]:
    """(key, name) of the logics, in the concept's order."""
    by_key = {lg.key: lg for lg in catalogue().logics}
    return [(k, str(by_key[k].name.get(lang())) if k in by_key else k) for k in LOGICS]


def field_name(key: str, language: str | None = None) -> str:
    for f in catalogue().fields:
        if f.key == key:
            return str(f.name.get(language or lang()))
    return key


def field_choices() -> list[tuple[str, str]]:
    by_key = {f.key: f for f in catalogue().fields}
    return [(k, str(by_key[k].name.get(lang())) if k in by_key else k) for k in FIELDS]


def default_guardrail(logic: str) -> Any | None:
    """The catalogue guardrail of a logic (key, name, unit, direction, threshold), or ``None``."""
    for lg in catalogue().logics:
        if lg.key == logic:
            return lg.guardrail
    return None


def metric_units() -> dict[str, str]:
    """Unit of every metric an initiative may watch: the logics' guardrails and the documented signals."""
    units: dict[str, str] = {}
    for sig in getattr(catalogue(), "signals", ()) or ():
        units[sig.key] = sig.unit
    for lg in catalogue().logics:
        units[lg.guardrail.key] = lg.guardrail.unit
    return units


def metric_name(key: str, language: str | None = None) -> str:
    """Readable name of a guardrail metric (its key when unknown)."""
    language = language or lang()
    for lg in catalogue().logics:
        if lg.guardrail.key == key:
            return str(lg.guardrail.name.get(language))
    for sig in getattr(catalogue(), "signals", ()) or ():
        if sig.key == key:
            return str(sig.name.get(language))
    return key


def metric_choices() -> list[tuple[str, str]]:
    """(key, name) of the metrics an initiative may watch, logics' guardrails first."""
    seen: dict[str, str] = {}
    for lg in catalogue().logics:
        seen.setdefault(lg.guardrail.key, str(lg.guardrail.name.get(lang())))
    for sig in getattr(catalogue(), "signals", ()) or ():
        seen.setdefault(sig.key, str(sig.name.get(lang())))
    return list(seen.items())


def topic_templates() -> list[Any]:
    return list(catalogue().topics)


def topic_template(key: str) -> Any | None:
    for t in catalogue().topics:
        if t.key == key:
            return t
    return None
