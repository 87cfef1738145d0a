"""What other contexts may ask of the programme context (see the programme/roadmap contract).

``current_signals()`` collects the facts kampass knows about the KAM programme for the
recommender and the current values of the guardrail metrics; ``current_phase()`` is the phase
the head of KAM confirmed last. Other contexts are asked through their facades, imported
lazily and guarded, so this works whichever of them exist.

Signals and their units (``None`` = not computable from the data):

* ``key_accounts``, ``kams_appointed``, ``accounts_with_team_share`` and ``account_heterogeneity``
  come from the accounts facade (``kams_appointed`` is replaced by the organisation's count where
  that context has one);
* ``leakage_share`` and ``profitability_trend`` come from the commercial facade (one definition:
  leakage share of gross revenue, as on the profitability pages);
* the rest (``accounts_with_plan_share``, ``reviews_held``, pipeline, organisation and roadmap
  keys) come from the facades of those contexts where they exist.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from kampass.core.concept import SIGNALS

log = logging.getLogger(__name__)


def _facade_signals(module: str) -> dict[str, float | None]:
    """``programme_signals()`` of another context's facade, if that facade and function exist."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return {}
    fn: Callable[[], dict[str, Any]] | None = getattr(mod, "programme_signals", None)
    if fn is None:
        return {}
    try:
        found = fn()
    except Exception:  # a broken neighbour must not break the programme pages
        log.exception("%s.programme_signals() failed", module)
        return {}
    return {str(k): (None if v is None else float(v)) for k, v in dict(found).items()}


def current_signals() -> dict[str, float | None]:
    """The facts for the recommender and the current values of every guardrail metric of the catalogue."""
    from kampass.accounts import facade as accounts_facade
    from kampass.programme.catalogue import active_catalogue

    signals: dict[str, float | None] = dict.fromkeys(SIGNALS)
    catalogue = active_catalogue()
    for logic in catalogue.logics:
        signals.setdefault(logic.guardrail.key, None)
    signals.update(accounts_facade.programme_signals())
    for module in (
        "kampass.commercial.facade",
        "kampass.pipeline.facade",
        "kampass.organisation.facade",
        "kampass.roadmap.facade",
    ):
        for key, value in _facade_signals(module).items():
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
