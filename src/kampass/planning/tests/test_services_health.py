"""Health weights (head of KAM), daily snapshots (idempotent per day) and the notice of a drop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import AccountFactory, BuyingCentreMemberFactory, TeamMemberFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.core import scorecard as core
from kampass.planning import health_selectors
from kampass.planning.health_services import health_snapshots_record, health_weights_save, notice_mark_read
from kampass.planning.models import HealthSnapshot, Notice

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 1)


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return account


def test_the_head_sets_weights_and_the_score_uses_them(head, account):
    row = health_weights_save(actor=head, weights={"plan_freshness": 5, "leakage_share": 0}, note="plans first")

    assert row.weights["plan_freshness"] == 5
    assert row.weights["leakage_share"] == 0
    assert row.weights["forecast_bias"] == core.default_weights()["forecast_bias"]
    assert health_selectors.active_weights()["plan_freshness"] == 5


def test_weights_are_validated_and_only_the_head_sets_them(head, kam, account):
    with pytest.raises(PermissionDenied):
        health_weights_save(actor=kam, weights={"plan_freshness": 5})
    with pytest.raises(ValidationError) as exc:
        health_weights_save(actor=head, weights={"plan_freshness": 11})
    assert "plan_freshness" in exc.value.message_dict
    with pytest.raises(ValidationError):
        health_weights_save(actor=head, weights=dict.fromkeys(core.COMPONENT_KEYS, 0))


def test_a_stale_weights_form_is_refused(head):
    row = health_weights_save(actor=head, weights={"plan_freshness": 2})
    health_weights_save(actor=head, weights={"plan_freshness": 3}, version=row.version)

    with pytest.raises(ConcurrentEdit):
        health_weights_save(actor=head, weights={"plan_freshness": 4}, version=row.version)


def test_snapshots_are_one_per_account_and_day(head, account):
    first = health_snapshots_record(actor=head, day=DAY, account_ids=[account.pk])
    again = health_snapshots_record(actor=head, day=DAY, account_ids=[account.pk])

    assert (first.created, again.created, again.updated) == (1, 0, 1)
    snap = HealthSnapshot.objects.get(account=account, day=DAY)
    # without a plan and without anything else: plan freshness 0 is the only component with a value
    assert snap.score == 0.0
    assert {c["key"]: c["score"] for c in snap.components}["plan_freshness"] == 0.0


def test_a_drop_beyond_the_threshold_notifies_the_kam_and_the_head_once(head, kam, account, settings):
    settings.KAMPASS_HEALTH_DROP_POINTS = 10
    # given a decision maker covered nowhere (score 0) and a previous snapshot at 60
    BuyingCentreMemberFactory(account=account, influence=9)
    HealthSnapshot.objects.create(account=account, day=DAY - dt.timedelta(days=30), score=60.0, components=[])

    # when
    out = health_snapshots_record(actor=head, day=DAY, account_ids=[account.pk])
    health_snapshots_record(actor=head, day=DAY, account_ids=[account.pk])

    # then
    assert out.notices == 2
    notices = Notice.objects.filter(account=account)
    assert sorted(n.recipient_id for n in notices) == sorted([kam.pk, head.pk])
    assert notices[0].params["points"] == 60.0
    assert list(health_selectors.notices_of(kam)) == [n for n in notices if n.recipient_id == kam.pk]


def test_a_small_drop_raises_nothing(head, account):
    HealthSnapshot.objects.create(account=account, day=DAY - dt.timedelta(days=1), score=5.0, components=[])

    assert health_snapshots_record(actor=head, day=DAY, account_ids=[account.pk]).notices == 0


def test_a_kam_may_not_record_snapshots_and_only_the_recipient_marks_a_notice_read(head, kam, kam2, account):
    with pytest.raises(PermissionDenied):
        health_snapshots_record(actor=kam, day=DAY)
    notice = Notice.objects.create(recipient=kam, account=account, text="x", params={})

    with pytest.raises(PermissionDenied):
        notice_mark_read(actor=kam2, notice=notice)
    assert notice_mark_read(actor=kam, notice=notice).read_at is not None
    assert list(health_selectors.notices_of(kam)) == []
