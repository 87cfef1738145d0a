"""Forms of the wallet pages. They parse input; the services validate the business rules and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.common.currencies import CURRENCIES
from kampass.core.screening import wallet as core


class PotentialEstimateForm(forms.Form):
    """A KAM's own estimate of an account's yearly wallet, with the reason."""

    wallet = forms.DecimalField(label=_("Estimated yearly wallet"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class RecomputeForm(forms.Form):
    """Recompute the wallets of all accounts with this quantile."""

    q = forms.DecimalField(
        label=_("Quantile"), min_value=0.05, max_value=0.95, decimal_places=2, initial=core.DEFAULT_Q
    )
