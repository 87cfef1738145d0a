"""Forms of plan objectives and manual KPI values: they parse input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kampass.common.concurrency import VersionedFormMixin
from kampass.core import kpis as core


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def kpi_choices(*, manual_only: bool = False) -> list[tuple[str, str]]:
    lang = get_language() or "en"
    return [
        (k.key, k.label(lang) + ("" if k.computed else " " + str(_("(recorded by hand)"))))
        for k in core.CATALOGUE
        if k.available and (not manual_only or not k.computed)
    ]


class ObjectiveForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=200)
    kpi_key = forms.ChoiceField(label=_("KPI"))
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=19, decimal_places=4,
        help_text=_("The KPI's value when the plan starts; shares as fractions (0.08 = 8 %)."),
    )  # fmt: skip
    target = forms.DecimalField(label=_("Target"), max_digits=19, decimal_places=4)
    start_on = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), help_text=_("Empty: the plan period's start.")
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi_key"].choices = kpi_choices()  # type: ignore[attr-defined]


class ManualKpiValueForm(forms.Form):
    kpi_key = forms.ChoiceField(label=_("KPI"))
    value = forms.DecimalField(label=_("Value"), max_digits=19, decimal_places=4)
    measured_on = forms.DateField(label=_("Measured on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi_key"].choices = kpi_choices(manual_only=True)  # type: ignore[attr-defined]
