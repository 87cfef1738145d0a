"""Hostile characters in names and free texts: one validator for every text a user enters.

NUL and the other control characters, and the bidirectional embedding, override and isolate
characters (the "Trojan Source" characters that reorder what a reader sees, e.g. U+202E
RIGHT-TO-LEFT OVERRIDE), are refused in every text field of every kampass model: names (one
line, no control character at all) and free texts (``TextField``: tab and line breaks allowed).
The check itself is :func:`kampass.core.text_safety.forbidden_character`, which the importers use
too. :func:`refuse_hostile_characters` runs before every save of a kampass model (connected in
:mod:`kampass.common.apps`), so forms (the error lands on the field), the API (422 naming the
field), the admin and the services all refuse such a value the same way.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from kampass.core.text_safety import describe_character, forbidden_character

MESSAGE = _("This text holds a control or text-direction character (%(character)s) that is not allowed here.")


@deconstructible
class PlainTextValidator:
    """Refuse control and text-direction characters; ``multiline`` texts may hold tabs and line breaks."""

    code = "control_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        char = forbidden_character(value, multiline=self.multiline)
        if char is not None:
            raise ValidationError(MESSAGE, code=self.code, params={"character": describe_character(char)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


validate_name = PlainTextValidator()
validate_free_text = PlainTextValidator(multiline=True)


def text_errors(instance: models.Model) -> dict[str, list[ValidationError]]:
    """The text fields of ``instance`` that hold a forbidden character, with the error for each."""
    errors: dict[str, list[ValidationError]] = {}
    for f in instance._meta.concrete_fields:
        if not isinstance(f, models.CharField | models.TextField):
            continue
        validator = validate_free_text if isinstance(f, models.TextField) else validate_name
        try:
            validator(getattr(instance, f.attname, None))
        except ValidationError as exc:
            errors[f.name] = [exc]
    return errors


def refuse_hostile_characters(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    """``pre_save`` receiver: a kampass model is not saved with a forbidden character in a text field.

    Historical records (django-simple-history) copy values that were checked when they were saved.
    """
    if raw or not sender.__module__.startswith("kampass.") or sender.__name__.startswith("Historical"):
        return
    errors = text_errors(instance)
    if errors:
        raise ValidationError(errors)
