"""The report's guardrail thresholds in words: a count of days agrees with its number."""

from __future__ import annotations

import pytest
from django.utils import translation

from kampass.core.concept import Guardrail, Text
from kampass.programme.report import threshold_text


@pytest.mark.parametrize(
    ("days", "en", "de"), [(1, "1 day", "1 Tag"), (30, "30 days", "30 Tage"), (0.6, "1 day", "1 Tag")]
)
def test_days_are_singular_for_one(days, en, de):
    # given
    guardrail = Guardrail("approval_lead_time", Text("Lead time", "Durchlaufzeit"), "days", "max", days)

    # when / then
    with translation.override("en"):
        assert threshold_text(guardrail) == en
    with translation.override("de"):
        assert threshold_text(guardrail) == de
