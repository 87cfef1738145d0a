"""Which contacts a key account manager sees (``visible_contacts``): those with a position at an account of
their teams or below it, and those without any position. The condition for the latter is only added while
such contacts exist (finding them takes a pass over every contact): the result is the same either way."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kampass.accounts.models import Contact
from kampass.accounts.selectors import contact_list, visible_contacts
from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory


def _names(qs):
    return sorted(c.last_name for c in qs)


def _placed(last_name, account):
    contact = ContactFactory(last_name=last_name)
    PositionFactory(contact=contact, account=account)
    return contact


def test_a_kam_sees_the_contacts_at_their_accounts_and_below_and_those_without_a_position(db, kam, head):
    group = AccountFactory(name="Group")
    site = AccountFactory(name="Site", parent=group)
    other = AccountFactory(name="Other")
    TeamMemberFactory(account=group, user=kam)
    _placed("Atgroup", group)
    _placed("Atsite", site)
    _placed("Elsewhere", other)

    # every contact has a position: no pass for the unplaced ones, and the same contacts as with it
    with CaptureQueriesContext(connection) as ctx:
        seen = _names(visible_contacts(kam))
    assert seen == ["Atgroup", "Atsite"]
    assert not any("NOT" in q["sql"] for q in ctx.captured_queries)
    assert contact_list(user=kam).count() == 2

    # a contact without a position appears for the KAM (and everybody), the one elsewhere still does not
    ContactFactory(last_name="Unplaced")
    assert _names(visible_contacts(kam)) == ["Atgroup", "Atsite", "Unplaced"]
    assert contact_list(user=kam).count() == 3
    assert _names(visible_contacts(head)) == ["Atgroup", "Atsite", "Elsewhere", "Unplaced"]


def test_a_kam_without_a_team_sees_only_contacts_without_a_position_and_none_when_all_are_placed(db, kam):
    other = AccountFactory(name="Other")
    _placed("Elsewhere", other)
    assert list(visible_contacts(kam)) == []
    assert contact_list(user=kam).count() == 0

    ContactFactory(last_name="Unplaced")
    assert _names(visible_contacts(kam)) == ["Unplaced"]
    assert Contact.objects.count() == 2
