"""Sales processes: creating one, changing a stage, and who may."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.pipeline.models import StageSet
from kampass.pipeline.services import default_stage_set, stage_set_create, stage_update
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

SHORT = [("Quote", 40, "open"), ("Order", 100, "won"), ("No order", 0, "lost")]


def test_head_creates_a_process_and_makes_it_the_default(head, group):
    stage_set = stage_set_create(actor=head, name="Repeat orders", stages=SHORT, is_default=True)
    assert [(s.order, s.name, s.kind) for s in stage_set.stages.all()] == [
        (1, "Quote", "open"),
        (2, "Order", "won"),
        (3, "No order", "lost"),
    ]
    assert default_stage_set() == stage_set
    assert StageSet.objects.filter(is_default=True).count() == 1
    assert make_opportunity(account=group).stage.name == "Quote"


def test_a_process_needs_open_won_and_lost_stages_and_unique_names(head):
    with pytest.raises(ValidationError) as exc:
        stage_set_create(actor=head, name="X", stages=SHORT[:2])
    assert "stages" in exc.value.message_dict
    with pytest.raises(ValidationError):
        stage_set_create(actor=head, name="Standard sales process", stages=SHORT)


def test_stage_update_and_denials(head, kam):
    stage = default_stage_set().stages.get(name="Qualification")
    stage_update(actor=head, stage=stage, probability=15, late=True)
    stage.refresh_from_db()
    assert (stage.probability, stage.late) == (15, True)
    with pytest.raises(ValidationError):
        stage_update(actor=head, stage=stage, probability=150)
    with pytest.raises(PermissionDenied):
        stage_update(actor=kam, stage=stage, probability=20)
    with pytest.raises(PermissionDenied):
        stage_set_create(actor=kam, name="Mine", stages=SHORT)
