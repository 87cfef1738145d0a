"""Forms of the user and org unit administration. They validate input; the services of the users
package do the writing (and refuse manager and parent cycles)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.users.models import OrgUnit, Role, User


class _UserFields(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.order_by("name"), required=False, empty_label="–"
    )
    manager = forms.ModelChoiceField(
        label=_("Manager"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label="–",
        help_text=_("The person this user reports to."),
    )


class UserInviteForm(_UserFields):
    """A new user: created without a password and invited by e-mail to set one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("The invitation with the link to set a password goes here.")
        self.fields["username"].widget.attrs["autofocus"] = True


class UserEditForm(_UserFields):
    """An existing user's names, e-mail address, role, org unit, manager and whether they may log in."""

    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A deactivated user can no longer log in, and their API tokens stop working."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        manager = self.fields["manager"]
        assert isinstance(manager, forms.ModelChoiceField)
        manager.queryset = User.objects.filter(is_active=True).exclude(pk=user.pk)


class OrgUnitForm(forms.Form):
    """An org unit: its name, code, country and the unit it belongs to."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        error_messages={"invalid": _("Two-letter ISO code, e.g. CH or DE.")},
        required=False,
        help_text=_("Two-letter ISO code, e.g. CH or DE."),
    )
    parent = forms.ModelChoiceField(
        label=_("Parent unit"), queryset=OrgUnit.objects.order_by("name"), required=False, empty_label="–"
    )

    def __init__(self, *args: Any, unit: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        if unit is not None:
            parent = self.fields["parent"]
            assert isinstance(parent, forms.ModelChoiceField)
            parent.queryset = OrgUnit.objects.exclude(pk=unit.pk).order_by("name")

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()
