"""What the accounts' facade tells the health score: decision makers covered at target level, the KAMs
of an account and the team that may own its actions."""

from __future__ import annotations

import pytest

from kampass.accounts import facade
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    CoverageFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


def test_decision_maker_coverage_counts_influential_contacts_reached_at_target_level(kam, settings):
    settings.KAMPASS_HIGH_INFLUENCE = 7
    # given three influential contacts (one covered at target, one below, one not at all) and a minor one
    account = AccountFactory()
    member = TeamMemberFactory(account=account, user=kam)
    reached, below, _uncovered, _minor = (BuyingCentreMemberFactory(account=account, influence=i) for i in (9, 8, 7, 3))
    CoverageFactory(team_member=member, contact=reached.contact, level_now=3, level_target=3)
    CoverageFactory(team_member=member, contact=below.contact, level_now=1, level_target=3)
    empty = AccountFactory()

    # when
    got = facade.decision_maker_coverage([account.pk, empty.pk])

    # then
    assert (got[account.pk].decision_makers, got[account.pk].covered) == (3, 1)
    assert got[account.pk].share == pytest.approx(1 / 3)
    assert got[empty.pk].share is None


def test_account_kams_and_the_team_of_an_account_and_its_ancestors(kam, kam2):
    group = AccountFactory()
    child = AccountFactory(parent=group)
    TeamMemberFactory(account=group, user=kam, role="kam")
    TeamMemberFactory(account=child, user=kam2, role="service")

    assert [k.user_id for k in facade.account_kams([group.pk, child.pk])[group.pk]] == [kam.pk]
    assert child.pk not in facade.account_kams([child.pk])
    assert facade.team_user_ids(child.pk) == sorted([kam.pk, kam2.pk])
