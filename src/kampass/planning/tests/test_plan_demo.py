"""The demo plans: most key accounts get a plan, in different states (current, stale, draft, in
review), with sections, SWOT evidence and a relationship history; idempotent; reset reloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning import facade
from kampass.planning.demo import demo_plans_load
from kampass.planning.models import AccountPlan, PlanStatus, RelationshipStageEntry, SwotItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_accounts(head, kam):
    accounts = [AccountFactory(name=f"Key {i}", kam_status="key_account") for i in range(10)]
    for a in accounts:
        TeamMemberFactory(account=a, user=kam)
    return accounts


def test_without_a_head_of_kam_nothing_is_loaded(kam):
    AccountFactory(kam_status="key_account")
    assert demo_plans_load() == 0


def test_most_key_accounts_get_plans_in_different_states(key_accounts, settings):
    created = demo_plans_load()

    assert created > 0
    plans = AccountPlan.objects.all()
    assert plans.count() == 8  # every fifth key account has none
    statuses = sorted(plans.values_list("status", flat=True))
    assert statuses.count(PlanStatus.ACTIVE) == 4
    assert statuses.count(PlanStatus.DRAFT) == 2
    assert statuses.count(PlanStatus.IN_REVIEW) == 2
    stale_before = timezone.now() - dt.timedelta(days=settings.KAMPASS_PLAN_MAX_AGE_MONTHS * 30.44)
    assert plans.filter(approved_at__lt=stale_before).count() == 2
    assert SwotItem.objects.exclude(evidence_kind="").exists()
    assert RelationshipStageEntry.objects.count() == 16
    share = facade.programme_signals()["accounts_with_plan_share"]
    assert share == pytest.approx(2 / 10)
    assert demo_plans_load() == 0  # idempotent
    assert demo_plans_load(reset=True) == created
