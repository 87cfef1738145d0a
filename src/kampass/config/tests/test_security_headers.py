"""The Content-Security-Policy and the other security headers on every answer, and the templates that let
the policy be strict: no inline script, no inline event handler, no inline style.

The browser side (no violation on the main pages with their charts and HTMX) is
``tests/e2e/test_content_security_policy.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kampass

PACKAGE = Path(kampass.__file__).parent
# templates only WeasyPrint renders into a PDF (never served to a browser, so no policy applies)
NOT_SERVED = {
    "programme/templates/programme/report_pdf.html",
    "planning/templates/planning/export_pdf.html",
    "screening/templates/screening/selection/round_pdf.html",
}


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/health"])
def test_every_answer_carries_a_strict_content_security_policy(client, db, path):
    # when
    response = client.get(path)

    # then: scripts, styles and everything else from this site only; no inline code, no eval
    policy = _policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    # and the other headers
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_logged_in_page_has_htmx_configured_without_eval_and_injected_styles(client, kam):
    client.force_login(kam)
    body = client.get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"allowEval": false, "includeIndicatorStyles": false}\'>' in body


def _templates() -> list[Path]:
    return sorted(
        p for p in PACKAGE.glob("*/templates/**/*.html") if p.relative_to(PACKAGE).as_posix() not in NOT_SERVED
    )


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVAL_IN_HTMX = re.compile(r"\bhx-on\b|hx-on:|hx-(?:vals|headers)\s*=\s*['\"]\s*(?:js|javascript):", re.IGNORECASE)


def test_the_templates_hold_no_inline_script_handler_style_or_htmx_eval():
    # given every template a browser is served
    templates = _templates()
    assert len(templates) > 50

    # when they are searched for what the policy forbids
    found = [
        f"{path.relative_to(PACKAGE)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)[:60]}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE, EVAL_IN_HTMX)
        for m in pattern.finditer(text)
    ]

    # then there is none
    assert found == []
