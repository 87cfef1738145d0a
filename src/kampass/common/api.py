"""Plumbing shared by the JSON API of every context (django-ninja).

Error schemas (``ERRORS`` for the ``response=`` of an operation), the limit/offset page of a
list (``PageIn`` in, ``{"items": [...], "count": n}`` out), resolving ids sent in a request
body (an unknown id is a 422 on the field that carried it), the acting user, and re-raising a
service's ``ValidationError`` with the field names of the API.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError, core_schema

from kampass.common.validators import MESSAGE as HOSTILE_TEXT
from kampass.core.text_safety import allowed_text_pattern, describe_character, forbidden_character
from kampass.users.models import User

M = TypeVar("M", bound=models.Model)

#: The largest integer the databases store in an id (SQLite's INTEGER, PostgreSQL's bigint): larger
#: ones overflow in the database driver (a 500) instead of simply finding nothing.
BIGINT_MAX = 2**63 - 1
#: The largest integer an ``IntegerField`` holds on PostgreSQL (``integer``, signed 32 bit).
INT_MAX = 2**31 - 1

#: The most significant digits of a decimal every database gives back exactly (SQLite: a double).
SAFE_DIGITS = 15

#: An object's id, in a path, a query or a body: 1 .. the largest id the database stores.
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
#: The pattern of a text that must hold more than blanks: one character that ``str.strip()`` keeps (the services
#: strip texts before they check them; ``\x1c``-``\x1f`` are blanks to Python but not to ``\s`` everywhere).
NOT_BLANK = r"[^\s\x1c-\x1f]"
#: A slug as Django's ``validate_slug`` accepts it (a ``SlugField``), or empty where the service then makes one.
SLUG = r"^[-a-zA-Z0-9_]*$"
#: The level of a rating, a target, a relationship: 1 .. 5.
Level = Annotated[int, Field(ge=1, le=5)]

#: A count (items per page, number to skip, a limit ...): 0 .. the largest ``integer``.
Count = Annotated[int, Field(ge=0, le=INT_MAX)]


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description="Where the error is: the field name, or empty for the whole request.")
    msg: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class RemovalIn(Schema):
    """The query of a removal (``DELETE``): the version it is based on."""

    version: int | None = Field(
        None,
        ge=1,
        le=INT_MAX,
        description="The version your removal is based on (from the last answer, or send it in If-Match). When the "
        "object was saved since, nothing is removed and the answer is 409 (412 for If-Match) with the current "
        "representation. Without it whatever is saved now is removed; clients should send it.",
    )


def refused(*rules: str) -> dict[str, Any]:
    """The ``openapi_extra`` of an operation that refuses some schema-valid requests (422) by a rule the
    schema cannot express, because it depends on stored data or state or compares fields: the rules
    become the description of its 422, so that a client knows why a valid-looking request is refused.

    >>> refused("the round is closed")["responses"][422]["description"]
    'Validation failed (the field is named), or a rule the schema cannot express: the round is closed.'
    """
    text = "Validation failed (the field is named), or a rule the schema cannot express: "
    return {"responses": {422: {"description": text + "; ".join(rules) + "."}}}


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


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _scalar_kinds(annotation: Any) -> set[Any]:
    """The scalar types an annotation accepts: ``dt.date | None`` -> ``{dt.date, NoneType}``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _scalar_kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_scalar_kinds(a) for a in typing.get_args(annotation)))
    return {annotation}


def _allows_null(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "null" or any(_allows_null(p) for p in prop.get("anyOf", []))


#: what a text sent to the API may hold (``InSchema._no_control_characters``); names stored in a
#: ``CharField`` hold no tab or line break either (``model_field``; checked when saved)
TEXT_PATTERN = allowed_text_pattern(multiline=True)
NAME_PATTERN = allowed_text_pattern()


def _declare_plain_text(prop: dict[str, Any]) -> None:
    """Give a text property (also inside ``anyOf`` and ``items``) that declares no values, pattern or
    format the pattern of a text without control or text-direction characters."""
    for option in prop.get("anyOf", []):
        _declare_plain_text(option)
    if isinstance(prop.get("items"), dict):
        _declare_plain_text(prop["items"])
    if prop.get("type") == "string" and not {"enum", "const", "pattern", "format"} & prop.keys():
        prop["pattern"] = TEXT_PATTERN


def input_json_schema(schema: dict[str, Any]) -> None:
    """Drop ``"default": null`` from properties whose type has no ``null`` (a PATCH field left out
    is unchanged; sending ``null`` is a 422), so that the OpenAPI document does not contradict itself;
    and declare on every text property what ``InSchema`` refuses in it (control characters)."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and not _allows_null(prop):
            del prop["default"]
        _declare_plain_text(prop)


class InSchema(Schema):
    """Base of every input schema (query parameters and bodies) that declares allowed values,
    and of every PATCH body (see ``UNCHANGED``).

    A field declared with ``json_schema_extra={"enum": [...]}`` (the values OpenAPI shows) only
    accepts those values: anything else is a 422 naming the allowed values, never silently ignored
    or replaced by a default. ``tests/test_architecture.py`` checks that every input schema with
    declared values derives from this class.
    """

    model_config = ConfigDict(json_schema_extra=input_json_schema)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        """A body is a JSON object (an array, a string or a number is not turned into defaults)."""
        raw = data._obj if isinstance(data, DjangoGetter) else data  # django-ninja wraps the input first
        if raw is None or isinstance(raw, list | tuple | str | bytes | int | float | bool):
            raise PydanticCustomError("model_type", _("Send a JSON object."))
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _the_documented_type(cls, value: Any, info: ValidationInfo) -> Any:
        """Dates only as ISO strings (``YYYY-MM-DD``; not a number read as a timestamp), yes/no only as
        ``true``/``false`` (not a number) and numbers not as ``true``/``false``, as OpenAPI declares them."""
        field = cls.model_fields.get(info.field_name or "")
        if field is None or value is None:
            return value
        kinds = _scalar_kinds(field.annotation)
        iso = isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.match(value))
        if kinds & {dt.date, dt.datetime} and not iso:
            msg = _("Send a date as YYYY-MM-DD (a time as YYYY-MM-DDTHH:MM:SS+01:00).")
            raise PydanticCustomError("date_type", msg)
        if bool in kinds and not isinstance(value, bool | str):
            raise PydanticCustomError("bool_type", _("Send true or false."))
        if kinds & {int, float} and bool not in kinds and isinstance(value, bool):
            raise PydanticCustomError("number_type", _("Send a number, not true or false."))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """No control or text-direction character in any text sent (tab and line breaks are fine here;
        names are checked more strictly when saved). PostgreSQL cannot even compare a text holding NUL,
        so it must not reach a query."""
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and (char := forbidden_character(item, multiline=True)):
                raise PydanticCustomError("text_character", str(HOSTILE_TEXT % {"character": describe_character(char)}))
        return value

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


class PageIn(InSchema):
    limit: int = Field(50, ge=1, le=500, description="Items per page (at most 500).")
    offset: int = Field(0, ge=0, le=INT_MAX, description="Number of items to skip.")


#: The default of a field of a PATCH body (an ``InSchema``): omitted means unchanged. The field's
#: type says whether ``null`` is allowed (``Id | None``: it clears the value) or is a 422 naming the
#: field (``str``: a value that cannot be ``null``); OpenAPI shows no default for it.
UNCHANGED: Any = None


def decimal_pattern(max_digits: int, decimal_places: int, *, signed: bool = True) -> str:
    r"""The pattern of a decimal string with at most ``max_digits`` digits, ``decimal_places`` of them
    after the point (a ``DecimalField``'s bounds).

    >>> decimal_pattern(14, 2)
    '^-?(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$'
    """
    sign = "-?" if signed else ""
    whole = max_digits - decimal_places
    return rf"^{sign}(0|[1-9][0-9]{{0,{whole - 1}}})(\.[0-9]{{1,{decimal_places}}})?$"


class DecimalString:
    """Marks a ``Decimal`` input as a decimal string within a ``DecimalField``'s bounds:
    ``Annotated[Decimal, DecimalString(14, 2)]``. OpenAPI shows the exact pattern; anything else
    (a JSON number, an exponent, too many digits) is a 422 naming the field."""

    def __init__(self, max_digits: int, decimal_places: int, *, signed: bool = True) -> None:
        self.pattern = decimal_pattern(max_digits, decimal_places, signed=signed)

    @classmethod
    def of(cls, model: type[models.Model], name: str) -> DecimalString:
        """The bounds of the model's ``DecimalField`` ``name`` (unsigned when it has a minimum >= 0), at
        most ``SAFE_DIGITS`` digits: SQLite stores a decimal as a double, which gives back exactly only
        15 significant digits (a 16-digit amount was stored, and reading it back was a 500)."""
        field = model._meta.get_field(name)
        assert isinstance(field, models.DecimalField)
        assert field.max_digits is not None
        assert field.decimal_places is not None
        signed = not any(isinstance(v, MinValueValidator) and v.limit_value >= 0 for v in field.validators)
        return cls(min(field.max_digits, SAFE_DIGITS), field.decimal_places, signed=signed)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": self.pattern, "examples": ["1234.50"]}

    def validate(self, value: Any) -> Decimal:
        if isinstance(value, str) and re.fullmatch(self.pattern, value):
            return Decimal(value)
        msg = _("Send a decimal string such as “1234.50” (pattern %(pattern)s).") % {"pattern": self.pattern}
        raise PydanticCustomError("decimal_string", msg)


def model_field(model: type[models.Model], name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A schema field bounded as the model field ``name`` is stored, so that OpenAPI describes what
    the API accepts and the database never sees a value it cannot hold: text up to its
    ``max_length`` (not empty unless the field may be blank; one of its choices, enforced by
    ``InSchema``), integers within the field's
    validators (else the database's ``integer``).
    ``default`` as for ``Field`` (``UNCHANGED`` for a PATCH body); further keyword arguments go to
    ``Field``. (Decimals: ``Annotated[Decimal, DecimalString(...)]``.)
    """
    field = model._meta.get_field(name)
    extra: dict[str, Any] = {}
    if isinstance(field, models.CharField | models.TextField):
        if field.choices and "json_schema_extra" not in kwargs:
            kwargs["json_schema_extra"] = {"enum": [value for value, _label in field.flatchoices]}
        if field.max_length:
            extra["max_length"] = field.max_length
        if not field.blank:
            extra["min_length"] = 1
        if isinstance(field, models.SlugField) and not getattr(field, "allow_unicode", False):
            extra["pattern"] = SLUG
        elif not field.choices and "json_schema_extra" not in kwargs and "pattern" not in kwargs:
            # documented only (the check and its message are the model's, see kampass.common.validators):
            # a name holds no control character at all, a free text tabs and line breaks
            multiline = isinstance(field, models.TextField)
            kwargs["json_schema_extra"] = {"pattern": TEXT_PATTERN if multiline else NAME_PATTERN}
    elif isinstance(field, models.IntegerField):
        for validator in field.validators:
            if isinstance(validator, MinValueValidator) and isinstance(validator.limit_value, int):
                extra.setdefault("ge", validator.limit_value)
            if isinstance(validator, MaxValueValidator) and isinstance(validator.limit_value, int):
                extra.setdefault("le", validator.limit_value)
        extra.setdefault("ge", -INT_MAX - 1)
        extra.setdefault("le", INT_MAX)
    return Field(default, **{**extra, **kwargs})


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
