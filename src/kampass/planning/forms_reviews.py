"""Forms of account reviews: they parse input; the services check the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.common.concurrency import VersionedFormMixin
from kampass.planning.forms_objectives import DateInput
from kampass.planning.models import ReviewCadence, ReviewKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ReviewPlanForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(ReviewKind.CHECK_IN, ReviewKind.CHECK_IN.label), (ReviewKind.STRATEGIC, ReviewKind.STRATEGIC.label)],
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput())
    participants = forms.CharField(label=_("Participants"), required=False, widget=TEXTAREA)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)


class ReviewEditForm(VersionedFormMixin, forms.Form):
    due_on = forms.DateField(label=_("Due"), widget=DateInput())
    participants = forms.CharField(label=_("Participants"), required=False, widget=TEXTAREA)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)


class ReviewHoldForm(VersionedFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    participants = forms.CharField(label=_("Participants"), widget=TEXTAREA)
    objective_notes = forms.CharField(label=_("Objective progress"), required=False, widget=TEXTAREA)
    action_notes = forms.CharField(label=_("Actions"), required=False, widget=TEXTAREA)
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=TEXTAREA)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)


class ReviewCancelForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=TEXTAREA)


class ReviewCadenceForm(forms.Form):
    cadence = forms.ChoiceField(label=_("Review cadence"), required=False)

    def __init__(self, *args: Any, default: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ReviewCadence.choices)
        self.fields["cadence"].choices = [  # type: ignore[attr-defined]
            ("", _("Default (%(cadence)s)") % {"cadence": labels.get(default, default)}),
            *ReviewCadence.choices,
        ]
