"""Forms of the programme pages (validation of the input; the services validate the rules)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.core.assessment import DEFAULT_MIN_GROUP_RESPONDENTS
from kampass.programme.models import DEFAULT_MIN_RESPONDENTS, Function
from kampass.users.models import User


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends = forms.DateField(label=_("Ends"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    min_respondents = forms.IntegerField(
        label=_("Minimum respondents"),
        min_value=1,
        max_value=500,
        initial=DEFAULT_MIN_RESPONDENTS,
        help_text=_("The round can be closed only when at least this many respondents have submitted."),
    )
    min_group_respondents = forms.IntegerField(
        label=_("Minimum respondents per group"),
        min_value=1,
        max_value=500,
        initial=DEFAULT_MIN_GROUP_RESPONDENTS,
        help_text=_(
            "Results of a group (function) are shown only from this many submitted questionnaires in it, "
            "the results of the round only from this many in all (privacy)."
        ),
    )


class RespondentForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
        required=False,
        help_text=_("A kampass user answers their own questionnaire."),
    )
    name = forms.CharField(
        label=_("or name of an external person"),
        max_length=200,
        required=False,
        help_text=_("External respondents answer through their invitation link, or you enter their answers."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    function = forms.ChoiceField(
        label=_("Function"),
        choices=[("", _("– from the user’s role –")), *Function.choices],
        required=False,
        help_text=_(
            "A kampass user answers from the function of their role (key account manager, head of KAM, "
            "controlling) unless you choose another; for an external person choose it."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a user or enter the name of an external respondent."))
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you choose another phase than the proposed one."),
    )

    def __init__(self, *args: Any, phases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["phase"]).choices = phases


class AcceptForm(forms.Form):
    logics = forms.MultipleChoiceField(label=_("Logics to accept"), widget=forms.CheckboxSelectMultiple, required=True)

    def __init__(self, *args: Any, logics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["logics"]).choices = logics
