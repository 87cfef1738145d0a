"""The form of a KPI target (head of KAM)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.accounts import facade as accounts_facade
from kampass.common.concurrency import VersionedFormMixin
from kampass.core import kpis as catalogue

DIRECTION_DEFAULT = ""
DIRECTION_HIGHER = "higher"
DIRECTION_LOWER = "lower"


class KpiTargetForm(VersionedFormMixin, forms.Form):
    """Set the green and amber thresholds of a KPI, for every key account or for one account."""

    kpi_key = forms.ChoiceField(label=_("KPI"))
    account = forms.TypedChoiceField(
        label=_("Account"), required=False, coerce=int, empty_value=None,
        help_text=_("Leave empty for the target of every key account (also used for the roll-ups per KAM and team)."),
    )  # fmt: skip
    green = forms.DecimalField(
        label=_("Green from"), max_digits=16, decimal_places=4,
        help_text=_("Shares as fractions: 0.25 for 25 %. Money in the currency below."),
    )  # fmt: skip
    amber = forms.DecimalField(label=_("Amber from"), max_digits=16, decimal_places=4)
    direction = forms.ChoiceField(
        label=_("Direction"), required=False,
        choices=[
            (DIRECTION_DEFAULT, _("as in the KPI catalogue")),
            (DIRECTION_HIGHER, _("higher is better")),
            (DIRECTION_LOWER, _("lower is better")),
        ],
    )  # fmt: skip
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("Money KPIs only; default: the reporting currency."),
    )

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi_key"].choices = [(k.key, k.label(lang)) for k in catalogue.CATALOGUE if k.available]  # type: ignore[attr-defined]
        accounts = sorted(accounts_facade.all_accounts(), key=lambda r: r.path)
        self.fields["account"].choices = [  # type: ignore[attr-defined]
            ("", _("every key account")),
            *[(a.id, ("· " * (a.path.count("/") - 1)) + a.name) for a in accounts],
        ]

    def higher_is_better(self) -> bool | None:
        value = self.cleaned_data.get("direction", "")
        return None if not value else value == DIRECTION_HIGHER
