"""``GET/PATCH /api/v1/me``: the calling user and their own settings (language, view currency), the same as
the "My settings" page; the rules are the users context's (:func:`kampass.users.services.user_update_settings`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from kampass.common import fx
from kampass.common.api import ERRORS, UNCHANGED, InSchema, actor
from kampass.users.models import User
from kampass.users.services import user_update_settings

router = Router(tags=["me"])

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class MeOut(Schema):
    id: int
    username: str
    name: str = Field(description="First and last name, else the user name.")
    role: str
    language: str = Field(description="The language the UI and the API's messages speak; empty: the browser's.")
    view_currency: str = Field(
        description="The currency the user chose for consolidated totals; empty: the installation's reporting currency."
    )
    currency: str = Field(description="The currency consolidated totals are shown in for this user.")
    reporting_currency: str = Field(description="The installation's reporting currency.")
    view_currencies: list[str] = Field(description="The currencies a user may choose as view currency.")

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_currency(obj: User) -> str:
        return fx.view_currency(obj)

    @staticmethod
    def resolve_reporting_currency(obj: User) -> str:
        return fx.reporting_currency()

    @staticmethod
    def resolve_view_currencies(obj: User) -> list[str]:
        return fx.view_currency_choices()


class MeIn(InSchema):
    language: str = Field(
        UNCHANGED,
        description="Empty: the language the browser asks for.",
        json_schema_extra={"enum": ["", *LANGUAGE_CODES]},
    )
    view_currency: str = Field(
        UNCHANGED,
        description="Empty (or the reporting currency): the installation's reporting currency.",
        json_schema_extra={"enum": ["", *fx.view_currency_choices()]},
    )


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> User:
    """The calling user, their role and their own settings."""
    return actor(request)


@router.patch("/me", response={200: MeOut, **ERRORS})
def me_update(request: HttpRequest, payload: MeIn) -> User:
    """Change the calling user's language and view currency (a field left out stays as it is). A currency
    kampass cannot convert into is a 422 naming ``view_currency``."""
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    return user_update_settings(
        user=actor(request),
        language=changes.get("language"),
        view_currency=changes.get("view_currency"),
        currencies=fx.view_currency_choices(),
        reporting_currency=fx.reporting_currency(),
    )
