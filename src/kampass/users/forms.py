"""The form of a user's own settings ("My settings"): language and view currency."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kampass.users.models import User


class SettingsForm(forms.Form):
    """Language and view currency of the logged-in user. The currencies offered and the installation's
    reporting currency are given by the caller (the rate sources decide them, see ``kampass.common.fx``)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("The language kampass speaks to you; empty: the one your browser asks for."),
    )
    view_currency = forms.ChoiceField(
        label=_("View currency"),
        required=False,
        help_text=_(
            "Totals over amounts in several currencies (pipeline, forecast, account figures, risk cost) are "
            "converted into this currency, each amount at the rate of its own day."
        ),
    )

    notification_digest = forms.BooleanField(
        label=_("notification digest"),
        required=False,
        help_text=_("E-mail me my unread notifications of the last day once a day."),
    )

    def __init__(self, *args: Any, user: User, currencies: list[str], reporting_currency: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "language": user.language,
                "view_currency": user.view_currency or reporting_currency,
                "notification_digest": user.notification_digest,
            },
        )
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", _("as the browser asks")), *settings.LANGUAGES]
        currency = self.fields["view_currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [
            (code, _("%(code)s (the installation's reporting currency)") % {"code": code})
            if code == reporting_currency
            else (code, code)
            for code in currencies
        ]
