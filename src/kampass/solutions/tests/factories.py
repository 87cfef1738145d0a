"""Factories for the solutions tests (and for other contexts' tests that need solutions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from kampass.common.factories import ModelFactory
from kampass.solutions.models import Initiative, Solution, SolutionStatus
from kampass.users.models import Role, User


def _admin() -> User:
    from kampass.accounts.tests.factories import UserFactory

    return User.objects.filter(role=Role.ADMIN).first() or UserFactory(role=Role.ADMIN, username="solutions-admin")


class SolutionFactory(ModelFactory[Solution]):
    class Meta:
        model = Solution

    name = factory.Sequence(lambda n: f"Solution {n}")
    problem = "Unplanned stops"
    segments = "Machinery"
    status = SolutionStatus.ACTIVE


def key_account(name: str = "", **fields: Any) -> Any:
    """A key account (created through the accounts service)."""
    from kampass.accounts.tests.factories import AccountFactory

    if name:
        fields["name"] = name
    return AccountFactory(kam_status=fields.pop("kam_status", "key_account"), **fields)


def make_initiative(*, accounts: list[Any], actor: Any = None, **fields: Any) -> Initiative:
    """An initiative created through the service (it records the first stage)."""
    from kampass.solutions.services import initiative_create

    fields.setdefault("name", "Predictive maintenance pilot")
    fields.setdefault("starts", dt.date(2011, 1, 1))
    fields.setdefault("effort_hours", Decimal("100"))
    fields.setdefault("effort_cost", Decimal("1000"))
    return initiative_create(actor=actor or _admin(), account_ids=[a.pk for a in accounts], **fields)
