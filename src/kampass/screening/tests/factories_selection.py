"""Factories of the selection portfolio tests: a published catalogue (small or the default one)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kampass.screening import services_selection as services
from kampass.screening.models.selection import Catalogue
from kampass.users.models import Role, User


def _head() -> User:
    from kampass.accounts.tests.factories import UserFactory

    return User.objects.filter(role=Role.HEAD).first() or UserFactory(role=Role.HEAD, username="selection-head")


def spec(key: str, dimension: str, kind: str = "rated", weight: str = "1", label: str = "") -> services.CriterionSpec:
    return services.CriterionSpec(key, label or key.replace("_", " ").title(), dimension, kind, Decimal(weight))


def small_catalogue(*, actor: Any = None, **kwargs: Any) -> Catalogue:
    """Purchase volume (computed, weight 2) and strategic fit (rated, 1) for attractiveness; win rate
    (computed, 1) and satisfaction (rated, 1) for position."""
    criteria = [
        spec("purchase_volume", "attractiveness", "computed", "2"),
        spec("strategic_fit", "attractiveness", "rated", "1"),
        spec("win_rate", "position", "computed", "1"),
        spec("satisfaction", "position", "rated", "1"),
    ]
    return services.catalogue_publish(actor=actor or _head(), criteria=criteria, **kwargs)


def default_catalogue(*, actor: Any = None) -> Catalogue:
    return services.catalogue_publish(actor=actor or _head(), criteria=services.default_criteria())
