"""The list of opportunities without an account: search, owner filter, sort, pages, export, the navigation's
badge, the bulk actions (link, create accounts after a confirmation), accepting a suggestion, and the denials."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.models import Opportunity, UnlinkedOpportunity
from kampass.pipeline.tests.factories import make_unlinked

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_list_searches_filters_sorts_and_pages(client, head, kam, settings):
    settings.KAMPASS_PAGE_SIZE = 2
    make_unlinked(company_name="Alpha AG", name="Deal A", amount=300, owner=kam)
    make_unlinked(company_name="Beta AG", name="Deal B", amount=100, owner=kam)
    make_unlinked(company_name="Gamma AG", name="Deal C", amount=200)
    make_unlinked(company_name="Other", name="Something")
    client.force_login(head)

    response = client.get(reverse("unlinked-list") + "?q=deal&sort=amount&dir=desc")

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert [u.name for u in response.context["rows"]] == ["Deal A", "Deal C"]
    html = response.content.decode()
    assert 'data-testid="page-next"' in html
    assert 'data-testid="unlinked-count">4<' in html
    response = client.get(reverse("unlinked-list") + f"?owner={kam.pk}&sort=company", headers=HX)
    assert [u.name for u in response.context["rows"]] == ["Deal A", "Deal B"]
    assert "<html" not in response.content.decode()


def test_empty_state(client, head):
    client.force_login(head)

    response = client.get(reverse("unlinked-list"))

    assert 'data-testid="list-empty"' in response.content.decode()
    assert "Every opportunity has an account." in response.content.decode()


def test_export_as_csv(client, head):
    make_unlinked(company_name="Neu GmbH", name="Retrofit")
    client.force_login(head)

    response = client.get(reverse("unlinked-list") + "?export=csv")

    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Company" in text.splitlines()[0]
    assert "Neu GmbH" in text
    assert "Retrofit" in text


def test_a_kam_sees_only_their_own_and_no_actions(client, kam, kam2):
    make_unlinked(name="Mine", owner=kam)
    make_unlinked(name="Theirs", owner=kam2)
    client.force_login(kam)

    response = client.get(reverse("unlinked-list"))

    assert [u.name for u in response.context["rows"]] == ["Mine"]
    assert 'data-testid="unlinked-actions"' not in response.content.decode()


def test_link_the_selected_to_an_account(client, head):
    acme = AccountFactory(name="Acme AG")
    a, b = make_unlinked(name="One"), make_unlinked(name="Two")
    make_unlinked(name="Not selected")
    client.force_login(head)

    response = client.post(reverse("unlinked-link"), {"items": [a.pk, b.pk], "account": acme.pk}, follow=True)

    assert set(acme.opportunities.values_list("name", flat=True)) == {"One", "Two"}
    assert list(UnlinkedOpportunity.objects.values_list("name", flat=True)) == ["Not selected"]
    assert "2 opportunities linked to Acme AG." in response.content.decode()


def test_link_without_an_account_says_so(client, head):
    item = make_unlinked()
    client.force_login(head)

    response = client.post(reverse("unlinked-link"), {"items": [item.pk]}, follow=True)

    assert "Choose the account" in response.content.decode()
    assert UnlinkedOpportunity.objects.count() == 1


def test_accept_a_suggestion(client, head):
    acme = AccountFactory(name="Acme AG")
    item = make_unlinked(company_name="ACME ag")
    client.force_login(head)
    page = client.get(reverse("unlinked-list")).content.decode()
    assert f'value="{acme.pk}" data-testid="unlinked-accept"' in page

    client.post(reverse("unlinked-accept", args=[item.pk]), {"suggested": acme.pk})

    assert Opportunity.objects.get().account == acme


def test_convert_asks_first_then_creates_the_accounts(client, head):
    a = make_unlinked(company_name="Neu GmbH", company_external_id="N1", country="CH", name="One")
    b = make_unlinked(company_name="Neu GmbH", company_external_id="N1", name="Two")
    client.force_login(head)

    confirm = client.post(reverse("unlinked-convert"), {"items": [a.pk, b.pk]})

    assert confirm.status_code == 200
    assert "1 account will be created" in confirm.content.decode()
    assert not Account.objects.filter(external_id="N1").exists()

    done = client.post(reverse("unlinked-convert"), {"items": [a.pk, b.pk], "confirm": "1"}, follow=True)

    neu = Account.objects.get(external_id="N1")
    assert (neu.name, neu.country, neu.opportunities.count()) == ("Neu GmbH", "CH", 2)
    assert "1 account created, 2 opportunities linked." in done.content.decode()


@pytest.mark.parametrize("role", ["kam", "viewer"])
def test_others_may_not_link_or_convert(client, role, request):
    user = request.getfixturevalue(role)
    item = make_unlinked(owner=user)
    acme = AccountFactory()
    client.force_login(user)

    assert client.post(reverse("unlinked-link"), {"items": [item.pk], "account": acme.pk}).status_code == 403
    assert client.post(reverse("unlinked-convert"), {"items": [item.pk], "confirm": "1"}).status_code == 403
    assert client.post(reverse("unlinked-accept", args=[item.pk]), {"suggested": acme.pk}).status_code == 403
    assert UnlinkedOpportunity.objects.count() == 1


def test_the_list_speaks_german(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    client.cookies["django_language"] = "de"
    AccountFactory(name="Acme AG")
    make_unlinked(company_name="Acme")

    html = client.get(reverse("unlinked-list")).content.decode()

    assert "Opportunities ohne Account" in html
    assert "Accounts aus den Unternehmensnamen anlegen" in html
    assert "Acme AG zuordnen" in html
    translation.deactivate()  # leave no German behind for the tests that follow


def test_the_navigation_links_the_list_only_when_there_are_some(client, kam, kam2):
    make_unlinked(owner=kam2)
    client.force_login(kam)

    assert 'data-testid="nav-unlinked"' not in client.get(reverse("opportunity-list")).content.decode()

    make_unlinked(owner=kam)
    html = client.get(reverse("opportunity-list")).content.decode()
    assert 'data-testid="unlinked-count">1<' in html
