from kampass.accounts.selectors import account_history, account_subtree, contact_history
from kampass.accounts.services import (
    account_create,
    account_update,
    buying_centre_set,
    contact_create,
    contact_update,
)


def test_history_lists_field_changes_with_user(admin_user, head):
    a = account_create(actor=admin_user, name="Old name")
    account_update(actor=head, account=a, name="New name")
    account_update(actor=head, account=a, industry="Chemicals")
    c = contact_create(actor=head, last_name="Muster", account=a)
    buying_centre_set(actor=head, account=a, contact=c, roles=["buyer"], influence=4)
    buying_centre_set(actor=head, account=a, contact=c, roles=["buyer", "decider"], influence=9)

    entries = account_history(a)

    changed = [(e.kind, e.changes, e.who) for e in entries if e.action == "changed"]
    assert ("Account", [("Name", "Old name", "New name")], head) in changed
    assert ("Account", [("Industry", "", "Chemicals")], head) in changed
    bc = next(e for e in entries if e.kind == "Buying centre" and e.action == "changed")
    assert bc.object_label == "Muster"
    assert {f for f, _old, _new in bc.changes} == {"Roles", "Influence"}
    # the roles by their labels, not their codes ['buyer']
    assert ("Roles", "Buyer", "Buyer, Decider") in bc.changes


def test_contact_history(head, admin_user):
    a = account_create(actor=admin_user, name="A")
    c = contact_create(actor=head, last_name="Muster", account=a)
    contact_update(actor=head, contact=c, email="m@example.com")
    entries = contact_history(c)
    assert any(e.changes == [("Email", "", "m@example.com")] for e in entries)
    assert any(e.kind == "Position" and e.object_label == "A" for e in entries)


def test_subtree_rolls_up_contacts(admin_user):
    g = account_create(actor=admin_user, name="G")
    c1 = account_create(actor=admin_user, name="C1", parent=g)
    s1 = account_create(actor=admin_user, name="S1", parent=c1)
    contact_create(actor=admin_user, last_name="A", account=s1)
    contact_create(actor=admin_user, last_name="B", account=c1)
    contact_create(actor=admin_user, last_name="C", account=g)
    rows = {r.account.name: r.contacts_total for r in account_subtree(g)}
    assert rows == {"G": 3, "C1": 2, "S1": 1}


def test_coverage_below_target_follows_the_core_rule(head, kam):
    # given: kam covers two contacts, one below target and one at it
    from kampass.accounts import selectors as account_selectors
    from kampass.accounts.models import Coverage
    from kampass.accounts.tests.factories import AccountFactory, ContactFactory, TeamMemberFactory

    account = AccountFactory()
    member = TeamMemberFactory(account=account, user=kam)
    below = Coverage.objects.create(team_member=member, contact=ContactFactory(), level_now=1, level_target=3)
    Coverage.objects.create(team_member=member, contact=ContactFactory(), level_now=3, level_target=3)
    # when
    cockpit = account_selectors.Cockpit(
        account=account,
        ancestors=[],
        subtree=[],
        details_visible=True,
        coverage=list(Coverage.objects.filter(team_member=member)),
    )
    # then
    assert cockpit.coverage_below_target == {below.pk}


def test_subtree_counts_distinct_people_and_contacts_not_memberships(admin_user, kam, kam2):
    # given: a group with two subsidiaries; kam is on the teams of both subsidiaries and of the group,
    # one contact holds positions at both subsidiaries
    from kampass.accounts.models import Position, TeamMember
    from kampass.accounts.tests.factories import ContactFactory, PositionFactory, TeamMemberFactory

    g = account_create(actor=admin_user, name="G")
    a = account_create(actor=admin_user, name="A", parent=g)
    b = account_create(actor=admin_user, name="B", parent=g)
    site = account_create(actor=admin_user, name="A site", parent=a)
    for account in (g, a, b):
        TeamMemberFactory(account=account, user=kam)
    TeamMemberFactory(account=site, user=kam2)
    both = ContactFactory(last_name="Both")
    PositionFactory(contact=both, account=a)
    PositionFactory(contact=both, account=b)
    PositionFactory(contact=ContactFactory(last_name="Site"), account=site)
    # when
    rows = {r.account.name: (r.contacts_total, r.team_total) for r in account_subtree(g)}
    # then: the figures equal a plain set computation over each subtree
    subtrees = {"G": [g, a, b, site], "A": [a, site], "B": [b], "A site": [site]}
    expected = {
        name: (
            len(set(Position.objects.filter(account__in=accounts).values_list("contact_id", flat=True))),
            len(set(TeamMember.objects.filter(account__in=accounts).values_list("user_id", flat=True))),
        )
        for name, accounts in subtrees.items()
    }
    assert rows == expected
    assert rows["G"] == (2, 2)  # not 3 positions and 4 memberships
