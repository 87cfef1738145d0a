"""The demo's whitespace: one opportunity from a key account's top recommendation (and a mark on its second
one, when there is one); idempotent. The small purchase world recommends Acme one group only (10004)."""

from __future__ import annotations

import pytest

from kampass.pipeline.models import Opportunity
from kampass.screening.demo_whitespace import NOT_RELEVANT_REASON, demo_whitespace_load
from kampass.screening.models.whitespace import NotRelevantMark, WhitespaceOpportunity
from kampass.screening.tests.factories_whitespace import purchase_world
from kampass.users.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_demo_creates_one_whitespace_opportunity_and_one_mark_once():
    # given
    User.objects.create_user(username="head", password="pw-for-tests-1", role=Role.HEAD)
    world = purchase_world()
    # when
    created = demo_whitespace_load()
    again = demo_whitespace_load()
    # then
    ws = WhitespaceOpportunity.objects.get()
    assert (created, again) == (1, 0)
    assert (ws.account_id, ws.product_group) == (world.acme.pk, "10004")
    assert Opportunity.objects.get(pk=ws.opportunity_id).source == "whitespace"
    assert not NotRelevantMark.objects.filter(reason=NOT_RELEVANT_REASON).exists()
    # a reset of the demo deletes every opportunity first (the pipeline demo's reset), then this one's records
    Opportunity.objects.all().delete()
    assert demo_whitespace_load(reset=True) == 1
    assert WhitespaceOpportunity.objects.count() == 1


def test_without_a_head_or_purchases_the_demo_adds_nothing(db):
    assert demo_whitespace_load() == 0
    User.objects.create_user(username="head", password="pw-for-tests-1", role=Role.HEAD)
    assert demo_whitespace_load() == 0
    assert not WhitespaceOpportunity.objects.exists()
