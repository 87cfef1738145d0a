"""What other contexts may ask of the programme context (see the programme/roadmap contract).

``current_signals()`` collects the facts kampass knows about the KAM programme for the
recommender and the current values of the guardrail metrics; ``current_phase()`` is the phase
the head of KAM confirmed last. Other contexts are asked through their facades, imported
lazily and guarded, so this works whichever of them exist.

Signals and their units (``None`` = not computable from the data):

* ``key_accounts``, ``kams_appointed`` and ``accounts_with_team_share`` come from the accounts facade
  (``kams_appointed`` is replaced by the organisation's count where that context has one);
* ``account_heterogeneity`` (score 0..1: the probability that two key accounts drawn at random fall into
  different segments; with the selection portfolio also over its quadrants, the mean of both),
  ``key_account_segments`` (count), ``segment_separation`` (silhouette -1..1) and
  ``key_accounts_segmented_share`` (share) come from the screening facade (the current segment run);
* ``leakage_share`` and ``profitability_trend`` come from the commercial facade (one definition:
  leakage share of gross revenue, as on the profitability pages);
* ``solution_reuse_share`` and ``innovation_revenue_effort_ratio`` come from the solutions facade;
* ``potential_optimism`` (KAMs' own potential estimates against the model's wallets) comes from the
  screening facade;
* the rest (``accounts_with_plan_share``, ``reviews_held``, pipeline, organisation and roadmap
  keys) come from the facades of those contexts where they exist.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from kampass.common.search import SearchHit
from kampass.core.concept import SIGNALS as _SIGNALS

_log = logging.getLogger(__name__)


def _facade_signals(module: str) -> dict[str, float | None]:
    """``programme_signals()`` of the facade named ``module``, if that facade and function exist."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return {}
    return signals_of(mod)


def signals_of(facade: ModuleType) -> dict[str, float | None]:
    """``programme_signals()`` of another context's facade module, if it has that function; a
    failing neighbour gives no signals (it must not break the programme pages). Computed once per
    page request (:mod:`kampass.common.request_memo`): the dashboard asks for them from several places."""
    from kampass.common.request_memo import memoised

    return dict(memoised(("programme_signals", facade.__name__), lambda: _signals_of(facade)))


def _signals_of(facade: ModuleType) -> dict[str, float | None]:
    fn: Callable[[], dict[str, Any]] | None = getattr(facade, "programme_signals", None)
    if fn is None:
        return {}
    try:
        found = fn()
    except Exception:  # a broken neighbour must not break the programme pages
        _log.exception("%s.programme_signals() failed", facade.__name__)
        return {}
    return {str(k): (None if v is None else float(v)) for k, v in dict(found).items()}


def current_signals(keys: Iterable[str] | None = None) -> dict[str, float | None]:
    """The facts for the recommender and the current values of every guardrail metric of the catalogue
    (once per page request, :mod:`kampass.common.request_memo`).

    With ``keys``, a page that shows only some values (the portfolio: the leakage share) asks the
    contexts' facades in the usual order only until each of those keys has a value; the other signals may then be
    ``None`` (each facade's signals are still computed once per request)."""
    from kampass.common.request_memo import memoised

    if keys is not None:
        return _current_signals(wanted=set(keys))
    return dict(memoised("programme_current_signals", _current_signals))


def _current_signals(wanted: set[str] | None = None) -> dict[str, float | None]:
    from kampass.accounts import facade as accounts_facade
    from kampass.programme.catalogue import active_catalogue

    signals: dict[str, float | None] = dict.fromkeys(_SIGNALS)
    catalogue = active_catalogue()
    for logic in catalogue.logics:
        signals.setdefault(logic.guardrail.key, None)
    signals.update(accounts_facade.programme_signals())
    # the programme reads the other contexts through their facades (imported here, not at module
    # level: a facade imports its models, and this module is imported when the app registry loads)
    from kampass.commercial import facade as commercial_facade
    from kampass.organisation import facade as organisation_facade
    from kampass.pipeline import facade as pipeline_facade
    from kampass.planning import facade as planning_facade
    from kampass.roadmap import facade as roadmap_facade
    from kampass.screening import facade as screening_facade
    from kampass.solutions import facade as solutions_facade

    modules = (
        commercial_facade,
        pipeline_facade,
        organisation_facade,
        roadmap_facade,
        planning_facade,
        solutions_facade,
        screening_facade,
    )
    for module in modules:
        if wanted is not None and all(signals.get(key) is not None for key in wanted):
            break
        for key, value in signals_of(module).items():
            if value is not None or key not in signals:
                signals[key] = value
    return signals


def current_phase() -> str | None:
    """The phase confirmed by the head of KAM most recently; ``None`` if never confirmed."""
    from kampass.programme.models import PhaseDecision

    decision = PhaseDecision.objects.order_by("-decided_at", "-pk").first()
    return decision.phase if decision else None


def active_catalogue() -> Any:
    """The running concept catalogue (built-in, merged with the administrator's extension if installed)."""
    from kampass.programme.catalogue import active_catalogue as active

    return active()


def search_concept(*, user: Any, q: str, limit: int) -> list[SearchHit]:
    """The global search's reference texts (``kampass.common.search``): the entries of the running concept
    catalogue (fields, tension fields, logics, phases) whose name or text in the user's language contains
    ``q``, each linking to its place on the concept page. Every user may read them; no query."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from kampass.common.i18n import ui_language
    from kampass.core.concept.search import search_concept as search_catalogue

    kinds = {
        "field": gettext("Field"),
        "tension_field": gettext("Tension field"),
        "logic": gettext("Logic of realisation"),
        "phase": gettext("Phase"),
    }
    anchors = {"field": "field", "tension_field": "tension", "logic": "logic", "phase": "phase"}
    page = reverse("programme-concept")
    return [
        SearchHit(title=e.name, subtitle=kinds[e.kind], url=f"{page}#{anchors[e.kind]}-{e.key}")
        for e in search_catalogue(active_catalogue(), q, lang=ui_language(), limit=limit)
    ]
