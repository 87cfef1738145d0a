"""No lost updates in the accounts context: a stale edit (form or API) is refused and the change
saved in the meantime survives; the user sees both versions and may re-apply theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts import services
from kampass.accounts.models import Account, BuyingCentreMember, Contact, Coverage, Position, TeamMember
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    CoverageFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.common.concurrency import ConcurrentEdit

# ---------------------------------------------------------------- the mechanism


def test_a_save_raises_the_version_and_a_stale_instance_cannot_overwrite(db):
    # given two copies of one account loaded at the same time
    account = AccountFactory(name="Acme")
    first, second = Account.objects.get(pk=account.pk), Account.objects.get(pk=account.pk)
    assert first.version == 1
    # when the first is saved
    first.notes = "first"
    first.save()
    # then its version went up, and the stale second copy is refused without writing
    assert first.version == 2
    second.notes = "second"
    with pytest.raises(ConcurrentEdit):
        second.save()
    assert second.version == 1
    stored = Account.objects.get(pk=account.pk)
    assert (stored.notes, stored.version) == ("first", 2)


def test_a_service_refuses_a_change_based_on_an_older_version(db, head):
    account = AccountFactory(name="Acme")
    services.account_update(actor=head, account=account, notes="by someone else")
    with pytest.raises(ConcurrentEdit):
        services.account_update(actor=head, account=Account.objects.get(pk=account.pk), version=1, notes="mine")
    assert Account.objects.get(pk=account.pk).notes == "by someone else"


# ---------------------------------------------------------------- edit forms


def test_stale_account_edit_answers_409_with_both_versions_and_keeps_the_other_change(
    conflicts, client, head, admin_user
):
    # given a user who opened the edit form
    account = AccountFactory(name="Acme", industry="Steel")
    client.force_login(head)
    url = reverse("account-edit", args=[account.pk])
    mine = conflicts.loaded_form(client, url, industry="Chemicals")
    # and another user who saved in the meantime
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    # when the first saves
    response = client.post(url, mine)
    # then nothing is written, and both versions are shown with who changed it
    body = conflicts.assert_conflict_page(response, "Chemicals", "Automotive", str(admin_user))
    assert "Save my entry anyway" in body
    assert Account.objects.get(pk=account.pk).industry == "Automotive"
    # and re-applying the entry (the conflict form carries the current version) saves it
    again = {k: v for k, v in mine.items() if k != "version"} | {"version": "2"}
    assert client.post(url, again).status_code == 302
    assert Account.objects.get(pk=account.pk).industry == "Chemicals"


def test_stale_account_edit_by_htmx_answers_the_conflict_fragment(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme", industry="Steel")
    client.force_login(head)
    url = reverse("account-edit", args=[account.pk])
    mine = conflicts.loaded_form(client, url, industry="Chemicals")
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    response = client.post(url, mine, headers={"HX-Request": "true"})
    body = conflicts.assert_conflict_page(response, "Chemicals", "Automotive")
    assert response["Kampass-Conflict"] == "1"
    assert "<html" not in body
    assert Account.objects.get(pk=account.pk).industry == "Automotive"


def test_stale_status_change_answers_409(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme")
    client.force_login(head)
    url = reverse("account-status", args=[account.pk])
    mine = conflicts.loaded_form(client, url, status="candidate", reason="mine", effective_date="2026-01-01")
    services.account_update(actor=admin_user, account=account, notes="meanwhile")
    conflicts.assert_conflict_page(client.post(url, mine))
    assert Account.objects.get(pk=account.pk).kam_status == "prospect"


def test_stale_contact_edit_answers_409(conflicts, client, head, admin_user):
    contact = ContactFactory(last_name="Muster", phone="1")
    client.force_login(head)
    url = reverse("contact-edit", args=[contact.pk])
    mine = conflicts.loaded_form(client, url, phone="mine-222")
    services.contact_update(actor=admin_user, contact=contact, phone="theirs-333")
    conflicts.assert_conflict_page(client.post(url, mine), "mine-222", "theirs-333")
    assert Contact.objects.get(pk=contact.pk).phone == "theirs-333"


def test_stale_buying_centre_membership_edit_answers_409(conflicts, client, head, admin_user):
    position = PositionFactory(title="Buyer")
    BuyingCentreMemberFactory(account=position.account, contact=position.contact, influence=4)
    client.force_login(head)
    url = reverse("account-member-edit", args=[position.account.pk, position.contact.pk])
    mine = conflicts.loaded_form(client, url, title="Chief buyer", influence="9")
    services.account_person_update(
        actor=admin_user, account=position.account, contact=position.contact, title="Head of buying",
        in_buying_centre=True, roles=["decider"], influence=6,
    )  # fmt: skip
    conflicts.assert_conflict_page(client.post(url, mine), "Chief buyer", "Head of buying")
    assert Position.objects.get(pk=position.pk).title == "Head of buying"
    assert BuyingCentreMember.objects.get(account=position.account, contact=position.contact).influence == 6


def test_stale_team_member_edit_answers_409_with_both_roles(conflicts, client, head, admin_user):
    # given a head of KAM who opened the team member's edit form from the account page
    member = TeamMemberFactory(role="kam")
    account = member.account
    client.force_login(head)
    assert f"?member={member.pk}" in client.get(reverse("account-detail", args=[account.pk])).content.decode()
    url = reverse("account-team-add", args=[account.pk]) + f"?member={member.pk}"
    mine = conflicts.loaded_form(client, url, role="service")
    assert mine["version"] == "1"
    # and an administrator who changed the role in the meantime
    services.team_member_set(actor=admin_user, account=account, user=member.user, role="sales")
    # when the head saves, then nothing is written and both roles are shown
    conflicts.assert_conflict_page(client.post(url, mine), "Service", "Sales", str(admin_user))
    assert TeamMember.objects.get(pk=member.pk).role == "sales"
    # and re-applying the entry (based on the saved version) saves it
    again = {k: v for k, v in mine.items() if k != "version"} | {"version": "2"}
    assert client.post(url, again).status_code == 302
    assert TeamMember.objects.get(pk=member.pk).role == "service"


def test_adding_a_team_member_who_was_added_meanwhile_answers_409(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme")
    user = TeamMemberFactory().user
    client.force_login(head)
    url = reverse("account-team-add", args=[account.pk])
    mine = conflicts.loaded_form(client, url, user=str(user.pk), role="service")
    assert mine["version"] == "0"
    services.team_member_set(actor=admin_user, account=account, user=user, role="kam")
    conflicts.assert_conflict_page(client.post(url, mine), "Service", "Key account manager")
    assert TeamMember.objects.get(account=account, user=user).role == "kam"


def test_stale_coverage_edit_answers_409_with_both_levels(conflicts, client, head, admin_user):
    coverage = CoverageFactory(level_now=1, level_target=3)
    account = coverage.team_member.account
    PositionFactory(account=account, contact=coverage.contact)
    client.force_login(head)
    assert f"?coverage={coverage.pk}" in client.get(reverse("account-detail", args=[account.pk])).content.decode()
    url = reverse("account-coverage-add", args=[account.pk]) + f"?coverage={coverage.pk}"
    mine = conflicts.loaded_form(client, url, level_now="4")
    assert (mine["level_now"], mine["version"]) == ("4", "1")
    services.coverage_set(
        actor=admin_user, team_member=coverage.team_member, contact=coverage.contact, level_now=2, level_target=4
    )
    response = client.post(url, mine)
    conflicts.assert_conflict_page(response, str(admin_user))
    rows = response.context["rows"]
    assert {r["label"]: (r["mine"], r["saved"]) for r in rows if r["differs"]} == {
        "Relationship now": (_level(4), _level(2)),
        "Target relationship": (_level(3), _level(4)),
    }
    saved = Coverage.objects.get(pk=coverage.pk)
    assert (saved.level_now, saved.level_target) == (2, 4)


def test_adding_coverage_that_was_recorded_meanwhile_answers_409(conflicts, client, head, admin_user):
    member = TeamMemberFactory()
    position = PositionFactory(account=member.account)
    client.force_login(head)
    url = reverse("account-coverage-add", args=[member.account.pk]) + f"?contact={position.contact.pk}"
    mine = conflicts.loaded_form(client, url, team_member=str(member.pk), level_now="3", level_target="4")
    services.coverage_set(actor=admin_user, team_member=member, contact=position.contact, level_now=1, level_target=2)
    conflicts.assert_conflict_page(client.post(url, mine))
    assert Coverage.objects.get(team_member=member, contact=position.contact).level_now == 1


def _level(value: int) -> str:
    from kampass.accounts.models import RelationshipLevel

    return str(RelationshipLevel(value).label)


# ---------------------------------------------------------------- API


def test_account_get_and_patch_carry_etag_and_version(conflicts, client, head):
    account = AccountFactory(name="Acme")
    got = conflicts.api_call(client, head, "get", f"/accounts/{account.pk}")
    assert got["ETag"] == 'W/"1"'
    assert got.json()["version"] == 1
    patched = conflicts.api_call(client, head, "patch", f"/accounts/{account.pk}", {"notes": "x"}, if_match='W/"1"')
    assert patched.status_code == 200
    assert patched["ETag"] == 'W/"2"'
    assert patched.json()["version"] == 2


def test_account_patch_with_stale_if_match_answers_412_with_the_current_representation(
    conflicts, client, head, admin_user
):
    account = AccountFactory(name="Acme")
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    response = conflicts.api_call(
        client, head, "patch", f"/accounts/{account.pk}", {"industry": "Mine"}, if_match='W/"1"'
    )
    assert response.status_code == 412
    assert response.json()["industry"] == "Automotive"
    assert response.json()["version"] == 2
    assert response["ETag"] == 'W/"2"'
    assert Account.objects.get(pk=account.pk).industry == "Automotive"


def test_account_patch_with_stale_body_version_answers_409(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme")
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    response = conflicts.api_call(client, head, "patch", f"/accounts/{account.pk}", {"industry": "Mine", "version": 1})
    assert response.status_code == 409
    assert response.json()["industry"] == "Automotive"
    assert Account.objects.get(pk=account.pk).industry == "Automotive"


def test_account_patch_without_a_version_is_accepted(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme")
    services.account_update(actor=admin_user, account=account, industry="Automotive")
    response = conflicts.api_call(client, head, "patch", f"/accounts/{account.pk}", {"industry": "Mine"})
    assert response.status_code == 200
    assert Account.objects.get(pk=account.pk).industry == "Mine"


def test_stale_status_change_by_api_answers_409(conflicts, client, head, admin_user):
    account = AccountFactory(name="Acme")
    services.account_update(actor=admin_user, account=account, notes="meanwhile")
    body = {"kam_status": "candidate", "status_reason": "why", "version": 1}
    assert conflicts.api_call(client, head, "patch", f"/accounts/{account.pk}", body).status_code == 409
    assert Account.objects.get(pk=account.pk).kam_status == "prospect"


def test_contact_patch_stale_answers_412_and_409(conflicts, client, head, admin_user):
    contact = ContactFactory(last_name="Muster")
    assert conflicts.api_call(client, head, "get", f"/contacts/{contact.pk}")["ETag"] == 'W/"1"'
    services.contact_update(actor=admin_user, contact=contact, phone="theirs")
    path = f"/contacts/{contact.pk}"
    stale_header = conflicts.api_call(client, head, "patch", path, {"phone": "mine"}, if_match='W/"1"')
    stale_body = conflicts.api_call(client, head, "patch", path, {"phone": "mine", "version": 1})
    assert (stale_header.status_code, stale_body.status_code) == (412, 409)
    assert stale_header.json()["phone"] == "theirs"
    assert Contact.objects.get(pk=contact.pk).phone == "theirs"


def test_buying_centre_put_stale_answers_412_and_409(conflicts, client, head, admin_user):
    member = BuyingCentreMemberFactory(influence=4)
    PositionFactory(account=member.account, contact=member.contact)
    path = f"/accounts/{member.account.pk}/buying-centre/{member.contact.pk}"
    services.buying_centre_set(
        actor=admin_user, account=member.account, contact=member.contact, roles=["decider"], influence=7
    )
    assert conflicts.api_call(client, head, "put", path, {"influence": 2}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "put", path, {"influence": 2, "version": 1}).status_code == 409
    assert BuyingCentreMember.objects.get(pk=member.pk).influence == 7
    fresh = conflicts.api_call(client, head, "put", path, {"influence": 2, "version": 2})
    assert (fresh.status_code, fresh.json()["version"], fresh["ETag"]) == (200, 3, 'W/"3"')


def test_team_member_put_stale_answers_412_and_409(conflicts, client, head, admin_user):
    member = TeamMemberFactory(role="kam")
    path = f"/accounts/{member.account.pk}/team/{member.user.pk}"
    services.team_member_set(actor=admin_user, account=member.account, user=member.user, role="sales")
    assert conflicts.api_call(client, head, "put", path, {"role": "service"}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "put", path, {"role": "service", "version": 1}).status_code == 409
    assert TeamMember.objects.get(pk=member.pk).role == "sales"


def test_coverage_put_stale_answers_412_and_409(conflicts, client, head, admin_user):
    coverage = CoverageFactory(level_now=1, level_target=3)
    account = coverage.team_member.account
    PositionFactory(account=account, contact=coverage.contact)
    services.coverage_set(
        actor=admin_user, team_member=coverage.team_member, contact=coverage.contact, level_now=2, level_target=4
    )
    body = {"team_user_id": coverage.team_member.user.pk, "contact_id": coverage.contact.pk, "level_now": 3}
    body["level_target"] = 3
    assert (
        conflicts.api_call(client, head, "put", f"/accounts/{account.pk}/coverage", body, if_match='"1"').status_code
        == 412
    )
    stale = conflicts.api_call(client, head, "put", f"/accounts/{account.pk}/coverage", {**body, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["level_now"] == 2
    assert Coverage.objects.get(pk=coverage.pk).level_now == 2
