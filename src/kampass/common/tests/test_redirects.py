"""``safe_next``: a view follows a ``next`` target only when it stays on this site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kampass.common.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/accounts/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "https://127.0.0.1.evil.example/",
    ],
)
def test_a_target_on_another_site_gives_the_fallback(target):
    request = RequestFactory().post("/", HTTP_HOST="127.0.0.1")
    assert safe_next(request, target, fallback="/home/") == "/home/"


@pytest.mark.parametrize("target", ["/accounts/?page=2", "http://127.0.0.1/programme/"])
def test_a_target_on_this_site_is_followed(target):
    request = RequestFactory().post("/", HTTP_HOST="127.0.0.1")
    assert safe_next(request, target, fallback="/home/") == target


def test_no_target_gives_the_fallback():
    request = RequestFactory().post("/", HTTP_HOST="127.0.0.1")
    assert safe_next(request, None, fallback="/home/") == "/home/"
    assert safe_next(request, "", fallback="/home/") == "/home/"


def test_a_secure_request_is_not_sent_to_plain_http():
    request = RequestFactory().post("/", HTTP_HOST="127.0.0.1", secure=True)
    assert safe_next(request, "http://127.0.0.1/accounts/", fallback="/home/") == "/home/"
    assert safe_next(request, "https://127.0.0.1/accounts/", fallback="/home/") == "https://127.0.0.1/accounts/"
