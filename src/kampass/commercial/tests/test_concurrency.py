"""No lost updates of customer links: moving a link based on a stale version is refused (409/412) and
the move made in the meantime survives."""

from __future__ import annotations

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial import services
from kampass.commercial.models import CustomerLink


def test_customer_link_put_stale_answers_412_and_409_and_keeps_the_other_move(conflicts, client, head, admin_user):
    first, second, mine = AccountFactory(name="North"), AccountFactory(name="South"), AccountFactory(name="West")
    created = conflicts.api_call(client, head, "put", "/customer-links/C-1", {"account_id": first.pk})
    assert (created.status_code, created.json()["version"], created["ETag"]) == (200, 1, 'W/"1"')
    services.customer_link(actor=admin_user, customer_id="C-1", account=second)
    header = conflicts.api_call(client, head, "put", "/customer-links/C-1", {"account_id": mine.pk}, if_match='W/"1"')
    body = conflicts.api_call(client, head, "put", "/customer-links/C-1", {"account_id": mine.pk, "version": 1})
    assert (header.status_code, body.status_code) == (412, 409)
    assert body.json()["account_id"] == second.pk
    assert body["ETag"] == 'W/"2"'
    assert CustomerLink.objects.get(customer_id="C-1").account_id == second.pk
    moved = conflicts.api_call(client, head, "put", "/customer-links/C-1", {"account_id": mine.pk, "version": 2})
    assert (moved.status_code, moved.json()["account_id"], moved.json()["version"]) == (200, mine.pk, 3)


def test_customer_link_put_without_a_version_is_accepted(conflicts, client, head, admin_user):
    first, second = AccountFactory(name="North"), AccountFactory(name="South")
    services.customer_link(actor=admin_user, customer_id="C-2", account=first)
    services.customer_link(actor=admin_user, customer_id="C-2", account=second)
    assert conflicts.api_call(client, head, "put", "/customer-links/C-2", {"account_id": first.pk}).status_code == 200
    assert CustomerLink.objects.get(customer_id="C-2").account_id == first.pk


def test_an_import_that_links_an_account_makes_an_open_account_form_stale(conflicts, client, head, admin_user):
    # given an account without external id whose edit form a head of KAM opened
    from django.urls import reverse

    from kampass.accounts.models import Account
    from kampass.commercial.models import LinkMode

    account = AccountFactory(name="Customer C77", external_id="")
    client.force_login(head)
    url = reverse("account-edit", args=[account.pk])
    mine = conflicts.loaded_form(client, url, notes="mine")
    # when a transaction import links customer C77 to it (writing its external id)
    services.customers_link(actor=admin_user, customer_ids=["C77"], mode=LinkMode.CREATE)
    # then saving the form is refused, and the imported external id survives
    conflicts.assert_conflict_page(client.post(url, mine), "C77")
    saved = Account.objects.get(pk=account.pk)
    assert (saved.external_id, saved.notes) == ("C77", account.notes)
