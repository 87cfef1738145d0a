"""Forms of the roadmap and topics pages. They parse input; the services validate the business rules and write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.common.concurrency import VersionedFormMixin, version_field
from kampass.roadmap import catalogue, selectors
from kampass.roadmap.models import Direction, InitiativeStatus, TopicStatus

if TYPE_CHECKING:
    from kampass.users.models import User

RATING_CHOICES = [(i, str(i)) for i in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class InitiativeForm(VersionedFormMixin, forms.Form):
    """Create or edit an initiative. For a key account manager who owns the initiative the logic,
    owner and guardrail fields are shown read-only (``restricted=True``)."""

    logic = forms.ChoiceField(label=_("Logic"))
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Empty: the name of the logic.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    starts = forms.DateField(label=_("Start"), required=False, widget=DateInput())
    ends = forms.DateField(label=_("End"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)
    accounts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Key accounts involved"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    guardrail_key = forms.ChoiceField(
        label=_("Guardrail metric"),
        required=False,
        help_text=_("Empty: the guardrail of the logic from the catalogue."),
    )
    guardrail_threshold = forms.FloatField(
        label=_("Threshold"),
        required=False,
        help_text=_("Shares between 0 and 1 (0.08 = 8 %); empty: the catalogue's default."),
    )
    guardrail_direction = forms.ChoiceField(
        label=_("Warn when the value is"),
        choices=[("", _("as the catalogue says")), *Direction.choices],
        required=False,
    )

    RESTRICTED = ("logic", "owner", "guardrail_key", "guardrail_threshold", "guardrail_direction")

    def __init__(self, *args: Any, user: Any, restricted: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["logic"]).choices = catalogue.logic_choices()
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _owner_queryset()
        cast(forms.ModelChoiceField, self.fields["accounts"]).queryset = selectors.key_account_choices(user=user)
        cast(forms.ChoiceField, self.fields["guardrail_key"]).choices = [
            ("", _("the logic's guardrail")),
            *catalogue.metric_choices(),
        ]
        self.fields["title"].widget.attrs.update({"maxlength": 200})
        if restricted:
            for name in self.RESTRICTED:
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # a ModelForm returns its cleaned_data
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("The end must lie after the start."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in self.RESTRICTED:
            if self.fields[name].disabled:
                data.pop(name, None)
        if "guardrail_key" in data and not data["guardrail_key"]:
            data["guardrail_key"] = ""
        data["accounts"] = list(data.get("accounts") or [])
        return data


def _owner_queryset() -> Any:
    from kampass.users.models import Role, User

    return User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.HEAD, Role.KAM]).order_by(
        "last_name", "first_name", "username"
    )


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)
    version = version_field()


class MeasurementForm(forms.Form):
    value = forms.FloatField(label=_("Value"), help_text=_("Shares between 0 and 1 (0.08 = 8 %)."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TopicForm(VersionedFormMixin, forms.Form):
    """Create or edit an improvement topic."""

    field = forms.ChoiceField(label=_("Field"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=RATING_CHOICES, coerce=int, initial=3, help_text=_("1 low … 5 high")
    )
    effort = forms.TypedChoiceField(
        label=_("Effort"), choices=RATING_CHOICES, coerce=int, initial=3, help_text=_("1 low … 5 high")
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Joint initiative with key account"),
        queryset=None,
        required=False,
        help_text=_("Optional: a topic pursued together with a key account."),
    )
    partner_contact = forms.CharField(label=_("Partner contact at the customer"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["field"]).choices = catalogue.field_choices()
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _owner_queryset()
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = selectors.key_account_choices(user=user)
        self.fields["title"].widget.attrs.update({"maxlength": 200})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # a ModelForm returns its cleaned_data
        if data.get("partner_contact") and not data.get("account"):
            self.add_error(
                "partner_contact", _("A partner contact belongs to a joint initiative: choose the key account too.")
            )
        return data


class TopicRatingForm(forms.Form):
    """Move a topic in the matrix: change its impact and effort."""

    impact = forms.TypedChoiceField(label=_("Impact"), choices=RATING_CHOICES, coerce=int)
    effort = forms.TypedChoiceField(label=_("Effort"), choices=RATING_CHOICES, coerce=int)
    version = version_field()


class TopicStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TopicStatus.choices)
    force = forms.BooleanField(label=_("Activate beyond the limit"), required=False)
    version = version_field()


class TopicLimitForm(forms.Form):
    topic_limit = forms.IntegerField(label=_("Limit on active topics"), min_value=1, max_value=50)
    version = version_field()
