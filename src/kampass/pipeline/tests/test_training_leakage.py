"""Retraining refuses a feature the leakage guard flags unless the user confirms it (issue 12)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kampass.pipeline.models import ModelVersion
from kampass.pipeline.services import model_train
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def deals_with_final_amounts(account):
    """Closed deals carrying their final amount (lost deals 0), open deals carrying estimates."""
    for i in range(40):
        lost = i % 3 == 0
        make_opportunity(
            account=account,
            name=f"Deal {i}",
            amount=0 if lost else 10000 + 1000 * i,
            stage_name="Closed Lost" if lost else "Closed Won",
            lead_source=["Web", "Fair"][i % 2],
        )
    for i in range(5):
        make_opportunity(account=account, name=f"Open {i}", amount=20000 + i, stage_name="Negotiation/Review")


def test_training_refuses_final_amounts_with_the_evidence(head, group):
    deals_with_final_amounts(group)
    with pytest.raises(ValidationError) as refused:
        model_train(actor=head)
    message = " ".join(refused.value.messages)
    assert "amount" in message
    assert "0 or empty for 100 % of lost and 0 % of won deals" in message
    assert "--allow-feature" in message
    assert not ModelVersion.objects.exists()


def test_a_confirmed_feature_is_trained_on(head, group):
    deals_with_final_amounts(group)
    version = model_train(actor=head, allow_features=["amount"])
    assert version.active
    assert "amount" in version.features


def test_the_train_command_refuses_and_accepts_the_confirmation(head, group):
    deals_with_final_amounts(group)
    with pytest.raises(CommandError, match="Training refused: amount"):
        call_command("forecast", "train", "--quiet", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("forecast", "train", "--quiet", "--allow-feature", "amount", stdout=out, stderr=io.StringIO())
    assert "trained on 40 closed opportunities" in out.getvalue()
