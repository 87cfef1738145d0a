"""Forms of the solutions pages. They parse input; the services validate the business rules and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common.concurrency import VersionedFormMixin, version_field
from kampass.common.currencies import CURRENCIES
from kampass.pipeline import facade as pipeline_facade
from kampass.solutions.models import Solution, Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SolutionForm(VersionedFormMixin, forms.ModelForm):
    """Create or edit a solution of the library."""

    class Meta:
        model = Solution
        fields = ["name", "problem", "value_proposition", "segments", "components", "evidence", "status"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "value_proposition": forms.Textarea(attrs={"rows": 3}),
            "components": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class UseForm(forms.Form):
    """Link a solution to an account (optionally for one of its opportunities)."""

    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    opportunity = forms.TypedChoiceField(label=_("Opportunity"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    reference = forms.BooleanField(label=_("Reference account"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = accounts_facade.key_account_refs()
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", "–")] + [(a.id, a.name) for a in keys]
        cast(forms.ChoiceField, self.fields["opportunity"]).choices = [("", _("none"))] + [
            (o.id, f"{o.account_name}: {o.name}") for o in pipeline_facade.opportunity_choices([a.id for a in keys])
        ]


class InitiativeForm(VersionedFormMixin, forms.Form):
    """Create or edit a co-creation initiative (the stage moves on the board)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.IDEA)
    accounts = forms.TypedMultipleChoiceField(
        label=_("Key accounts"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    starts = forms.DateField(label=_("Start"), widget=DateInput())
    ends = forms.DateField(label=_("End"), required=False, widget=DateInput())
    effort_hours = forms.DecimalField(
        label=_("Effort (hours)"), min_value=0, max_digits=10, decimal_places=1, initial=0
    )
    effort_cost = forms.DecimalField(label=_("Effort (cost)"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    opportunities = forms.TypedMultipleChoiceField(
        label=_("Linked opportunities"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Won opportunities count as the initiative's revenue."),
    )
    product_groups = forms.MultipleChoiceField(
        label=_("Invoice product groups"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Invoice revenue of these product groups at the initiative’s accounts since its start is its revenue."
        ),
    )
    solution = forms.ModelChoiceField(
        label=_("Solution produced"), queryset=Solution.objects.order_by("name"), required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = accounts_facade.key_account_refs()
        cast(forms.ChoiceField, self.fields["accounts"]).choices = [(a.id, a.name) for a in keys]
        cast(forms.ChoiceField, self.fields["opportunities"]).choices = [
            (o.id, f"{o.account_name}: {o.name}") for o in pipeline_facade.opportunity_choices([a.id for a in keys])
        ]
        groups = commercial_facade.product_group_choices()
        chosen = [g for g in (self.initial.get("product_groups") or []) if g not in groups]
        cast(forms.ChoiceField, self.fields["product_groups"]).choices = [(g, g) for g in chosen + groups]
        if editing:
            del self.fields["stage"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", _("The end must not lie before the start."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {
            "name": d["name"],
            "description": d["description"],
            "account_ids": d["accounts"],
            "starts": d["starts"],
            "ends": d["ends"],
            "effort_hours": d["effort_hours"],
            "effort_cost": d["effort_cost"],
            "currency": d["currency"],
            "opportunity_ids": d["opportunities"],
            "product_groups": d["product_groups"],
            "solution": d["solution"],
        }
        if "stage" in d:
            out["stage"] = d["stage"]
        return out


class MoveForm(forms.Form):
    """Move an initiative to another stage (the board's select and button)."""

    stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    on = forms.DateField(label=_("on"), required=False, widget=DateInput())
    version = version_field()
