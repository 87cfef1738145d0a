"""Forms of the selection portfolio pages: a rating, opening a round, a decision, a catalogue version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.screening.models.selection import CriterionKind, Dimension


class RatingForm(forms.Form):
    criterion_key = forms.ChoiceField(label=_("Criterion"))
    value = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)], help_text=_("1 low … 5 high")
    )
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion_key"].choices = criteria  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=50, help_text=_("e.g. “2026 H2”"))
    as_of = forms.DateField(
        label=_("Facts as of"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: today."),
    )  # fmt: skip


class DecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decided status"))
    reason = forms.CharField(label=_("Reason"), max_length=5000)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = statuses  # type: ignore[attr-defined]


class CatalogueForm(forms.Form):
    """The criteria of the next catalogue version: one weight field per criterion (0 leaves it out of
    the score), a new rated criterion, the quadrant threshold and a note."""

    note = forms.CharField(label=_("What changes and why"), max_length=500)
    threshold = forms.DecimalField(label=_("Quadrant threshold"), min_value=0, max_value=100, decimal_places=2)
    new_key = forms.SlugField(label=_("New rated criterion: key"), required=False, max_length=50)
    new_label = forms.CharField(label=_("New rated criterion: label"), required=False, max_length=200)
    new_dimension = forms.ChoiceField(
        label=_("New rated criterion: dimension"), choices=Dimension.choices, required=False
    )
    new_weight = forms.DecimalField(
        label=_("New rated criterion: weight"), required=False, min_value=0, max_digits=6, decimal_places=2
    )

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"weight_{c.key}"] = forms.DecimalField(
                label=c.shown_label, min_value=0, max_digits=6, decimal_places=2, initial=c.weight
            )

    def weight_fields(self) -> list[tuple[Any, Any]]:
        return [(c, self[f"weight_{c.key}"]) for c in self.criteria]

    def new_criterion(self) -> tuple[str, str, str, Any] | None:
        d = self.cleaned_data
        if not d.get("new_key"):
            return None
        return (
            d["new_key"],
            d.get("new_label") or d["new_key"],
            d.get("new_dimension") or Dimension.ATTRACTIVENESS,
            d.get("new_weight") or 1,
        )


__all__ = ["CatalogueForm", "CriterionKind", "DecisionForm", "RatingForm", "RoundForm"]
