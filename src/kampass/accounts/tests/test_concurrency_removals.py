"""No lost updates by removals in the accounts context: removing an account, a contact, a position, a
buying-centre entry, a team member or a coverage that someone else changed after the user (or API
client) saw it removes nothing; the user sees what changed and may remove it anyway."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts import services
from kampass.accounts.models import Account, BuyingCentreMember, Contact, Coverage, Position, TeamMember, TeamRole
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    CoverageFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.common.concurrency import ConcurrentEdit

# ---------------------------------------------------------------- services


def _team_member(admin_user):
    member = TeamMemberFactory(role="kam")
    services.team_member_set(actor=admin_user, account=member.account, user=member.user, role="sales")
    return member, lambda actor, version: services.team_member_remove(actor=actor, member=member, version=version)


def _coverage(admin_user):
    coverage = CoverageFactory(level_now=1, level_target=3)
    PositionFactory(account=coverage.team_member.account, contact=coverage.contact)
    services.coverage_set(
        actor=admin_user, team_member=coverage.team_member, contact=coverage.contact, level_now=2, level_target=4
    )
    return coverage, lambda actor, version: services.coverage_remove(actor=actor, coverage=coverage, version=version)


def _buying_centre(admin_user):
    member = BuyingCentreMemberFactory(influence=4)
    PositionFactory(account=member.account, contact=member.contact)
    services.buying_centre_set(
        actor=admin_user, account=member.account, contact=member.contact, roles=["decider"], influence=7
    )
    return member, lambda actor, version: services.buying_centre_remove(actor=actor, member=member, version=version)


def _position(admin_user):
    position = PositionFactory(title="Buyer")
    services.position_set(actor=admin_user, contact=position.contact, account=position.account, title="Chief buyer")
    return position, lambda actor, version: services.position_delete(actor=actor, position=position, version=version)


def _contact(admin_user):
    contact = ContactFactory(last_name="Muster")
    services.contact_update(actor=admin_user, contact=contact, phone="theirs")
    return contact, lambda actor, version: services.contact_delete(actor=actor, contact=contact, version=version)


def _account(admin_user):
    account = AccountFactory(name="Acme")
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    return account, lambda actor, version: services.account_delete(actor=actor, account=account, version=version)


ENTITIES = [_team_member, _coverage, _buying_centre, _position, _contact, _account]


@pytest.mark.parametrize("given", ENTITIES, ids=lambda f: f.__name__.strip("_"))
def test_a_removal_based_on_an_older_version_removes_nothing(db, head, admin_user, given):
    # given an object someone else changed (version 2) after the user saw version 1
    obj, remove = given(admin_user)
    model = type(obj)
    assert model.objects.get(pk=obj.pk).version == 2
    # when the user removes it based on version 1, then it is refused and the change survives
    with pytest.raises(ConcurrentEdit):
        remove(head, 1)
    assert model.objects.filter(pk=obj.pk).exists()
    # and removing it based on the version saved now removes it
    remove(head, 2)
    assert not model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("given", ENTITIES, ids=lambda f: f.__name__.strip("_"))
def test_a_removal_without_a_version_removes_what_is_saved(db, head, admin_user, given):
    obj, remove = given(admin_user)
    remove(head, None)
    assert not type(obj).objects.filter(pk=obj.pk).exists()


# ---------------------------------------------------------------- remove buttons and delete pages


def test_stale_team_member_removal_shows_both_roles_and_removes_only_when_confirmed(
    conflicts, client, head, admin_user
):
    # given a head of KAM who sees the team on the account page (the remove button carries version 1)
    member = TeamMemberFactory(role="kam")
    account = member.account
    client.force_login(head)
    page = reverse("account-detail", args=[account.pk])
    action = reverse("account-team-remove", args=[account.pk, member.pk])
    mine = conflicts.remove_button(client, page, action)
    assert mine["version"] == "1"
    # and an administrator who changed the role in the meantime
    services.team_member_set(actor=admin_user, account=account, user=member.user, role="sales")
    # when the head removes the member, then nothing is removed and both roles are shown
    body = conflicts.assert_conflict_page(
        client.post(action, mine), str(TeamRole("kam").label), str(TeamRole("sales").label), str(admin_user)
    )
    assert "Remove anyway" in body
    assert TeamMember.objects.filter(pk=member.pk).exists()
    # and removing it anyway (the conflict form carries the version saved now) removes it
    assert 'name="version" value="2"' in body
    assert client.post(action, {"version": "2"}).status_code == 302
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_stale_coverage_removal_answers_409_with_both_levels(conflicts, client, head, admin_user):
    coverage = CoverageFactory(level_now=1, level_target=3)
    account = coverage.team_member.account
    PositionFactory(account=account, contact=coverage.contact)
    client.force_login(head)
    action = reverse("account-coverage-remove", args=[account.pk, coverage.pk])
    mine = conflicts.remove_button(client, reverse("account-detail", args=[account.pk]), action)
    services.coverage_set(
        actor=admin_user, team_member=coverage.team_member, contact=coverage.contact, level_now=3, level_target=4
    )
    response = client.post(action, mine, headers={"HX-Request": "true"})
    body = conflicts.assert_conflict_page(response)
    assert response["Kampass-Conflict"] == "1"
    assert "<html" not in body
    assert body.count('class="differs"') == 2  # level now and target level
    assert Coverage.objects.get(pk=coverage.pk).level_now == 3


def test_stale_position_removal_answers_409(conflicts, client, head, admin_user):
    position = PositionFactory(title="Buyer")
    account = position.account
    client.force_login(head)
    action = reverse("account-position-remove", args=[account.pk, position.contact.pk])
    mine = conflicts.remove_button(client, reverse("account-detail", args=[account.pk]), action)
    services.position_set(actor=admin_user, contact=position.contact, account=account, title="Chief buyer")
    conflicts.assert_conflict_page(client.post(action, mine), "Buyer", "Chief buyer")
    assert Position.objects.get(pk=position.pk).title == "Chief buyer"


def test_a_current_removal_removes_at_once(conflicts, client, head):
    member = TeamMemberFactory(role="kam")
    client.force_login(head)
    action = reverse("account-team-remove", args=[member.account.pk, member.pk])
    mine = conflicts.remove_button(client, reverse("account-detail", args=[member.account.pk]), action)
    assert client.post(action, mine).status_code == 302
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_stale_account_delete_answers_409_with_the_change(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme", industry="Steel")
    client.force_login(head)
    url = reverse("account-delete", args=[account.pk])
    mine = conflicts.remove_button(client, url, url)
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    body = conflicts.assert_conflict_page(client.post(url, mine), "Steel", "Automotive")
    assert f'href="{reverse("account-detail", args=[account.pk])}"' in body  # keep it: back to the account
    assert Account.objects.filter(pk=account.pk).exists()


def test_stale_contact_delete_answers_409(conflicts, client, head, admin_user):
    contact = ContactFactory(last_name="Muster", phone="1")
    client.force_login(head)
    url = reverse("contact-delete", args=[contact.pk])
    mine = conflicts.remove_button(client, url, url)
    services.contact_update(actor=admin_user, contact=contact, phone="theirs-333")
    conflicts.assert_conflict_page(client.post(url, mine), "theirs-333")
    assert Contact.objects.filter(pk=contact.pk).exists()


# ---------------------------------------------------------------- API


def _paths(obj):
    if isinstance(obj, TeamMember):
        return f"/accounts/{obj.account.pk}/team/{obj.user.pk}"
    if isinstance(obj, Coverage):
        return f"/coverage/{obj.pk}"
    if isinstance(obj, BuyingCentreMember):
        return f"/accounts/{obj.account.pk}/buying-centre/{obj.contact.pk}"
    if isinstance(obj, Position):
        return f"/positions/{obj.pk}"
    if isinstance(obj, Contact):
        return f"/contacts/{obj.pk}"
    return f"/accounts/{obj.pk}"


@pytest.mark.parametrize("given", ENTITIES, ids=lambda f: f.__name__.strip("_"))
def test_api_delete_stale_answers_412_and_409_with_the_current_representation(
    conflicts, client, head, admin_user, given
):
    # given an object changed (version 2) after the client read version 1
    obj, _ = given(admin_user)
    path = _paths(obj)
    # when the client deletes with the stale If-Match or ?version=, nothing is deleted
    stale_header = conflicts.api_call(client, head, "delete", path, if_match='W/"1"')
    stale_query = conflicts.api_call(client, head, "delete", f"{path}?version=1")
    assert (stale_header.status_code, stale_query.status_code) == (412, 409)
    assert stale_header.json()["version"] == 2
    assert stale_header["ETag"] == stale_query["ETag"] == 'W/"2"'
    assert type(obj).objects.filter(pk=obj.pk).exists()
    # and with the current version it is deleted
    assert conflicts.api_call(client, head, "delete", path, if_match='W/"2"').status_code == 204
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_api_delete_with_the_current_query_version_deletes(conflicts, client, head):
    member = TeamMemberFactory(role="kam")
    path = f"/accounts/{member.account.pk}/team/{member.user.pk}?version=1"
    assert conflicts.api_call(client, head, "delete", path).status_code == 204
    assert not TeamMember.objects.filter(pk=member.pk).exists()
