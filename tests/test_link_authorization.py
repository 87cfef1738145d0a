"""Object-level authorization of every operation that links objects by id (issue 10, item 20).

A key account manager on account A tries every link-type operation (positions, reports-to,
buying centre, coverage, team, the buying centre of a project, opportunities and the account
hierarchy) with objects of account B, whose team they are not on: through the JSON API and
through the form posts of the UI. Each must be refused (403 or 422 with a message) and change
nothing. The same operations with their own objects still succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kampass.accounts.models import Account, BuyingCentreMember, Contact, Coverage, Position, TeamMember
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    ContactFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.pipeline.models import Opportunity, OpportunityContact
from kampass.pipeline.tests.factories import make_opportunity
from kampass.users.models import User


@pytest.fixture(autouse=True)
def _data_directory_per_test(settings: Any, tmp_path: Path) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"


@dataclass
class World:
    kam: User
    kam2: User
    own: Account  # kam is on its team
    own_plant: Account  # below ``own``: kam works on it through the team of ``own``
    own_contact: Contact  # position at ``own``, in its buying centre
    plant_contact: Contact  # position at ``own_plant`` only
    own_team_member: TeamMember
    own_opportunity: Opportunity
    foreign: Account  # kam2's account; kam is not on its team
    foreign_contact: Contact  # position at ``foreign``, in its buying centre, with confidential notes
    foreign_team_member: TeamMember
    foreign_opportunity: Opportunity
    foreign_group: Account  # kam2's group above ``own_site``
    own_site: Account  # kam is on the team of this site only
    group_contact: Contact  # position at ``foreign_group`` (in the hierarchy of ``own_site``)
    site_opportunity: Opportunity


@pytest.fixture
def world(admin_user: User, kam: User, kam2: User) -> World:
    own = AccountFactory(name="Own AG")
    own_team_member = TeamMemberFactory(account=own, user=kam)
    own_plant = AccountFactory(name="Own Plant", parent=own)
    own_contact = PositionFactory(account=own, contact=ContactFactory(last_name="Owner")).contact
    BuyingCentreMemberFactory(account=own, contact=own_contact, roles=["buyer"], influence=6)
    plant_contact = PositionFactory(account=own_plant, contact=ContactFactory(last_name="Planter")).contact
    foreign = AccountFactory(name="Foreign SA")
    foreign_team_member = TeamMemberFactory(account=foreign, user=kam2)
    foreign_contact = PositionFactory(
        account=foreign,
        contact=ContactFactory(last_name="Stranger", email="stranger@example.com", notes="confidential"),
    ).contact
    BuyingCentreMemberFactory(account=foreign, contact=foreign_contact, roles=["decider"], influence=9)
    foreign_group = AccountFactory(name="Foreign Group")
    TeamMemberFactory(account=foreign_group, user=kam2)
    own_site = AccountFactory(name="Group Site", parent=foreign_group)
    TeamMemberFactory(account=own_site, user=kam)
    group_contact = PositionFactory(account=foreign_group, contact=ContactFactory(last_name="Grouper")).contact
    return World(
        kam=kam,
        kam2=kam2,
        own=own,
        own_plant=own_plant,
        own_contact=own_contact,
        plant_contact=plant_contact,
        own_team_member=own_team_member,
        own_opportunity=make_opportunity(account=own, name="Own deal"),
        foreign=foreign,
        foreign_contact=foreign_contact,
        foreign_team_member=foreign_team_member,
        foreign_opportunity=make_opportunity(account=foreign, name="Foreign deal"),
        foreign_group=foreign_group,
        own_site=own_site,
        group_contact=group_contact,
        site_opportunity=make_opportunity(account=own_site, name="Site deal"),
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything a link operation could change."""
    return {
        "accounts": sorted(Account.objects.values_list("pk", "parent_id", "name", "path")),
        "contacts": sorted(Contact.objects.values_list("pk", "last_name", "email", "phone", "notes")),
        "positions": sorted(Position.objects.values_list("contact_id", "account_id", "title", "reports_to_id")),
        "buying_centre": sorted(
            (a, c, tuple(r), i)
            for a, c, r, i in BuyingCentreMember.objects.values_list("account_id", "contact_id", "roles", "influence")
        ),
        "coverage": sorted(Coverage.objects.values_list("team_member_id", "contact_id", "level_now", "level_target")),
        "team": sorted(TeamMember.objects.values_list("account_id", "user_id", "role")),
        "opportunities": sorted(Opportunity.objects.values_list("pk", "account_id", "name", "owner_id")),
        "opportunity_contacts": sorted(
            (o, c, tuple(r))
            for o, c, r in OpportunityContact.objects.values_list("opportunity_id", "contact_id", "roles")
        ),
    }


# ---------------------------------------------------------------- the API

Op = Callable[[World], tuple[str, str, dict[str, Any] | None]]
BC = {"roles": ["decider"], "influence": 7}

FOREIGN_API_OPS: dict[str, Op] = {
    "position: foreign contact at own account": lambda w: (
        "post", f"/accounts/{w.own.pk}/positions", {"contact_id": w.foreign_contact.pk}
    ),
    "position: reports to a foreign contact": lambda w: (
        "post", f"/accounts/{w.own.pk}/positions",
        {"contact_id": w.plant_contact.pk, "reports_to_id": w.foreign_contact.pk},
    ),
    "position: own contact at foreign account": lambda w: (
        "post", f"/accounts/{w.foreign.pk}/positions", {"contact_id": w.own_contact.pk}
    ),
    "contact: created at foreign account": lambda w: (
        "post", "/contacts", {"last_name": "Newcomer", "account_id": w.foreign.pk}
    ),
    "contact: created reporting to a foreign contact": lambda w: (
        "post", "/contacts",
        {"last_name": "Newcomer", "account_id": w.own.pk, "reports_to_id": w.foreign_contact.pk},
    ),
    "contact: edit a foreign contact": lambda w: (
        "patch", f"/contacts/{w.foreign_contact.pk}", {"email": "taken@example.com"}
    ),
    "buying centre: foreign contact at own account": lambda w: (
        "put", f"/accounts/{w.own.pk}/buying-centre/{w.foreign_contact.pk}", BC
    ),
    "buying centre: of the foreign account": lambda w: (
        "put", f"/accounts/{w.foreign.pk}/buying-centre/{w.foreign_contact.pk}", BC
    ),
    "coverage: foreign contact at own account": lambda w: (
        "put", f"/accounts/{w.own.pk}/coverage",
        {"team_user_id": w.kam.pk, "contact_id": w.foreign_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "coverage: foreign team member at own account": lambda w: (
        "put", f"/accounts/{w.own.pk}/coverage",
        {"team_user_id": w.kam2.pk, "contact_id": w.own_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "coverage: at the foreign account": lambda w: (
        "put", f"/accounts/{w.foreign.pk}/coverage",
        {"team_user_id": w.kam2.pk, "contact_id": w.foreign_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "team: join the foreign account's team": lambda w: (
        "put", f"/accounts/{w.foreign.pk}/team/{w.kam.pk}", {"role": "kam"}
    ),
    "opportunity contact: foreign contact on own deal": lambda w: (
        "put", f"/opportunities/{w.own_opportunity.pk}/contacts/{w.foreign_contact.pk}", {"roles": ["decider"]}
    ),
    "opportunity contact: foreign group's contact on own site's deal": lambda w: (
        "put", f"/opportunities/{w.site_opportunity.pk}/contacts/{w.group_contact.pk}", {"roles": ["decider"]}
    ),
    "opportunity contact: own contact on foreign deal": lambda w: (
        "put", f"/opportunities/{w.foreign_opportunity.pk}/contacts/{w.own_contact.pk}", {"roles": ["decider"]}
    ),
    "opportunity: created on the foreign account": lambda w: (
        "post", "/opportunities", {"account_id": w.foreign.pk, "name": "Grab", "amount": "1000"}
    ),
    "opportunity: own deal moved to the foreign account": lambda w: (
        "patch", f"/opportunities/{w.own_opportunity.pk}", {"account_id": w.foreign.pk}
    ),
    "account: created below the foreign account": lambda w: (
        "post", "/accounts", {"name": "Annex", "parent_id": w.foreign.pk}
    ),
    "account: own account moved below the foreign account": lambda w: (
        "patch", f"/accounts/{w.own.pk}", {"parent_id": w.foreign.pk}
    ),
}  # fmt: skip

OWN_API_OPS: dict[str, tuple[Op, int]] = {
    "position: own contact, reporting to own contact": (
        lambda w: (
            "post", f"/accounts/{w.own.pk}/positions",
            {"contact_id": w.plant_contact.pk, "reports_to_id": w.own_contact.pk},
        ),
        201,
    ),
    "contact: created at own account reporting to own contact": (
        lambda w: (
            "post", "/contacts", {"last_name": "Newcomer", "account_id": w.own.pk, "reports_to_id": w.own_contact.pk}
        ),
        201,
    ),
    "buying centre: own contact": (
        lambda w: ("put", f"/accounts/{w.own.pk}/buying-centre/{w.own_contact.pk}", BC), 200
    ),
    "coverage: own contact": (
        lambda w: (
            "put", f"/accounts/{w.own.pk}/coverage",
            {"team_user_id": w.kam.pk, "contact_id": w.own_contact.pk, "level_now": 1, "level_target": 2},
        ),
        200,
    ),
    "opportunity contact: own contact on own deal": (
        lambda w: (
            "put", f"/opportunities/{w.own_opportunity.pk}/contacts/{w.own_contact.pk}", {"roles": ["decider"]}
        ),
        200,
    ),
    "opportunity contact: contact of own subsidiary on own deal": (
        lambda w: (
            "put", f"/opportunities/{w.own_opportunity.pk}/contacts/{w.plant_contact.pk}", {"roles": ["user"]}
        ),
        200,
    ),
    "account: created below own account": (
        lambda w: ("post", "/accounts", {"name": "Annex", "parent_id": w.own.pk}),
        201,
    ),
}  # fmt: skip


def _messages(response: Any) -> list[str]:
    detail = response.json()["detail"]
    return [detail] if isinstance(detail, str) else [d["msg"] for d in detail]


@pytest.mark.parametrize("name", FOREIGN_API_OPS)
def test_api_refuses_linking_foreign_objects(api, world, name):
    # given
    method, path, body = FOREIGN_API_OPS[name](world)
    before = snapshot()
    # when
    response = api(world.kam, method, path, body)
    # then
    assert response.status_code in (403, 422), (name, response.status_code, response.content)
    assert all(m.strip() for m in _messages(response)), response.content
    assert snapshot() == before


@pytest.mark.parametrize("name", OWN_API_OPS)
def test_api_links_own_objects(api, world, name):
    # given
    op, status = OWN_API_OPS[name]
    method, path, body = op(world)
    # when
    response = api(world.kam, method, path, body)
    # then
    assert response.status_code == status, response.content


def test_api_takeover_of_a_foreign_contact_is_refused_with_a_clear_message(api, world):
    # when the KAM attaches a foreign contact to their own account
    response = api(world.kam, "post", f"/accounts/{world.own.pk}/positions", {"contact_id": world.foreign_contact.pk})
    # then it is refused, saying why, and the contact stays unreadable
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"You may not use contact {world.foreign_contact.pk}: they work only at accounts you are not on."
    )
    assert api(world.kam, "get", f"/contacts/{world.foreign_contact.pk}").status_code == 403


def test_api_refusal_is_translated(api, world):
    # given
    world.kam.language = "de"
    world.kam.save()
    # when
    response = api(world.kam, "post", f"/accounts/{world.own.pk}/positions", {"contact_id": world.foreign_contact.pk})
    # then
    assert response.status_code == 403
    assert response.json()["detail"].startswith(f"Sie dürfen den Kontakt {world.foreign_contact.pk} nicht verwenden")


# ---------------------------------------------------------------- the UI (form posts)

BC_FORM = {"influence": 5, "attitude": 0, "political_status": "outside"}
UiOp = Callable[[World], tuple[str, dict[str, Any]]]

FOREIGN_UI_OPS: dict[str, UiOp] = {
    "existing contact: foreign contact": lambda w: (
        reverse("account-position-add", args=[w.own.pk]), {"contact": w.foreign_contact.pk}
    ),
    "existing contact: reports to a foreign contact": lambda w: (
        reverse("account-position-add", args=[w.own.pk]),
        {"contact": w.plant_contact.pk, "reports_to": w.foreign_contact.pk},
    ),
    "existing contact: at the foreign account": lambda w: (
        reverse("account-position-add", args=[w.foreign.pk]), {"contact": w.own_contact.pk}
    ),
    "new contact: reports to a foreign contact": lambda w: (
        reverse("account-contact-add", args=[w.own.pk]),
        {"last_name": "Newcomer", "reports_to": w.foreign_contact.pk, **BC_FORM},
    ),
    "new contact: at the foreign account": lambda w: (
        reverse("account-contact-add", args=[w.foreign.pk]), {"last_name": "Newcomer", **BC_FORM}
    ),
    "person: reports to a foreign contact": lambda w: (
        reverse("account-member-edit", args=[w.own.pk, w.own_contact.pk]),
        {"reports_to": w.foreign_contact.pk, "in_buying_centre": "on", "roles": ["buyer"], **BC_FORM},
    ),
    "person: at the foreign account": lambda w: (
        reverse("account-member-edit", args=[w.foreign.pk, w.foreign_contact.pk]),
        {"in_buying_centre": "on", "roles": ["decider"], **BC_FORM},
    ),
    "coverage: foreign contact": lambda w: (
        reverse("account-coverage-add", args=[w.own.pk]),
        {"team_member": w.own_team_member.pk, "contact": w.foreign_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "coverage: foreign team member": lambda w: (
        reverse("account-coverage-add", args=[w.own.pk]),
        {"team_member": w.foreign_team_member.pk, "contact": w.own_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "coverage: at the foreign account": lambda w: (
        reverse("account-coverage-add", args=[w.foreign.pk]),
        {"team_member": w.foreign_team_member.pk, "contact": w.foreign_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "team: join the foreign account's team": lambda w: (
        reverse("account-team-add", args=[w.foreign.pk]), {"user": w.kam.pk, "role": "kam"}
    ),
    "opportunity contact: foreign contact": lambda w: (
        reverse("opportunity-contact-add", args=[w.own_opportunity.pk]),
        {"contact": w.foreign_contact.pk, "roles": ["decider"]},
    ),
    "opportunity contact: foreign group's contact": lambda w: (
        reverse("opportunity-contact-add", args=[w.site_opportunity.pk]),
        {"contact": w.group_contact.pk, "roles": ["decider"]},
    ),
    "opportunity contact: on the foreign deal": lambda w: (
        reverse("opportunity-contact-add", args=[w.foreign_opportunity.pk]),
        {"contact": w.foreign_contact.pk, "roles": ["decider"]},
    ),
}  # fmt: skip

OWN_UI_OPS: dict[str, UiOp] = {
    "existing contact: own subsidiary's contact": lambda w: (
        reverse("account-position-add", args=[w.own.pk]),
        {"contact": w.plant_contact.pk, "reports_to": w.own_contact.pk},
    ),
    "new contact: reports to own contact": lambda w: (
        reverse("account-contact-add", args=[w.own.pk]),
        {"last_name": "Newcomer", "reports_to": w.own_contact.pk, **BC_FORM},
    ),
    "coverage: own contact": lambda w: (
        reverse("account-coverage-add", args=[w.own.pk]),
        {"team_member": w.own_team_member.pk, "contact": w.own_contact.pk, "level_now": 1, "level_target": 2},
    ),
    "opportunity contact: own contact": lambda w: (
        reverse("opportunity-contact-add", args=[w.own_opportunity.pk]),
        {"contact": w.own_contact.pk, "roles": ["decider"]},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", FOREIGN_UI_OPS)
def test_ui_refuses_linking_foreign_objects(client: Client, world, name):
    # given
    url, data = FOREIGN_UI_OPS[name](world)
    client.force_login(world.kam)
    before = snapshot()
    # when
    response = client.post(url, data)
    # then
    assert response.status_code in (403, 422), (name, response.status_code)
    if response.status_code == 422:  # the form names the refused field
        assert response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize("name", OWN_UI_OPS)
def test_ui_links_own_objects(client: Client, world, name):
    # given
    url, data = OWN_UI_OPS[name](world)
    client.force_login(world.kam)
    before = snapshot()
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302, response.content
    assert snapshot() != before


def test_existing_contact_picker_offers_only_contacts_the_kam_may_use(client: Client, world):
    # given
    client.force_login(world.kam)
    # when
    response = client.get(reverse("account-position-add", args=[world.own.pk]))
    # then
    offered = set(response.context["form"].fields["contact"].queryset.values_list("pk", flat=True))
    assert world.plant_contact.pk in offered
    assert world.foreign_contact.pk not in offered
    assert world.group_contact.pk not in offered


def test_project_contact_picker_offers_only_contacts_the_kam_may_use(client: Client, world):
    # given
    client.force_login(world.kam)
    # when
    response = client.get(reverse("opportunity-contact-add", args=[world.site_opportunity.pk]))
    # then
    offered = set(response.context["form"].fields["contact"].queryset.values_list("pk", flat=True))
    assert world.group_contact.pk not in offered


def test_head_may_still_link_any_contact(api, world, head):
    # when
    response = api(head, "post", f"/accounts/{world.own.pk}/positions", {"contact_id": world.foreign_contact.pk})
    # then
    assert response.status_code == 201
