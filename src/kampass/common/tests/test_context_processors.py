"""Values every template needs."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from kampass import __version__
from kampass.common.context_processors import kampass


def test_the_version_and_the_view_currency_are_in_every_template_context(settings):
    settings.KAMPASS_REPORTING_CURRENCY = "CHF"
    context = kampass(RequestFactory().get("/"))
    assert context["KAMPASS_VERSION"] == __version__
    assert context["VIEW_CURRENCY"] == "CHF"  # no user: the installation's reporting currency
    assert {"EUR", "USD", "GBP", "CHF"} <= set(context["VIEW_CURRENCIES"])


def test_a_user_chooses_the_view_currency_in_the_header(client, kam, settings):
    settings.KAMPASS_REPORTING_CURRENCY = "EUR"
    client.force_login(kam)
    assert client.get(reverse("dashboard")).context["VIEW_CURRENCY"] == "EUR"
    # when
    response = client.post(reverse("set-view-currency"), {"currency": "USD", "next": "/pipeline/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/pipeline/"
    kam.refresh_from_db()
    assert kam.view_currency == "USD"
    assert client.get(reverse("dashboard")).context["VIEW_CURRENCY"] == "USD"
    # an unknown code changes nothing; the installation's currency clears the choice
    client.post(reverse("set-view-currency"), {"currency": "XXX"})
    kam.refresh_from_db()
    assert kam.view_currency == "USD"
    client.post(reverse("set-view-currency"), {"currency": "EUR"})
    kam.refresh_from_db()
    assert kam.view_currency == ""


def test_the_view_currency_needs_a_login(client, db):
    response = client.post(reverse("set-view-currency"), {"currency": "USD"})
    assert response.status_code == 302


def test_the_version_is_shown_in_the_page_footer(client, db):
    # when
    body = client.get(reverse("login")).content.decode()

    # then
    assert f"kampass {__version__}" in body
