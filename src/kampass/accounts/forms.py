"""Forms of the accounts pages. They validate input; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kampass.accounts.models import (
    ATTITUDE_CHOICES,
    Account,
    BuyingRole,
    Contact,
    KamStatus,
    PoliticalStatus,
    RelationshipLevel,
    TeamMember,
    TeamRole,
)
from kampass.accounts.selectors import contacts_linkable
from kampass.common.concurrency import VersionedFormMixin, version_field
from kampass.users.actors import Actor
from kampass.users.models import OrgUnit, User


class AccountLookupWidget(forms.TextInput):
    """A search box that finds an account by name (HTMX) and keeps its id in a hidden input.

    ``attrs["data-perm"]`` names the object permission the chosen account needs (for example
    ``"pipeline.add_opportunity"``): the search then offers only accounts the user has it on.
    ``attrs["data-empty"]`` is the label of the "no account" choice (the parent picker's
    "top level"); without it the results offer no empty choice.
    """

    template_name = "accounts/widgets/account_lookup.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            acc = Account.objects.filter(pk=value).only("name").first()
            label = acc.name if acc else ""
        ctx["widget"]["label"] = label
        ctx["widget"]["exclude"] = self.attrs.get("data-exclude", "")
        ctx["widget"]["aria_label"] = self.attrs.get("aria-label", "")
        ctx["widget"]["perm"] = self.attrs.get("data-perm", "")
        ctx["widget"]["empty"] = "1" if self.attrs.get("data-empty") else ""
        return ctx


class AccountForm(VersionedFormMixin, forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        required=False,
        widget=AccountLookupWidget(attrs={"data-empty": "1"}),
        label=_("Parent account"),
        help_text=_("Leave empty for a top-level account (a group or a standalone company)."),
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Account
        fields = [
            "name",
            "legal_name",
            "parent",
            "industry",
            "country",
            "currency",
            "website",
            "external_id",
            "lead_unit",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autofocus": True, "maxlength": 200})

    def validate_unique(self) -> None:  # the service checks names per parent with a clear message
        pass

    def _post_clean(self) -> None:  # the service validates the model; keep form-level checks only
        pass


class AccountCreateForm(AccountForm):
    kam_status = forms.ChoiceField(label=_("KAM status"), choices=KamStatus.choices, initial=KamStatus.PROSPECT)

    class Meta(AccountForm.Meta):
        fields = [*AccountForm.Meta.fields[:3], "kam_status", *AccountForm.Meta.fields[3:]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("version", None)  # a new account has no version to compare with


class StatusForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New KAM status"), choices=KamStatus.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    effective_date = forms.DateField(
        label=_("Effective date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


def _account_contacts(account: Account) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Contact.objects.filter(positions__account=account).order_by("last_name", "first_name"),
        required=False,
        label=_("Reports to"),
    )


class BuyingCentreFields(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Buying-centre roles"),
        choices=BuyingRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    influence = forms.IntegerField(
        label=_("Influence (0–10)"),
        min_value=0,
        max_value=10,
        initial=5,
        widget=forms.NumberInput(attrs={"min": 0, "max": 10}),
    )
    attitude = forms.TypedChoiceField(label=_("Attitude"), choices=ATTITUDE_CHOICES, coerce=int, initial=0)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=PoliticalStatus.choices, initial=PoliticalStatus.OUTSIDE
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContactAtAccountForm(BuyingCentreFields):
    """A new contact with their position at an account and their part in its buying centre."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    in_buying_centre = forms.BooleanField(label=_("Member of the buying centre"), required=False, initial=True)
    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "department",
        "reports_to",
        "in_buying_centre",
        "roles",
        "influence",
        "attitude",
        "political_status",
        "notes",
    ]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports_to"] = _account_contacts(account)
        self.order_fields(self.field_order)


class ExistingContactForm(forms.Form):
    """Give a contact who already works elsewhere a position at this account too."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.all(), label=_("Contact"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)

    def __init__(self, *args: Any, account: Account, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # only the contacts the user may link (accounts.link_contact), not everybody in the system
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = (
            contacts_linkable(user=user).exclude(positions__account=account).order_by("last_name", "first_name")
        )
        self.fields["reports_to"] = _account_contacts(account)


class MemberForm(VersionedFormMixin, BuyingCentreFields):
    """Edit a contact's position and buying-centre part at one account."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    in_buying_centre = forms.BooleanField(label=_("Member of the buying centre"), required=False)
    field_order = [
        "title",
        "department",
        "reports_to",
        "in_buying_centre",
        "roles",
        "influence",
        "attitude",
        "political_status",
        "notes",
    ]

    def __init__(self, *args: Any, account: Account, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _account_contacts(account)
        assert field.queryset is not None  # set by _account_contacts
        field.queryset = field.queryset.exclude(pk=contact.pk)
        self.fields["reports_to"] = field
        self.order_fields(self.field_order)


class ContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class TeamMemberForm(forms.Form):
    """Add a user to the account team or change their role; ``version`` is the one of the membership
    as loaded (0: the user was not on the team), so a change made meanwhile is not overwritten."""

    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), label=_("User"))
    role = forms.ChoiceField(label=_("Team role"), choices=TeamRole.choices)
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False, label=_("Org unit"))
    version = version_field(min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", 0)


class CoverageForm(forms.Form):
    """Record how a team member covers a contact; ``version`` is the one of the coverage as loaded
    (0: there was none), so a change made meanwhile is not overwritten."""

    team_member = forms.ModelChoiceField(queryset=TeamMember.objects.none(), label=_("Team member"))
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"))
    level_now = forms.TypedChoiceField(label=_("Relationship now"), choices=RelationshipLevel.choices, coerce=int)
    level_target = forms.TypedChoiceField(
        label=_("Target relationship"),
        choices=RelationshipLevel.choices,
        coerce=int,
        initial=RelationshipLevel.PROBLEM_SOLVER,
    )
    version = version_field(min_value=0)

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", 0)
        cast(forms.ModelChoiceField, self.fields["team_member"]).queryset = TeamMember.objects.filter(
            account=account
        ).select_related("user")
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = Contact.objects.filter(
            positions__account=account
        ).order_by("last_name", "first_name")
