"""Factories for the pipeline tests. Opportunities are created through the service (it records
the first stage and the outcome), so the factory calls ``opportunity_create``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, UserFactory
from kampass.pipeline.models import Opportunity, Stage
from kampass.pipeline.services import default_stage_set, opportunity_create
from kampass.users.models import Role, User


def admin_actor() -> User:
    return User.objects.filter(role=Role.ADMIN).first() or UserFactory(role=Role.ADMIN, username="pipeline-admin")


def stage(name: str) -> Stage:
    """A stage of the default sales process by name."""
    return default_stage_set().stages.get(name=name)


def make_opportunity(
    *,
    account: Account | None = None,
    name: str = "Line retrofit",
    amount: Decimal | int | str = Decimal("100000"),
    stage_name: str | None = None,
    actor: Any = None,
    **fields: Any,
) -> Opportunity:
    fields.setdefault("expected_close_date", dt.date(2030, 3, 31))
    if stage_name == "Closed Lost":
        fields.setdefault("reason", "Price")
    return opportunity_create(
        actor=actor or admin_actor(),
        account=account or AccountFactory(),
        name=name,
        amount=amount,
        stage=stage(stage_name) if stage_name else None,
        **fields,
    )


def make_unlinked(
    *,
    company_name: str = "Neu GmbH",
    name: str = "Retrofit",
    amount: Decimal | int | str = Decimal("2500"),
    stage_name: str = "Prospecting",
    **fields: Any,
) -> Any:
    """An opportunity without an account, as ``kampass import opportunities --link keep`` keeps one."""
    from kampass.pipeline.models import UnlinkedOpportunity

    st = stage(stage_name)
    fields.setdefault("external_id", f"X{UnlinkedOpportunity.objects.count() + 1}")
    fields.setdefault("source", "import")
    fields.setdefault("created_on", dt.date(2029, 1, 2))
    fields.setdefault("expected_close_date", dt.date(2029, 6, 30))
    if st.kind != "open":
        fields.setdefault("outcome", st.kind)
        fields.setdefault("closed_on", dt.date(2029, 2, 15))
    return UnlinkedOpportunity.objects.create(
        company_name=company_name, name=name, amount=Decimal(str(amount)), stage=st, stage_name=st.name, **fields
    )
