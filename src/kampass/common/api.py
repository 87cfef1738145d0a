"""Plumbing shared by the JSON API of every context (django-ninja).

Error schemas (``ERRORS`` for the ``response=`` of an operation), the limit/offset page of a
list (``PageIn`` in, ``{"items": [...], "count": n}`` out), resolving ids sent in a request
body (an unknown id is a 422 on the field that carried it), the acting user, and re-raising a
service's ``ValidationError`` with the field names of the API.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kampass.users.models import User

M = TypeVar("M", bound=models.Model)


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description="Where the error is: the field name, or empty for the whole request.")
    msg: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def declared_choices(schema: type[Schema], name: str) -> list[Any] | None:
    """The allowed values a schema declares for field ``name`` (``json_schema_extra={"enum": [...]}``,
    or ``{"items": {"enum": [...]}}`` for a list), or ``None`` when the field is free."""
    field = schema.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    if not isinstance(extra, dict):
        return None
    enum = extra.get("enum")
    if isinstance(enum, list):
        return list(enum)
    items = extra.get("items")
    if isinstance(items, dict) and isinstance(items_enum := items.get("enum"), list):
        return list(items_enum)
    return None


class InSchema(Schema):
    """Base of every input schema (query parameters and bodies) that declares allowed values.

    A field declared with ``json_schema_extra={"enum": [...]}`` (the values OpenAPI shows) only
    accepts those values: anything else is a 422 naming the allowed values, never silently ignored
    or replaced by a default. ``tests/test_architecture.py`` checks that every input schema with
    declared values derives from this class.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _one_of_the_declared_values(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = declared_choices(cls, info.field_name or "")
        if allowed is None or value is None:
            return value
        for item in value if isinstance(value, list) else [value]:
            if item not in allowed:
                shown = ", ".join(f"'{v}'" if v != "" else "'' (none)" for v in allowed)
                msg = _("“%(value)s” is not allowed; expected one of: %(allowed)s.") % {"value": item, "allowed": shown}
                raise PydanticCustomError("enum", msg)
        return value


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=500, description="Items per page (at most 500).")
    offset: int = Field(0, ge=0, description="Number of items to skip.")


def page_of(qs: QuerySet[Any] | Sequence[Any], page: PageIn) -> dict[str, Any]:
    """One page of ``qs`` (a queryset or a list) as the API returns lists: ``{"items": [...], "count": total}``.

    >>> page_of(["a", "b", "c"], PageIn(limit=2, offset=1))
    {'items': ['b', 'c'], 'count': 3}
    """
    total = qs.count() if isinstance(qs, QuerySet) else len(qs)
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": total}


def actor(request: HttpRequest) -> User:
    """The authenticated user (set by the API's token or session auth)."""
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's authentication


def ref(model: type[M], pk: int | None, field: str) -> M | None:
    """Resolve an id sent in the request body; an unknown id is a 422 on ``field``."""
    if pk is None:
        return None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise ValidationError(
            {field: _("There is no %(model)s with id %(id)s.") % {"model": model._meta.verbose_name, "id": pk}}
        )
    return obj


def required_ref(model: type[M], pk: int, field: str) -> M:
    """As :func:`ref` for an id that must be sent."""
    obj = ref(model, pk, field)
    assert obj is not None
    return obj


@contextmanager
def api_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise a service's ``ValidationError`` with the field names of the API (``names``: service
    argument -> API field), so that a 422 names the field the client sent."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc
