"""factory_boy factories for the accounts context.

Accounts must be created through ``account_create`` (it maintains the
hierarchy path), so ``AccountFactory`` calls the service.
"""

from __future__ import annotations

from typing import Any

import factory

from kampass.accounts.models import Account, BuyingCentreMember, Contact, Coverage, Position, TeamMember
from kampass.users.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.KAM
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")


class AccountFactory(factory.django.DjangoModelFactory):
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
            or UserFactory(role=Role.ADMIN, username="factory-admin")
        )
        return account_create(actor=actor, **kwargs)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    contact = factory.SubFactory(ContactFactory)
    account = factory.SubFactory(AccountFactory)
    title = "Head of Purchasing"


class BuyingCentreMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyingCentreMember

    account = factory.SubFactory(AccountFactory)
    contact = factory.SubFactory(ContactFactory)
    roles = factory.LazyFunction(lambda: ["decider"])
    influence = 8


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = "kam"


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    team_member = factory.SubFactory(TeamMemberFactory)
    contact = factory.SubFactory(ContactFactory)
    level_now = 2
    level_target = 3
