"""What the accounts' facade tells the health score: decision makers covered at target level, the KAMs
of an account and the team that may own its actions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kampass.accounts import facade
from kampass.accounts.models import BuyingCentreMember
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
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


def test_decision_maker_coverage_as_of_a_past_day_reads_the_change_history(kam, settings):
    settings.KAMPASS_HIGH_INFLUENCE = 7
    zurich = ZoneInfo("Europe/Zurich")
    # given on 1 March: two decision makers, one covered below target
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=zurich), tick=False):
        account = AccountFactory()
        member = TeamMemberFactory(account=account, user=kam)
        ceo, buyer = (
            BuyingCentreMemberFactory(account=account, influence=9),
            BuyingCentreMemberFactory(account=account, influence=8),
        )
        link = CoverageFactory(team_member=member, contact=ceo.contact, level_now=1, level_target=3)
    # on 1 April the CEO is reached at target; late on 1 May (23:30 local) the buyer leaves the buying centre
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, tzinfo=zurich), tick=False):
        link.level_now = 3
        link.save()
    with time_machine.travel(dt.datetime(2026, 5, 1, 23, 30, tzinfo=zurich), tick=False):
        buyer.delete()
    # and a member created in bulk (an import without history): known only as it is now
    bulk = BuyingCentreMemberFactory.build(account=account, influence=7, contact=ContactFactory())
    BuyingCentreMember.objects.bulk_create([bulk])

    def on(day):
        c = facade.decision_maker_coverage([account.pk], as_of=day)[account.pk]
        return (c.decision_makers, c.covered)

    # then each day sees the buying centre as it stood at the day's end
    assert on(dt.date(2026, 2, 28)) == (1, 0)  # only the bulk member, whose past is unknown
    assert on(dt.date(2026, 3, 31)) == (3, 0)
    assert on(dt.date(2026, 4, 1)) == (3, 1)
    assert on(dt.date(2026, 4, 30)) == (3, 1)
    assert on(dt.date(2026, 5, 1)) == (2, 1)  # deleted before midnight in Zurich (21:30 UTC)
    assert on(None) == (2, 1)
    assert facade.decision_maker_coverage([account.pk], as_of=dt.date(2026, 4, 1))[account.pk].share == pytest.approx(
        1 / 3
    )


def test_account_kams_and_the_team_of_an_account_and_its_ancestors(kam, kam2):
    group = AccountFactory()
    child = AccountFactory(parent=group)
    TeamMemberFactory(account=group, user=kam, role="kam")
    TeamMemberFactory(account=child, user=kam2, role="service")

    assert [k.user_id for k in facade.account_kams([group.pk, child.pk])[group.pk]] == [kam.pk]
    assert child.pk not in facade.account_kams([child.pk])
    assert facade.team_user_ids(child.pk) == sorted([kam.pk, kam2.pk])
