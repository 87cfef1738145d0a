"""What other contexts may ask of the programme context (see the programme/roadmap contract).

``current_signals()`` collects the facts kampass knows about the KAM programme for the
recommender and the current values of the guardrail metrics; ``current_phase()`` is the phase
the head of KAM confirmed last. Other contexts are asked through their facades, imported
lazily and guarded, so this works whichever of them exist.

Signals and their units (``None`` = not computable from the data):

* ``key_accounts`` (count): accounts with KAM status key account or strategic account;
* ``kams_appointed`` (count): from the organisation context, else the distinct users in the
  team role key account manager on a key account;
* ``accounts_with_team_share`` (share 0..1): key accounts with a key account manager on their team;
* ``account_heterogeneity`` (0..1): Gini-Simpson diversity of the key accounts' industries
  (0 = all alike, towards 1 = all different); ``None`` below two key accounts;
* ``leakage_share`` and ``profitability_trend`` come from the commercial facade (one definition:
  leakage share of gross revenue, as on the profitability pages);
* the rest (``accounts_with_plan_share``, ``reviews_held``, pipeline, organisation and roadmap
  keys) come from the facades of those contexts where they exist.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from kampass.core.concept import SIGNALS

log = logging.getLogger(__name__)

KEY_STATUSES = ("key_account", "strategic")


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


def _account_signals() -> dict[str, float | None]:
    from kampass.accounts.models import Account, TeamMember, TeamRole

    keys = Account.objects.filter(kam_status__in=KEY_STATUSES)
    n = keys.count()
    kam_rows = TeamMember.objects.filter(account__kam_status__in=KEY_STATUSES, role=TeamRole.KAM)
    with_team = kam_rows.values("account_id").distinct().count()
    industries = Counter(i or "" for i in keys.values_list("industry", flat=True))
    heterogeneity = None
    if n >= 2:
        heterogeneity = 1.0 - sum((c / n) ** 2 for c in industries.values())
    return {
        "key_accounts": float(n),
        "kams_appointed": float(kam_rows.values("user_id").distinct().count()),
        "accounts_with_team_share": (with_team / n) if n else None,
        "account_heterogeneity": heterogeneity,
    }


def current_signals() -> dict[str, float | None]:
    """The facts for the recommender and the current values of every guardrail metric of the catalogue."""
    from kampass.programme.catalogue import active_catalogue

    signals: dict[str, float | None] = dict.fromkeys(SIGNALS)
    catalogue = active_catalogue()
    for logic in catalogue.logics:
        signals.setdefault(logic.guardrail.key, None)
    signals.update(_account_signals())
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
