from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kampass.users.models import ApiToken, OrgUnit, User
from kampass.users.services import TOKEN_MAX_DAYS, token_create, token_default_days


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("kampass"), {"fields": ("role", "language", "view_currency")}))
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("role", "is_active")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "country", "parent")
    search_fields = ("name", "code")


class ApiTokenAddForm(forms.ModelForm):
    """A new token: its owner, a name and its lifetime (the secret is generated and shown once)."""

    days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        initial=token_default_days,
        help_text=_("The token is refused after this many days."),
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "created_at", "expires_at", "last_used_at")
    exclude = ("token_hash",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "name", "days")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, raw = token_create(user=obj.user, name=obj.name, days=form.cleaned_data["days"])
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        messages.warning(
            request,
            _("The new token (copy it now, it is not shown again): %(token)s") % {"token": raw},
        )
