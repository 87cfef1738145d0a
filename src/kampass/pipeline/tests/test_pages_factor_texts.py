"""The plain-words factors of a score: the number shown and its singular/plural agree."""

from __future__ import annotations

import pytest
from django.utils import translation

from kampass.core.forecasting.model import Factor
from kampass.pipeline.pages import factor_texts


@pytest.mark.parametrize(
    ("effect", "text"),
    [
        (0.015, "Amount 5 raises the chance by 2 points."),  # 1.5 read "1 points" (truncated number, rounded count)
        (0.012, "Amount 5 raises the chance by 1 point."),
        (0.0096, "Amount 5 raises the chance by 1 point."),
        (0.006, "Amount 5 raises the chance by 0.6 points."),
        (0.25, "Amount 5 raises the chance by 25 points."),
    ],
)
def test_the_points_shown_and_their_plural_agree(effect, text):
    # given
    factor = Factor(feature="amount", value="5", effect=effect, direction="raises")

    # when
    with translation.override("en"):
        [shown] = factor_texts([factor])

    # then
    assert shown.text == text
