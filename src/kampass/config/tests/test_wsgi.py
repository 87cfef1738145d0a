"""The WSGI entry point gunicorn serves."""

from __future__ import annotations

import io
import os
from typing import Any

from django.core.handlers.wsgi import WSGIHandler


def call(app: WSGIHandler, path: str) -> tuple[str, dict[str, str], bytes]:
    captured: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = status
        captured["headers"] = dict(headers)
        return None

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    body = b"".join(app(environ, start_response))
    return str(captured["status"]), captured["headers"], body  # type: ignore[return-value]


def test_the_application_is_a_django_wsgi_handler_on_the_configured_settings():
    # when
    from kampass.config.wsgi import application

    # then: it keeps a DJANGO_SETTINGS_MODULE already set (here the tests') and defaults to kampass's
    assert isinstance(application, WSGIHandler)
    assert os.environ["DJANGO_SETTINGS_MODULE"].startswith("kampass.config.settings")


def test_the_application_serves_the_login_page_with_its_security_headers(db):
    # given
    from kampass.config.wsgi import application

    # when
    status, headers, body = call(application, "/login/")

    # then
    assert status == "200 OK"
    assert b'id="id_username"' in body
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_application_serves_the_static_files(db):
    # given
    from kampass.config.wsgi import application

    # when
    status, headers, body = call(application, "/static/kampass/kampass.css")

    # then
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/css")
    assert len(body) > 0
