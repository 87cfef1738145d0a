"""The URL configuration: every context mounted where the UI links to it, the error handlers wired."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from kampass.config import urls


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("dashboard", "/"),
        ("login", "/login/"),
        ("logout", "/logout/"),
        ("set-language", "/language/"),
        ("account-list", "/accounts/"),
        ("admin:index", "/admin/"),
    ],
)
def test_named_urls_resolve_to_their_paths(name, path):
    assert reverse(name) == path
    assert resolve(path).url_name == name.split(":")[-1]


@pytest.mark.parametrize("prefix", ["/programme/", "/programme/roadmap/", "/organisation/"])
def test_the_programme_roadmap_and_organisation_are_mounted(prefix):
    # when
    match = resolve(prefix)

    # then
    assert match.func is not None


def test_the_roadmap_is_matched_before_the_programme():
    # when
    match = resolve("/programme/roadmap/")

    # then
    assert "roadmap" in match.func.__module__


def test_the_api_lives_under_api_v1():
    assert resolve("/api/v1/accounts").namespace == "api"
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"


def test_the_error_handlers_are_the_kampass_pages():
    assert urls.handler403 == "kampass.common.views.permission_denied"
    assert urls.handler404 == "kampass.common.views.not_found"
