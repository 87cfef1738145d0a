"""The demo's actions, weights and health history: twelve snapshots per key account, one visible drop
with its notices, overdue and done actions; loading again adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.demo_health import demo_health_load
from kampass.planning.models import HealthSnapshot, HealthWeights, Notice, PlanAction

pytestmark = pytest.mark.django_db


def test_demo_health_history_actions_and_a_drop(head, kam):
    # given two key accounts with the KAM on their teams (and a prospect, which gets nothing)
    accounts = [AccountFactory(name=n, kam_status="key_account") for n in ("Kone", "Otis")]
    for a in accounts:
        TeamMemberFactory(account=a, user=kam, role="kam")
    AccountFactory(name="Prospect", kam_status="prospect")

    # when
    written = demo_health_load()
    again = demo_health_load()

    # then
    today = timezone.localdate()
    for a in accounts:
        assert HealthSnapshot.objects.filter(account=a).count() == 12
        assert PlanAction.objects.filter(plan__account=a).count() >= 3
    assert any(x.is_overdue(today) for x in PlanAction.objects.all())
    assert PlanAction.objects.filter(status="done", completed_at__isnull=False).exists()
    assert HealthWeights.objects.count() == 1
    drops = Notice.objects.filter(kind="health_drop")
    assert sorted(n.recipient_id for n in drops) == sorted([head.pk, kam.pk])
    assert written > 0
    assert again == 0
    assert HealthSnapshot.objects.count() == 24
