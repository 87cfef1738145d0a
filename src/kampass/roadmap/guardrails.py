"""Judging a guardrail reading: is the value beyond the threshold, and is a threshold sensible for its unit."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kampass.core.concept import GUARDRAIL_UNITS, SIGNAL_UNITS

UNITS: tuple[str, ...] = tuple(dict.fromkeys((*GUARDRAIL_UNITS, *SIGNAL_UNITS)))
"""Units a guardrail metric can have: share (0..1), count, days, ratio, score."""


def is_warning(value: float | None, threshold: float, direction: str) -> bool:
    """True when ``value`` lies beyond ``threshold``: above it for ``max``, below it for ``min``.

    A value equal to the threshold is still within the guardrail; an unknown value is no warning.

    >>> is_warning(0.12, 0.10, "max"), is_warning(0.10, 0.10, "max"), is_warning(0.4, 0.5, "min")
    (True, False, True)
    >>> is_warning(None, 0.1, "max")
    False
    """
    if value is None:
        return False
    if direction == "max":
        return value > threshold
    if direction == "min":
        return value < threshold
    raise ValueError(f"unknown guardrail direction {direction!r}")


def threshold_problem(unit: str, threshold: float) -> str | None:
    """Why ``threshold`` makes no sense for a metric in ``unit`` (``None`` when it does).

    Shares lie between 0 and 1 (0.25 = 25 %), counts are whole numbers of at least 0,
    days are at least 0; ratios (e.g. a relative change) and scores may be any finite number.

    >>> threshold_problem("share", 0.08) is None, threshold_problem("count", 2.5) is None
    (True, False)
    """
    if threshold != threshold or threshold in (float("inf"), float("-inf")):
        return _("The threshold must be a finite number.")
    if unit == "share" and not 0 <= threshold <= 1:
        return _("This metric is a share: give the threshold between 0 and 1 (e.g. 0.25 for 25 %).")
    if unit == "count" and (threshold < 0 or threshold != int(threshold)):
        return _("This metric is a count: give the threshold as a whole number of at least 0.")
    if unit == "days" and threshold < 0:
        return _("The threshold cannot be negative for this metric.")
    return None
