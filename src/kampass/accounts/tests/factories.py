"""factory_boy factories for the accounts context.

Accounts must be created through ``account_create`` (it maintains the
hierarchy path), so ``AccountFactory`` calls the service.
"""

from __future__ import annotations

from typing import Any

import factory

from kampass.accounts.models import Account, BuyingCentreMember, Contact, Coverage, Position, TeamMember
from kampass.common.factories import ModelFactory
from kampass.users.models import Role, User


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.KAM
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")


class AccountFactory(ModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    industry = "Machinery"
    country = "DE"
    parent = None

    @classmethod
    def _create(cls, model_class: type[Account], *args: Any, **kwargs: Any) -> Account:
        from kampass.accounts.services import account_create

        actor = (
            kwargs.pop("actor", None)
            or User.objects.filter(role=Role.ADMIN).first()
            # fixed names: a random one (Faker) could match what a test searches users for
            or UserFactory(role=Role.ADMIN, username="factory-admin", first_name="Factory", last_name="Admin")
        )
        return account_create(actor=actor, **kwargs)


class ContactFactory(ModelFactory[Contact]):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class PositionFactory(ModelFactory[Position]):
    class Meta:
        model = Position

    contact = factory.SubFactory(ContactFactory)
    account = factory.SubFactory(AccountFactory)
    title = "Head of Purchasing"


class BuyingCentreMemberFactory(ModelFactory[BuyingCentreMember]):
    class Meta:
        model = BuyingCentreMember

    account = factory.SubFactory(AccountFactory)
    contact = factory.SubFactory(ContactFactory)
    roles = factory.LazyFunction(lambda: ["decider"])
    influence = 8


class TeamMemberFactory(ModelFactory[TeamMember]):
    class Meta:
        model = TeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = "kam"


class CoverageFactory(ModelFactory[Coverage]):
    class Meta:
        model = Coverage

    team_member = factory.SubFactory(TeamMemberFactory)
    contact = factory.SubFactory(ContactFactory)
    level_now = 2
    level_target = 3
