"""Validation of the pipeline forms (before any service is called)."""

from __future__ import annotations

from typing import cast

from django import forms

from kampass.pipeline.forms import OpportunityForm, QualificationForm, RiskForm, StageChangeForm
from kampass.pipeline.tests.factories import make_opportunity, stage


def test_opportunity_form_rejects_negative_amounts_and_probabilities_over_100(group):
    form = OpportunityForm(
        {"name": "  ", "account": group.pk, "amount": "-1", "owner_probability": "101", "forecast_category": "x"}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"name", "amount", "owner_probability", "forecast_category"}


def test_opportunity_form_offers_only_open_stages_on_creation_and_none_on_edit(group):
    form = OpportunityForm(creating=True)
    stages = cast(forms.ModelChoiceField, form.fields["stage"]).queryset
    assert stages is not None
    kinds = {s.kind for s in stages}
    assert kinds == {"open"}
    assert "stage" not in OpportunityForm(creating=False).fields


def test_opportunity_form_service_data_leaves_out_an_empty_currency_and_stage(group):
    form = OpportunityForm({"name": "Hall", "account": group.pk, "amount": "10", "forecast_category": "pipeline"})
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert "currency" not in data
    assert "stage" not in data
    assert data["account"] == group


def test_stage_change_form_needs_a_reason_for_lost_and_excludes_the_current_stage(group):
    opportunity = make_opportunity(account=group)
    form = StageChangeForm({"stage": stage("Closed Lost").pk}, opportunity=opportunity)
    assert not form.is_valid()
    assert "reason" in form.errors
    stages = cast(forms.ModelChoiceField, form.fields["stage"]).queryset
    assert stages is not None
    assert opportunity.stage not in stages


def test_qualification_form_needs_evidence_unless_missing():
    assert QualificationForm({"status": "missing", "evidence": ""}).is_valid()
    form = QualificationForm({"status": "partial", "evidence": " "})
    assert not form.is_valid()
    assert "evidence" in form.errors
    assert not QualificationForm({"status": "unknown"}).is_valid()


def test_risk_form_rates_from_1_to_5_and_needs_a_title(db):
    form = RiskForm({"title": "", "category": "technical", "likelihood": "6", "impact": "0", "currency": "EUR",
                     "status": "open", "cost": "-3"})  # fmt: skip
    assert not form.is_valid()
    assert set(form.errors) == {"title", "likelihood", "impact", "cost"}
    form = RiskForm({"title": "Late delivery", "category": "delivery", "likelihood": "5", "impact": "1",
                     "currency": "EUR", "status": "open"})  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["likelihood"] == 5


def test_opportunity_form_refuses_an_account_the_user_may_not_add_to(kam, group, other):
    data = {"name": "Hall", "amount": "10", "forecast_category": "pipeline"}
    form = OpportunityForm(data | {"account": other.pk}, user=kam)
    assert not form.is_valid()
    assert "not on its team" in form.errors["account"][0]
    assert OpportunityForm(data | {"account": group.pk}, user=kam).is_valid()
    # editing: the unchanged account is not checked again, a move to a foreign one is
    initial = {"account": other.pk}
    assert OpportunityForm(data | {"account": other.pk}, initial=initial, creating=False, user=kam).is_valid()
    moved = OpportunityForm(data | {"account": other.pk}, initial={"account": group.pk}, creating=False, user=kam)
    assert not moved.is_valid()
