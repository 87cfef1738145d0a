"""finish_chart: the common look, and schema validation only where it is switched on."""

from __future__ import annotations

from typing import Any

import altair as alt
import pytest
from django.test import override_settings

from kampass.common.charts import finish_chart


@pytest.mark.parametrize("validate", [True, False])
def test_the_vega_lite_validation_follows_the_setting(monkeypatch, validate):
    # given: a chart whose to_dict records how it was asked
    seen: list[Any] = []
    original = alt.Chart.to_dict

    def recording(self, *args, **kwargs):
        seen.append(kwargs.get("validate"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(alt.Chart, "to_dict", recording)
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")

    # when
    with override_settings(KAMPASS_VALIDATE_CHARTS=validate):
        spec = finish_chart(chart)

    # then: production (off) skips Altair's costly schema check; the tests keep it on
    assert seen[0] is validate
    assert spec["mark"]["type"] == "point"
