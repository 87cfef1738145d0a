"""API of the opportunities without an account: list with suggestions, link, convert, and the denials."""

from __future__ import annotations

import pytest

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.models import Opportunity, UnlinkedOpportunity
from kampass.pipeline.tests.factories import make_unlinked

pytestmark = pytest.mark.django_db


def test_list_with_suggestions(api, head, kam):
    acme = AccountFactory(name="Acme AG")
    make_unlinked(company_name="ACME", name="Retrofit", amount="2500.5", owner=kam)
    make_unlinked(company_name="Other", name="Else")

    response = api(head, "get", "/unlinked-opportunities?q=retro")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["company_name"], item["amount"], item["stage_name"]) == ("ACME", "2500.50", "Prospecting")
    assert item["suggestions"][0] == {"account_id": acme.pk, "name": "Acme AG", "exact": True}
    assert api(kam, "get", "/unlinked-opportunities").json()["count"] == 1


def test_link(api, head):
    acme = AccountFactory(name="Acme AG")
    item = make_unlinked()

    response = api(head, "post", "/unlinked-opportunities/link", {"ids": [item.pk], "account_id": acme.pk})

    assert response.status_code == 200
    (opportunity_id,) = response.json()["opportunity_ids"]
    assert Opportunity.objects.get(pk=opportunity_id).account == acme
    assert not UnlinkedOpportunity.objects.exists()


def test_convert(api, head):
    item = make_unlinked(company_name="Neu GmbH", company_external_id="N1", country="CH")

    response = api(head, "post", "/unlinked-opportunities/convert", {"ids": [item.pk]})

    assert response.status_code == 200
    (created,) = response.json()["accounts_created"]
    assert Account.objects.get(pk=created["id"]).country == "CH"


def test_unknown_ids_are_a_422(api, head):
    response = api(head, "post", "/unlinked-opportunities/convert", {"ids": [999999]})

    assert response.status_code == 422


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_others_may_not_link_or_convert(api, role, request):
    user = request.getfixturevalue(role)
    item = make_unlinked(owner=user)
    acme = AccountFactory()

    link = api(user, "post", "/unlinked-opportunities/link", {"ids": [item.pk], "account_id": acme.pk})
    convert = api(user, "post", "/unlinked-opportunities/convert", {"ids": [item.pk]})

    assert (link.status_code, convert.status_code) == (403, 403)
    assert UnlinkedOpportunity.objects.count() == 1
