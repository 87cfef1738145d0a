"""``GET/PATCH /api/v1/me``: the caller's own language and view currency, validated as the settings page does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_me_shows_the_caller_and_the_currency_in_use(api, kam):
    body = api(kam, "get", "/me").json()
    assert (body["username"], body["role"], body["language"]) == (kam.username, "kam", "")
    assert (body["view_currency"], body["currency"], body["reporting_currency"]) == ("", "EUR", "EUR")
    assert "CHF" in body["view_currencies"]


def test_patch_changes_view_currency_and_language_and_the_totals_follow(api, kam):
    response = api(kam, "patch", "/me", {"view_currency": "CHF", "language": "de"})
    assert response.status_code == 200, response.content
    assert (response.json()["view_currency"], response.json()["currency"]) == ("CHF", "CHF")
    kam.refresh_from_db()
    assert (kam.view_currency, kam.language) == ("CHF", "de")
    # a field left out stays; the reporting currency is stored as "none chosen"
    response = api(kam, "patch", "/me", {"view_currency": "EUR"})
    kam.refresh_from_db()
    assert (kam.view_currency, kam.language) == ("", "de")
    assert response.json()["currency"] == "EUR"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"view_currency": "XYZ"}, "view_currency"), ({"view_currency": "chf"}, "view_currency"),
     ({"language": "fr"}, "language"), ({"view_currency": None}, "view_currency")],
)  # fmt: skip
def test_an_unknown_currency_or_language_is_a_422_naming_the_field(api, kam, body, field):
    response = api(kam, "patch", "/me", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == [field]
    kam.refresh_from_db()
    assert (kam.view_currency, kam.language) == ("", "")


def test_me_needs_credentials(api):
    assert api(None, "get", "/me").status_code == 401
    assert api(None, "patch", "/me", {"language": "de"}).status_code == 401
