"""factory_boy factories for the organisation context."""

from __future__ import annotations

import factory

from kampass.common.factories import ModelFactory
from kampass.organisation.models import Competence, DevelopmentAction, FunctionRole, ProcessActivity


class ActivityFactory(ModelFactory[ProcessActivity]):
    class Meta:
        model = ProcessActivity

    key = factory.Sequence(lambda n: f"activity-{n}")
    name_en = factory.Sequence(lambda n: f"Activity {n}")


class RoleFactory(ModelFactory[FunctionRole]):
    class Meta:
        model = FunctionRole

    key = factory.Sequence(lambda n: f"role-{n}")
    name_en = factory.Sequence(lambda n: f"Role {n}")


class CompetenceFactory(ModelFactory[Competence]):
    class Meta:
        model = Competence

    key = factory.Sequence(lambda n: f"competence-{n}")
    name_en = factory.Sequence(lambda n: f"Competence {n}")


class ActionFactory(ModelFactory[DevelopmentAction]):
    class Meta:
        model = DevelopmentAction

    title = factory.Sequence(lambda n: f"Action {n}")
    status = "planned"
