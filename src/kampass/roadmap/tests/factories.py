"""factory_boy factories for the roadmap context (initiatives and topics are written directly; the
services are tested on their own)."""

from __future__ import annotations

import datetime as dt

import factory

from kampass.common.factories import ModelFactory
from kampass.roadmap.models import GuardrailMeasurement, Initiative, Topic


class InitiativeFactory(ModelFactory[Initiative]):
    class Meta:
        model = Initiative

    logic = "commercialisation"
    title = factory.Sequence(lambda n: f"Initiative {n}")
    status = "active"
    starts = dt.date(2026, 1, 1)
    ends = dt.date(2026, 12, 31)
    guardrail_key = "leakage_share"
    guardrail_unit = "share"
    guardrail_threshold = 0.08
    guardrail_direction = "max"


class MeasurementFactory(ModelFactory[GuardrailMeasurement]):
    class Meta:
        model = GuardrailMeasurement

    initiative = factory.SubFactory(InitiativeFactory)
    key = factory.LazyAttribute(lambda m: m.initiative.guardrail_key)
    value = 0.05
    threshold = factory.LazyAttribute(lambda m: m.initiative.guardrail_threshold)
    direction = factory.LazyAttribute(lambda m: m.initiative.guardrail_direction)
    warning = False
    measured_at = factory.Sequence(lambda n: dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n))


class TopicFactory(ModelFactory[Topic]):
    class Meta:
        model = Topic

    field = "screening"
    title = factory.Sequence(lambda n: f"Topic {n}")
    impact = 3
    effort = 3
    status = "proposed"
