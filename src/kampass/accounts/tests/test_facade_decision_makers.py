"""``decision_makers_covered``: deciding buying-centre members covered at the target level."""

from __future__ import annotations

import pytest

from kampass.accounts import facade
from kampass.accounts.models import BuyingCentreMember, Coverage
from kampass.accounts.tests.factories import AccountFactory, ContactFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def test_only_deciding_members_covered_at_or_above_target_count_once(kam, kam2):
    account, other = AccountFactory(), AccountFactory()
    team, team2 = TeamMemberFactory(account=account, user=kam), TeamMemberFactory(account=account, user=kam2)
    decider, buyer, user_role, uncovered = (ContactFactory() for _ in range(4))
    for contact, roles in [(decider, ["decider"]), (buyer, ["economic_buyer", "user"]), (user_role, ["user"]),
                           (uncovered, ["approver"])]:  # fmt: skip
        BuyingCentreMember.objects.create(account=account, contact=contact, roles=roles)
    # the decider at target by two members (counts once), the economic buyer below target by one, at it by the other
    Coverage.objects.create(team_member=team, contact=decider, level_now=3, level_target=3)
    Coverage.objects.create(team_member=team2, contact=decider, level_now=4, level_target=3)
    Coverage.objects.create(team_member=team, contact=buyer, level_now=1, level_target=3)
    Coverage.objects.create(team_member=team2, contact=buyer, level_now=4, level_target=4)
    Coverage.objects.create(team_member=team, contact=user_role, level_now=4, level_target=2)

    got = facade.decision_makers_covered([account.pk, other.pk])

    assert got == {account.pk: 2, other.pk: 0}
