"""``kampass solutions report``: the figures as JSON and as text, and a refused date."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kampass.solutions import services
from kampass.solutions.tests.factories import SolutionFactory, key_account

pytestmark = pytest.mark.django_db


def test_report_prints_the_figures_as_json(head):
    # given one solution reused at two key accounts and one used at one
    reused, single = SolutionFactory(), SolutionFactory()
    a, b = key_account("A"), key_account("B")
    for solution, account in [(reused, a), (reused, b), (single, a)]:
        services.solution_use_link(actor=head, solution=solution, account_id=account.pk)
    out = io.StringIO()
    # when
    call_command("solutions", "report", "--json", "--as-of", "2026-06-30", stdout=out)
    # then
    doc = json.loads(out.getvalue())
    assert doc["solution_reuse_share"] == 0.5
    assert doc["window"] == {"from": "2025-07-01", "to": "2026-06-30"}
    assert doc["innovation_revenue_effort_ratio"] is None  # no invoice lines: not computable


def test_report_as_text_and_a_bad_date(db):
    out = io.StringIO()
    call_command("solutions", "report", stdout=out)
    assert "Solutions reused across key accounts: –" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("solutions", "report", "--as-of", "30.06.2026")
