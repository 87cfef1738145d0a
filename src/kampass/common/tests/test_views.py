"""Start page, login, language switch and the error pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from kampass.users.models import User


def test_the_start_page_sends_an_anonymous_visitor_to_the_login(client, db):
    # when
    response = client.get(reverse("dashboard"))

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_the_start_page_shows_the_summary_to_a_logged_in_user(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get(reverse("dashboard"))

    # then
    assert response.status_code == 200
    assert "summary" in response.context
    assert "common/dashboard.html" in [t.name for t in response.templates]


def test_the_login_page_sends_a_logged_in_user_on(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get(reverse("login"))

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("start")


def test_logging_in_and_out_through_the_forms(client, kam):
    # when
    login = client.post(reverse("login"), {"username": kam.username, "password": "pw-for-tests-1"})
    logged_in = client.get(reverse("dashboard")).status_code
    logout = client.post(reverse("logout"))

    # then
    assert (login.status_code, login["Location"]) == (302, reverse("start"))
    assert logged_in == 200
    assert (logout.status_code, logout["Location"]) == (302, reverse("login"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_wrong_password_shows_the_form_again(client, kam):
    # when
    response = client.post(reverse("login"), {"username": kam.username, "password": "nope"})

    # then
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_switching_the_language_stores_it_on_the_user_and_in_a_cookie(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.post(reverse("set-language"), {"language": "de", "next": "/accounts/"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert User.objects.get(pk=kam.pk).language == "de"
    assert '<html lang="de">' in client.get(reverse("dashboard")).content.decode()


def test_an_anonymous_visitor_switches_by_cookie_only(client, db):
    # when
    response = client.post(reverse("set-language"), {"language": "de"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert '<html lang="de">' in client.get(reverse("login")).content.decode()


def test_an_unknown_language_changes_nothing(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.post(reverse("set-language"), {"language": "xx", "next": "/accounts/"})

    # then
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=kam.pk).language == ""


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example", "/\\evil.example"])
def test_the_language_switch_never_redirects_to_another_site(client, db, target):
    # when
    response = client.post(reverse("set-language"), {"language": "en", "next": target})

    # then
    assert response["Location"] == "/"


def test_the_language_switch_only_takes_posts(client, db):
    assert client.get(reverse("set-language"), {"language": "de"}).status_code == 405


def test_an_unknown_address_gets_the_kampass_404_page(client, kam):
    # given
    client.force_login(kam)

    # when
    response = client.get("/no/such/page/")

    # then
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_a_denial_gets_the_kampass_403_page_with_the_reason(client, viewer):
    # given: a viewer may not create accounts
    client.force_login(viewer)

    # when
    response = client.get(reverse("account-create"))

    # then
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "You do not have permission to do this." in response.content.decode()


def test_a_denied_htmx_request_gets_the_reason_as_text_for_the_alert_region(client, viewer):
    # given: a viewer may not create accounts
    client.force_login(viewer)

    # when: an HTMX request is refused
    response = client.get(reverse("account-create"), headers={"HX-Request": "true"})

    # then: a short readable text the page's script shows, not a page nobody sees
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "You do not have permission to do this."


def test_an_htmx_request_for_something_missing_gets_a_text_404(client, viewer):
    # given
    client.force_login(viewer)

    # when
    response = client.get("/no-such-page/", headers={"HX-Request": "true"})

    # then
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert "does not exist" in response.content.decode()


def test_the_base_page_has_an_alert_region_with_the_translated_refusal_messages(client, kam):
    # given
    client.force_login(kam)

    # when
    body = client.get(reverse("dashboard")).content.decode()

    # then
    assert 'id="htmx-alert"' in body
    assert 'role="alert"' in body
    for status in ("403", "404", "409", "422", "500"):
        assert f"data-msg-{status}=" in body


def test_the_favicon_is_linked_and_favicon_ico_is_served(client, kam):
    # given
    client.force_login(kam)

    # when
    page = client.get(reverse("dashboard")).content.decode()
    icon = client.get("/favicon.ico", follow=True)

    # then: no 404 for the icon
    assert 'rel="icon"' in page
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content) if icon.streaming else b"<svg" in icon.content
