"""The UI speaks to a logged-in user in the language stored on the user."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from kampass.users.middleware import UserLanguageMiddleware
from kampass.users.models import User


def test_a_user_with_german_gets_the_pages_in_german(client, kam):
    # given
    User.objects.filter(pk=kam.pk).update(language="de")
    client.force_login(kam)

    # when: the browser asks for English
    response = client.get(reverse("dashboard"), headers={"Accept-Language": "en"})

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in body
    assert "Abmelden" in body


def test_a_user_without_a_language_gets_the_browsers_language(client, kam):
    # given
    client.force_login(kam)

    # when
    german = client.get(reverse("dashboard"), headers={"Accept-Language": "de"})
    english = client.get(reverse("dashboard"), headers={"Accept-Language": "en"})

    # then
    assert '<html lang="de">' in german.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Log out" in english.content.decode()


def test_an_anonymous_visitor_is_left_to_the_locale_middleware():
    # given
    seen: list[str] = []

    def view(request):
        seen.append(getattr(request, "LANGUAGE_CODE", "unset"))
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    # when
    with translation.override("en"):
        response = UserLanguageMiddleware(view)(request)
        active = translation.get_language()

    # then
    assert response.content == b"ok"
    assert seen == ["unset"]
    assert active == "en"


def test_the_middleware_activates_the_users_language_for_the_view():
    # given: a logged-in user with German (unsaved: the middleware reads the field only)
    seen: list[tuple[str, str]] = []

    def view(request):
        seen.append((request.LANGUAGE_CODE, translation.get_language()))
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = User(username="u", language="de")

    # when
    with translation.override("en"):
        UserLanguageMiddleware(view)(request)

    # then
    assert seen == [("de", "de")]


def test_a_request_without_a_user_passes_through():
    # given: no authentication middleware ran
    request = RequestFactory().get("/")

    # when
    response = UserLanguageMiddleware(lambda r: HttpResponse("plain"))(request)

    # then
    assert response.content == b"plain"
