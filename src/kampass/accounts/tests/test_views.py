"""Pages of the accounts context: rendering, forms, HTMX fragments and denials."""

import pytest
from django.urls import reverse

from kampass.accounts.models import Account, BuyingCentreMember, Contact, TeamMember
from kampass.accounts.services import (
    account_create,
    buying_centre_set,
    contact_create,
    team_member_set,
)


@pytest.fixture
def group(admin_user):
    g = account_create(actor=admin_user, name="Helvetia Gruppe", country="CH", currency="CHF")
    account_create(actor=admin_user, name="Helvetia AG", parent=g)
    return g


def test_account_list_renders_and_filters(client, head, group):
    client.force_login(head)
    response = client.get(reverse("account-list"), {"q": "helvetia ag"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Helvetia AG" in body
    assert "1 account" in body


def test_account_list_htmx_returns_fragment(client, head, group):
    client.force_login(head)
    response = client.get(reverse("account-list"), {"q": "Helvetia"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="account-table"' in body


def test_account_list_pagination_and_sort(client, admin_user, head):
    for i in range(30):
        account_create(actor=admin_user, name=f"Firm {i:02d}")
    client.force_login(head)
    response = client.get(reverse("account-list"), {"sort": "name", "dir": "desc", "page": 2})
    page = response.context["page"]
    assert page.number == 2
    assert [a.name for a in page.object_list][:1] == ["Firm 04"]


def test_cockpit_shows_subtree_and_gaps(client, admin_user, head, group):
    ceo = contact_create(actor=admin_user, last_name="Muster", first_name="Anna", account=group, title="CEO")
    buying_centre_set(actor=admin_user, account=group, contact=ceo, roles=["decider"], influence=9)
    client.force_login(head)
    response = client.get(reverse("account-detail", args=[group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Helvetia AG" in body
    assert 'data-testid="coverage-gaps"' in body
    assert response.context["map_spec"] is not None


def test_create_subsidiary_via_form(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-create") + f"?parent={group.pk}",
        {"name": "Helvetia Deutschland GmbH", "parent": group.pk, "kam_status": "prospect", "currency": "EUR"},
    )
    assert response.status_code == 302
    child = Account.objects.get(name="Helvetia Deutschland GmbH")
    assert child.parent == group
    assert child.path == f"{group.pk}/{child.pk}/"


def test_duplicate_subsidiary_name_shows_field_error(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-create"),
        {"name": "helvetia ag", "parent": group.pk, "kam_status": "prospect", "currency": "EUR"},
    )
    assert response.status_code == 422
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Account.objects.filter(parent=group).count() == 1


def test_cycle_is_refused_on_the_form(client, head, group):
    child = Account.objects.get(name="Helvetia AG")
    client.force_login(head)
    response = client.post(
        reverse("account-edit", args=[group.pk]), {"name": group.name, "parent": child.pk, "currency": "CHF"}
    )
    assert response.status_code == 422
    assert "cycle" in response.context["form"].errors["parent"][0]
    group.refresh_from_db()
    assert group.parent is None


def test_influence_11_is_refused(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-contact-add", args=[group.pk]),
        {"last_name": "Zu", "influence": 11, "attitude": 0, "political_status": "outside", "in_buying_centre": "on"},
    )
    assert response.status_code == 422
    assert "influence" in response.context["form"].errors
    assert not Contact.objects.filter(last_name="Zu").exists()


def test_unknown_role_is_refused(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-contact-add", args=[group.pk]),
        {
            "last_name": "Zu",
            "influence": 5,
            "attitude": 0,
            "political_status": "outside",
            "in_buying_centre": "on",
            "roles": ["emperor"],
        },
    )
    assert response.status_code == 422
    assert "roles" in response.context["form"].errors
    assert not Contact.objects.filter(last_name="Zu").exists()


def test_htmx_form_error_is_swapped_inline(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-create"),
        {"name": "", "kam_status": "prospect", "currency": "EUR"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "field-error" in body


def test_kam_cannot_post_edit_to_foreign_account(client, kam, group):
    client.force_login(kam)
    response = client.post(reverse("account-edit", args=[group.pk]), {"name": "Hijacked", "currency": "CHF"})
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == "Helvetia Gruppe"


def test_kam_sees_no_edit_controls_and_no_details_on_foreign_account(client, kam, group):
    client.force_login(kam)
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()
    assert 'data-testid="edit-account"' not in body
    assert 'data-testid="restricted"' in body


def test_kam_on_team_of_group_can_edit_subsidiary(client, admin_user, kam, group):
    team_member_set(actor=admin_user, account=group, user=kam, role="kam")
    child = Account.objects.get(name="Helvetia AG")
    client.force_login(kam)
    response = client.post(
        reverse("account-edit", args=[child.pk]), {"name": "Helvetia AG (neu)", "parent": group.pk, "currency": "CHF"}
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.name == "Helvetia AG (neu)"


@pytest.mark.parametrize("role_fixture", ["controller", "viewer"])
def test_readers_cannot_write(request, client, group, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert client.get(reverse("account-create")).status_code == 403
    assert (
        client.post(
            reverse("account-status", args=[group.pk]),
            {"status": "demoted", "reason": "x", "effective_date": "2026-01-01"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("account-team-add", args=[group.pk]), {"user": user.pk, "role": "kam"}).status_code == 403
    )
    assert not TeamMember.objects.exists()
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()
    assert 'data-testid="buying-centre"' in body or "No contacts" in body


def test_kam_cannot_add_contact_to_foreign_account(client, kam, group):
    client.force_login(kam)
    response = client.post(
        reverse("account-contact-add", args=[group.pk]),
        {"last_name": "Spy", "influence": 5, "attitude": 0, "political_status": "outside"},
    )
    assert response.status_code == 403
    assert not BuyingCentreMember.objects.exists()
    assert not Contact.objects.filter(last_name="Spy").exists()


def test_status_change_needs_reason(client, head, group):
    client.force_login(head)
    response = client.post(
        reverse("account-status", args=[group.pk]),
        {"status": "strategic", "reason": "", "effective_date": "2026-11-01"},
    )
    assert response.status_code == 422
    response = client.post(
        reverse("account-status", args=[group.pk]),
        {"status": "strategic", "reason": "Board decision", "effective_date": "2026-11-01"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.kam_status == "strategic"


def test_language_switch_is_stored_on_user(client, head):
    client.force_login(head)
    client.post(reverse("set-language"), {"language": "de", "next": "/"})
    head.refresh_from_db()
    assert head.language == "de"
    response = client.get(reverse("dashboard"))
    assert response["Content-Language"] == "de"


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("account-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_parent_picker_searches_by_the_field_it_sends(client, head, group):
    client.force_login(head)
    form_html = client.get(reverse("account-edit", args=[group.pk])).content.decode()
    assert 'name="q"' in form_html  # the picker's search box sends what account_lookup reads
    child = Account.objects.get(name="Helvetia AG")
    found = client.get(
        reverse("account-lookup"), {"q": "helvetia", "exclude": group.pk}, headers={"HX-Request": "true"}
    )
    body = found.content.decode()
    assert f'data-id="{child.pk}"' not in body  # the own subtree is excluded (no cycles)
    found = client.get(reverse("account-lookup"), {"q": "helvetia"}, headers={"HX-Request": "true"})
    assert f'data-id="{child.pk}"' in found.content.decode()


def test_the_account_lookup_offers_only_accounts_with_the_asked_permission(client, admin_user, kam):
    # given: the KAM is on the team of one of two matching accounts
    mine = account_create(actor=admin_user, name="Lookup Mine AG")
    account_create(actor=admin_user, name="Lookup Foreign AG")
    team_member_set(actor=admin_user, account=mine, user=kam, role="kam")
    client.force_login(kam)

    # when: the opportunity form's picker searches (it asks for pipeline.add_opportunity)
    response = client.get(
        reverse("account-lookup"),
        {"q": "lookup", "target": "id_account", "perm": "pipeline.add_opportunity"},
        headers={"HX-Request": "true"},
    )
    plain = client.get(reverse("account-lookup"), {"q": "lookup", "empty": "1"}, headers={"HX-Request": "true"})

    # then: only the own account, and no "top level" choice; the parent picker still sees both
    body = response.content.decode()
    assert "Lookup Mine AG" in body
    assert "Lookup Foreign AG" not in body
    assert "no parent" not in body
    assert "Lookup Foreign AG" in plain.content.decode()
    assert "no parent" in plain.content.decode()


def test_the_account_pickers_search_box_swaps_only_its_own_results_box(client, head):
    # given
    client.force_login(head)

    # when
    body = client.get(reverse("account-create")).content.decode()

    # then: explicit target and swap, so it does not inherit the form's hx-swap="outerHTML"
    assert 'hx-target="#id_parent_results" hx-swap="innerHTML"' in body


def test_an_account_without_contacts_says_so_instead_of_full_coverage(client, head, group):
    # given: an account with nobody in its buying centre
    client.force_login(head)

    # when
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()

    # then: a neutral note, not the green "every contact is covered"
    assert 'data-testid="no-contacts"' in body
    assert "Every high-influence contact is covered" not in body


def test_an_account_whose_contacts_are_covered_says_so(client, admin_user, head, group):
    # given: one low-influence contact in the buying centre (no gap)
    contact = contact_create(actor=admin_user, first_name="Anna", last_name="Meier", account=group)
    buying_centre_set(actor=admin_user, account=group, contact=contact, roles=["user"], influence=2)
    client.force_login(head)

    # when
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()

    # then
    assert 'data-testid="no-gaps"' in body


def test_account_list_menus_keep_the_chosen_filters(client, head, kam, admin_user, group):
    # the menus' options come from one tag (common templatetags ``options``): values and the chosen ones
    Account.objects.filter(pk=group.pk).update(industry="Steel & Metal", kam_status="key_account")
    team_member_set(actor=admin_user, account=group, user=kam, role="kam")
    client.force_login(head)
    query = {"owner": kam.pk, "country": "CH", "industry": "Steel & Metal", "status": "key_account"}
    body = client.get(reverse("account-list"), query).content.decode()
    assert f'<option value="{kam.pk}" selected>{kam}</option>' in body
    assert '<option value="CH" selected>' in body
    assert '<option value="Steel &amp; Metal" selected>Steel &amp; Metal</option>' in body
    assert '<option value="key_account" selected>' in body
    assert "Helvetia Gruppe" in body
    # without filters nothing is chosen but "all"
    plain = client.get(reverse("account-list")).content.decode()
    assert " selected>" not in plain.split('name="q"', 1)[-1].split("</form>", 1)[0]
