"""The "My settings" page: language and view currency of the logged-in user, linked from the header."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kampass.users.services import user_update_settings

pytestmark = pytest.mark.django_db

CURRENCIES = ["EUR", "CHF", "USD"]


def test_the_header_links_the_page_and_it_shows_the_current_settings(client, kam):
    kam.view_currency = "CHF"
    kam.save()
    client.force_login(kam)
    home = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("my-settings")}"' in home
    page = client.get(reverse("my-settings"))
    assert page.status_code == 200
    assert page.context["form"].initial == {"language": "", "view_currency": "CHF", "notification_digest": True}


def test_saving_stores_language_and_currency_and_speaks_the_new_language(client, kam):
    client.force_login(kam)
    response = client.post(reverse("my-settings"), {"language": "de", "view_currency": "USD"}, follow=True)
    kam.refresh_from_db()
    assert (kam.language, kam.view_currency) == ("de", "USD")
    body = response.content.decode()
    assert "Ihre Einstellungen wurden gespeichert." in body
    assert "Meine Einstellungen" in body
    assert "Anzeigewährung" in body  # the users context's own catalogue
    assert "die Berichtswährung der Installation" in body


def test_an_unknown_currency_is_refused_on_the_field(client, kam):
    client.force_login(kam)
    response = client.post(reverse("my-settings"), {"language": "", "view_currency": "XYZ"})
    assert response.status_code == 422
    assert "view_currency" in response.context["form"].errors
    kam.refresh_from_db()
    assert kam.view_currency == ""


def test_the_page_needs_a_login(client):
    response = client.get(reverse("my-settings"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_service_checks_both_fields_and_stores_the_reporting_currency_as_none_chosen(kam):
    with pytest.raises(ValidationError) as refused:
        user_update_settings(
            user=kam, language="fr", view_currency="XYZ", currencies=CURRENCIES, reporting_currency="EUR"
        )
    assert set(refused.value.message_dict) == {"language", "view_currency"}
    user_update_settings(user=kam, view_currency="chf", currencies=CURRENCIES, reporting_currency="EUR")
    kam.refresh_from_db()
    assert (kam.view_currency, kam.language) == ("CHF", "")
    user_update_settings(user=kam, view_currency="EUR", language="de", currencies=CURRENCIES, reporting_currency="EUR")
    kam.refresh_from_db()
    assert (kam.view_currency, kam.language) == ("", "de")
