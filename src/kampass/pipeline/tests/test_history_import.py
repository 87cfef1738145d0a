"""``kampass import opportunity-history``: a Salesforce OpportunityHistory export becomes the dated stage
history (with the amounts then); what is certain is derived without a date, and said."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from kampass.pipeline.features import snapshot_row
from kampass.pipeline.history_import import import_opportunity_history
from kampass.pipeline.models import Opportunity, OpportunityStageChange
from kampass.pipeline.tests.factories import admin_actor, make_opportunity, stage

pytestmark = pytest.mark.django_db

HISTORY = """OpportunityId,StageName,CreatedDate,Amount,CloseDate,Probability
006A,Prospecting,2024-01-02T08:00:00.000+0000,1000,2024-06-30,10
006A,Prospecting,2024-01-20T08:00:00.000+0000,1500,2024-06-30,10
006A,Proposal/Quote,2024-02-01T08:00:00.000+0000,1500,2024-06-30,75
006A,Proposal/Quote,2024-02-03T08:00:00.000+0000,1500,2024-07-31,75
006A,Closed Won,2024-03-01T08:00:00.000+0000,1500,2024-03-01,100
006B,Qualification,2024-01-05,,2024-05-01,10
006X,Qualification,2024-01-05,100,2024-05-01,10
006B,Stage Nobody Has,2024-01-06,100,2024-05-01,10
"""


@pytest.fixture
def deals(group):
    won = make_opportunity(account=group, name="A", source="salesforce", external_id="006A", stage_name="Closed Won")
    lost = make_opportunity(account=group, name="B", source="salesforce", external_id="006B", stage_name="Closed Lost")
    other_won = make_opportunity(
        account=group, name="C", source="salesforce", external_id="006C", stage_name="Closed Won"
    )
    return won, lost, other_won


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "OpportunityHistory.csv"
    path.write_text(HISTORY, encoding="utf-8")
    return path


def test_the_history_becomes_dated_stage_entries_with_the_amounts_then(deals, tmp_path):
    won, lost, other_won = deals
    # when
    result = import_opportunity_history(actor=admin_actor(), path=_file(tmp_path), mapping="salesforce")
    # then the stage moves of 006A and 006B are recorded with their dates, plus one amount change
    assert result.committed
    assert (result.rows, result.entries, result.amount_entries, result.opportunities) == (8, 4, 1, 2)
    imported = list(
        OpportunityStageChange.objects.filter(opportunity=won, note__startswith="history import").order_by("changed_at")
    )
    assert [(c.to_stage.name, c.changed_at and c.changed_at.date(), c.amount) for c in imported] == [
        ("Prospecting", dt.date(2024, 1, 2), Decimal("1000")),
        ("Prospecting", dt.date(2024, 1, 20), Decimal("1500")),
        ("Proposal/Price Quote", dt.date(2024, 2, 1), Decimal("1500")),
        ("Closed Won", dt.date(2024, 3, 1), Decimal("1500")),
    ]
    # rows it cannot use are reported with row, column, value and reason
    assert [(r.row, r.column, r.value) for r in result.rejects] == [
        (8, "OpportunityId", "006X"),
        (9, "StageName", "Stage Nobody Has"),
    ]
    # the open stages a won deal passed without an entry are derived, undated, and counted
    derived = OpportunityStageChange.objects.filter(derived=True)
    assert not derived.exclude(changed_at=None).exists()
    assert not derived.filter(opportunity=lost).exists()
    open_stages = won.stage_set.stages.filter(kind="open").count()
    assert derived.filter(opportunity=won).count() == open_stages - 2  # Prospecting and Proposal recorded
    assert derived.filter(opportunity=other_won).count() == open_stages
    assert result.derived_entries == derived.count()
    assert result.derived_opportunities == 2
    # and the snapshot features read them: the amount then, the stage then, days in the stage
    o = Opportunity.objects.select_related("account", "stage", "owner").get(pk=won.pk)
    row = snapshot_row(o, timezone.make_aware(dt.datetime(2024, 1, 25, 12)))
    assert row["stage_order"] == stage("Prospecting").order
    assert row["amount"] == 1500.0
    assert row["days_in_stage"] == 23  # the amount change does not restart the stage


def test_running_it_again_doubles_nothing(deals, tmp_path):
    path = _file(tmp_path)
    import_opportunity_history(actor=admin_actor(), path=path)
    count = OpportunityStageChange.objects.count()
    again = import_opportunity_history(actor=admin_actor(), path=path)
    assert again.committed
    assert OpportunityStageChange.objects.count() == count


def test_the_command_reports_what_it_derived(deals, tmp_path):
    out = StringIO()
    call_command("import", "opportunity-history", str(_file(tmp_path)), "--mapping", "salesforce", stdout=out)
    text = out.getvalue()
    assert "4 stage entries and 1 amount changes of 2 opportunities recorded" in text
    assert "Derived (certain, without a date)" in text
    assert "row 8, OpportunityId, “006X”" in text
    out = StringIO()
    call_command("import", "opportunity-history", str(_file(tmp_path)), "--dry-run", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["dry_run"]
    assert not doc["committed"]
    assert doc["entries"] == 4


def test_strict_writes_nothing_when_a_row_is_rejected(deals, tmp_path):
    before = OpportunityStageChange.objects.count()
    result = import_opportunity_history(actor=admin_actor(), path=_file(tmp_path), strict=True)
    assert not result.committed
    assert OpportunityStageChange.objects.count() == before


def test_the_detail_page_shows_derived_entries_without_a_date(client, head, deals, tmp_path):
    from django.urls import reverse

    won, _lost, _other = deals
    import_opportunity_history(actor=admin_actor(), path=_file(tmp_path))
    client.force_login(head)
    page = client.get(reverse("opportunity-detail", args=[won.pk])).content.decode()
    assert "(derived)" in page
    assert "date unknown" in page
