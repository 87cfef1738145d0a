"""Values every template needs."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from kampass import __version__
from kampass.common.context_processors import kampass


def test_the_version_is_in_every_template_context():
    assert kampass(RequestFactory().get("/")) == {"KAMPASS_VERSION": __version__}


def test_the_version_is_shown_in_the_page_footer(client, db):
    # when
    body = client.get(reverse("login")).content.decode()

    # then
    assert f"kampass {__version__}" in body
