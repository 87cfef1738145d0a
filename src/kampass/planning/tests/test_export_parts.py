"""The objectives and actions parts of the exports. Their models (``Objective``, ``PlanAction``) belong to
other modules of the planning context; where they are not installed the parts are left out (first test),
where they are, every format shows them (second test; skipped until those models are merged)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.apps import apps
from openpyxl import load_workbook
from pptx import Presentation

from kampass.planning.exports import export_plan, plan_export
from kampass.planning.exports.parts import actions_part, objectives_part
from kampass.planning.tests.factories import head_actor, make_plan

pytestmark = pytest.mark.django_db


def _model(name: str) -> Any:
    return apps.get_model("planning", name)


def _installed(name: str) -> bool:
    try:
        _model(name)
    except LookupError:
        return False
    return True


def test_parts_whose_models_are_not_installed_are_left_out() -> None:
    plan = make_plan()
    keys = [p.key for p in plan_export(plan).parts]
    assert ("objectives" in keys) == _installed("Objective")
    assert ("actions" in keys) == _installed("PlanAction")
    if not _installed("Objective"):
        assert objectives_part(plan, "en") is None
    if not _installed("PlanAction"):
        assert actions_part(plan, "en") is None


def test_objectives_and_actions_appear_in_every_format() -> None:
    assert _installed("Objective")
    assert _installed("PlanAction")
    plan = make_plan()
    objective, action = _model("Objective"), _model("PlanAction")
    objective.objects.create(
        plan=plan, title="Grow drives", kpi_key="win_rate", unit="share", baseline=Decimal("0.3"),
        target=Decimal("0.5"), start_on=dt.date(2027, 1, 1), due_on=dt.date(2027, 12, 31),
    )  # fmt: skip
    action.objects.create(plan=plan, title="Executive review", owner=head_actor(), due_date=dt.date(2020, 1, 1))

    export = plan_export(plan, lang="de")
    objectives, actions = (next(p for p in export.parts if p.key == k) for k in ("objectives", "actions"))
    assert objectives.rows[0][:2] == ("Grow drives", "Gewinnquote")
    assert actions.rows[0][0] == "Executive review"
    assert actions.rows[0][4] == "überfällig"

    text = pdfium.PdfDocument(export_plan(plan, fmt="pdf", lang="en", summary=True).data)[0].get_textpage()
    assert "Grow drives" in text.get_text_range()
    assert "Executive review" in text.get_text_range()
    prs = Presentation(io.BytesIO(export_plan(plan, fmt="pptx", lang="en").data))
    assert {"Objectives and KPIs", "Actions"} <= {s.shapes.title.text for s in prs.slides}
    wb = load_workbook(io.BytesIO(export_plan(plan, fmt="xlsx", lang="en").data))
    row: Any = next(wb["Objectives and KPIs"].iter_rows(min_row=2, values_only=True))
    assert row[0] == "Grow drives"
    assert row[3:5] == (0.3, 0.5)
