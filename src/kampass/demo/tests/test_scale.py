"""``kampass demo --scale``: the scale data set at a tiny size (the same code as the large one)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kampass.accounts.models import Account, Contact, KamStatus, Position, TeamMember
from kampass.commercial.models import CustomerLink
from kampass.common.analytics import analytics_store
from kampass.core.analytics.schema import INVOICE_LINES
from kampass.demo import scale
from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome
from kampass.planning.models import HealthSnapshot, Notice
from kampass.users.models import User

pytestmark = pytest.mark.django_db

TINY = scale.ScaleSize(
    groups=4, companies_per_group=2, sites_per_company=0.5, contacts=30, opportunities=50,
    invoice_lines=400, customers=6, users=10,
)  # fmt: skip


def test_the_scale_data_set_has_its_sizes_hierarchies_and_history(monkeypatch):
    monkeypatch.setitem(scale.SIZES, "tiny", TINY)

    summary = scale.scale_load("tiny")

    accounts = Account.objects.filter(external_id__startswith=scale.PREFIX)
    assert summary.loaded
    assert accounts.count() == summary.accounts == 4 + 8 + 4
    for account in accounts.select_related("parent"):  # the materialised path is the parent's plus its own id
        expected = (account.parent.path if account.parent else "") + f"{account.pk}/"
        assert account.path == expected
        assert account.depth == (account.parent.depth + 1 if account.parent else 0)
    assert Contact.objects.filter(external_id__startswith=scale.PREFIX).count() == 30
    assert Position.objects.filter(contact__external_id__startswith=scale.PREFIX).count() == 30
    assert TeamMember.objects.filter(account__in=accounts.filter(depth=0)).count() == 4
    opportunities = Opportunity.objects.filter(source="scale")
    assert opportunities.count() == 50
    # every deal's stage history ends in its stage, and a closed deal has a close date
    for opportunity in opportunities.prefetch_related("stage_changes"):
        changes = sorted(opportunity.stage_changes.all(), key=lambda c: (c.changed_at, c.pk))
        assert changes[-1].to_stage_id == opportunity.stage_id
        assert (opportunity.closed_on is None) == (opportunity.outcome == Outcome.OPEN)
    assert OpportunityStageChange.objects.filter(opportunity__source="scale").count() == summary.stage_changes
    assert User.objects.filter(username__startswith=scale.PREFIX).count() == summary.users == 10
    assert CustomerLink.objects.filter(customer_id__startswith=scale.PREFIX).count() == 6
    with analytics_store() as store:
        lines = store.table(INVOICE_LINES)
        assert (
            lines.filter(lines.customer_id.startswith(scale.PREFIX)).count().execute() == summary.invoice_lines == 400
        )
    # every key account has today's health snapshot: the scorecard reads it instead of computing it per request
    key_accounts = set(
        Account.objects.filter(kam_status__in=(KamStatus.KEY_ACCOUNT, KamStatus.STRATEGIC)).values_list("pk", flat=True)
    )
    assert key_accounts
    snapshots = HealthSnapshot.objects.filter(day=timezone.localdate())
    assert set(snapshots.values_list("account_id", flat=True)) == key_accounts
    assert not Notice.objects.exists()


def test_loading_again_adds_nothing(monkeypatch):
    monkeypatch.setitem(scale.SIZES, "tiny", TINY)
    scale.scale_load("tiny")

    again = scale.scale_load("tiny")

    assert not again.loaded
    assert Account.objects.filter(external_id__startswith=scale.PREFIX).count() == 16
