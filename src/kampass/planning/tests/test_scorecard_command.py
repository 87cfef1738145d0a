"""``kampass scorecard --json``: the contract of the automated checks (keys, contributions adding up to
the health) and the value of a score computed by hand; ``--record`` stores the day's snapshots."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    CoverageFactory,
    TeamMemberFactory,
)
from kampass.planning.models import HealthSnapshot, PlanStatus
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(kam, admin_user):
    # a key account with a plan signed off today and two decision makers, one covered at target level
    covered = AccountFactory(name="Kone", kam_status="key_account")
    member = TeamMemberFactory(account=covered, user=kam, role="kam")
    make_plan(account=covered, status=PlanStatus.ACTIVE)
    a, _b = (
        BuyingCentreMemberFactory(account=covered, influence=9),
        BuyingCentreMemberFactory(account=covered, influence=8),
    )
    CoverageFactory(team_member=member, contact=a.contact, level_now=3, level_target=3)
    # a key account with nothing but its missing plan; and an account that is no key account
    bare = AccountFactory(name="Otis", kam_status="key_account")
    AccountFactory(name="Small GmbH")
    return covered, bare


def run(*args: str) -> str:
    out = StringIO()
    call_command("scorecard", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_key_account_with_contributions_adding_up_to_its_health(accounts):
    covered, bare = accounts

    doc = json.loads(run("--json"))

    assert set(doc) == {"accounts"}
    by_id = {a["account_id"]: a for a in doc["accounts"]}
    assert set(by_id) == {covered.pk, bare.pk}
    for a in doc["accounts"]:
        assert set(a) == {"account_id", "account", "health", "components"}
        assert all(set(c) == {"key", "value", "weight", "contribution"} for c in a["components"])
        assert abs(sum(c["contribution"] for c in a["components"]) - a["health"]) <= 0.5
    # by hand, default weights: plan freshness 1 x 1.0, decision makers 2 x 0.5 and reviews held
    # (none in six months) 1 x 0 over weight 4; the other components have no value
    assert by_id[covered.pk]["health"] == pytest.approx(100 * (1 * 1.0 + 2 * 0.5 + 1 * 0.0) / 4, abs=0.05)
    assert by_id[bare.pk]["health"] == 0.0
    assert by_id[covered.pk]["account"] == "Kone"


def test_record_stores_the_days_snapshots_once(accounts):
    run("--record", "--day", "2026-05-01")
    text = run("--record", "--day", "2026-05-01")

    assert HealthSnapshot.objects.count() == 2
    assert "2 snapshot(s)" in text
    assert "2 replaced" in text
    assert "Kone" in text
