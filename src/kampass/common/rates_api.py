"""``GET /api/v1/rates``: the exchange rates an administrator loaded (``kampass rates load``), for the
head of KAM, controllers and administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kampass.common.api import ERRORS, InSchema, PageIn, actor, page_of, refused
from kampass.common.exchange_rates import rate_list
from kampass.common.models import ExchangeRate
from kampass.common.permissions import authorize

router = Router(tags=["rates"])


class RateOut(Schema):
    day: dt.date
    currency: str
    per_euro: str = Field(description="Units of ``currency`` one euro bought on ``day`` (decimal string).")
    base: str = Field(description="The base currency the rate file gave the rate against.")
    base_rate: str = Field(description="The rate as the file gave it: units of ``currency`` per one ``base``.")
    source: str = Field(description="The source named when the file was loaded (default: the file's name).")
    loaded_at: dt.datetime

    @staticmethod
    def resolve_per_euro(obj: ExchangeRate) -> str:
        return _plain(obj.per_euro)

    @staticmethod
    def resolve_base_rate(obj: ExchangeRate) -> str:
        return _plain(obj.base_rate)


def _plain(value: Any) -> str:
    """A stored rate without the trailing zeros of its ten decimal places: ``1.0850000000`` -> ``1.085``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class RatePageOut(Schema):
    items: list[RateOut]
    count: int


class RateFilterIn(InSchema):
    currency: str = Field("", description="Only this currency (ISO 4217 code).", pattern=r"^([A-Z]{3})?$")
    day_from: dt.date | None = Field(None, alias="from", description="Only rates of this day or later.")
    day_to: dt.date | None = Field(None, alias="to", description="Only rates of this day or earlier.")


@router.get(
    "/rates",
    response={200: RatePageOut, **ERRORS},
    openapi_extra=refused("the first day (from) lies after the last day (to)"),
)
def rates(request: HttpRequest, filters: Query[RateFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The loaded exchange rates, by currency and day (the ECB reference rates shipped with kampass are not
    listed). Conversions use a loaded rate for its day and the following 7 days, before the ECB's."""
    authorize(actor(request), "common.view_loaded_rates")
    if filters.day_from and filters.day_to and filters.day_from > filters.day_to:
        raise ValidationError({"from": _("The first day lies after the last day.")})
    return page_of(rate_list(currency=filters.currency, day_from=filters.day_from, day_to=filters.day_to), page)
