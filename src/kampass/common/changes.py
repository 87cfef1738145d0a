"""Checks shared by the services that change a model from keyword arguments."""

from __future__ import annotations

from collections.abc import Iterable


def reject_unknown_fields(changes: Iterable[str], allowed: Iterable[str], *, what: str = "") -> None:
    """Raise ``TypeError`` naming the fields of ``changes`` that are not in ``allowed`` (a caller's
    mistake, not bad user input: forms and the API only send known fields).

    >>> reject_unknown_fields({"name": 1}, ["name", "probability"], what="stage")
    >>> reject_unknown_fields({"colour": 1}, ["name"], what="stage")
    Traceback (most recent call last):
    TypeError: unknown stage fields: ['colour']
    """
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {what + ' ' if what else ''}fields: {sorted(unknown)}")
