"""Forms of the planning pages: new plan, a section's fields, SWOT items, relationship stage,
comments, life-cycle moves and plan templates. The services check permissions and rules; the
forms parse and bound the input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kampass.common.concurrency import version_field
from kampass.core import planning as core
from kampass.planning.models import EvidenceKind, PlanStatus, PlanTemplate, RelationshipStage, SwotKind

#: the longest text a plan field takes (about ten pages)
FIELD_MAX = 20000


def next_calendar_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The default planning period: the next calendar year.

    >>> next_calendar_year(dt.date(2026, 12, 5))
    (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    """
    year = (today or timezone.localdate()).year + 1
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class PlanCreateForm(forms.Form):
    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
    template = forms.TypedChoiceField(label=_("Template"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account_field = self.fields["account"]
        template_field = self.fields["template"]
        assert isinstance(account_field, forms.TypedChoiceField)
        assert isinstance(template_field, forms.TypedChoiceField)
        account_field.choices = [(a.id, a.name) for a in accounts]
        template_field.choices = [("", _("Default template"))] + [
            (t.pk, t.name) for t in PlanTemplate.objects.order_by("name")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


def section_fields(spec: core.SectionSpec) -> list[tuple[str, str, bool]]:
    """``(key, label in the active language, required)`` of a section's fields."""
    de = (get_language() or "en").startswith("de")
    return [(f.key, f.label_de if de else f.label_en, f.required) for f in spec.fields]


class SectionForm(forms.Form):
    """The fields of one section (from its template spec) and the section version the editor loaded."""

    version = version_field()

    def __init__(self, *args: Any, spec: core.SectionSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, _required in section_fields(spec):
            self.fields[f"f_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=FIELD_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def content(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("f_")}


class SwotItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Quadrant"), choices=SwotKind.choices)
    text = forms.CharField(label=_("Item"), max_length=500)
    evidence_kind = forms.ChoiceField(label=_("Evidence"), choices=EvidenceKind.choices, required=False)
    evidence_id = forms.IntegerField(label=_("Cited item"), required=False, min_value=1)
    evidence_note = forms.CharField(label=_("Figure or note"), max_length=300, required=False)
    version = version_field()

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "text": d["text"],
            "evidence_kind": d.get("evidence_kind") or "",
            "evidence_id": d.get("evidence_id"),
            "evidence_note": d.get("evidence_note") or "",
        }


class RelationshipForm(forms.Form):
    relationship_now = forms.ChoiceField(label=_("Stage now"), choices=RelationshipStage.choices)
    relationship_target = forms.ChoiceField(
        label=_("Stage targeted"), choices=[("", "–"), *RelationshipStage.choices], required=False
    )
    version = version_field()


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    section_key = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=PlanStatus.choices)
    comment = forms.CharField(
        label=_("Comment"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = version_field()
