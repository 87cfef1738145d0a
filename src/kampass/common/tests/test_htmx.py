"""One view serves the page and the HTMX fragment; form POSTs are handled the same way everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from kampass.common.htmx import (
    apply_validation_error,
    form_status,
    is_fragment_request,
    redirect_to,
    render_page,
    submit_form,
)


def make_request(
    method: str = "get", data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> HttpRequest:
    """A request as it leaves the middleware: ``request.htmx`` set, messages stored in a cookie."""
    request = getattr(RequestFactory(), method)("/somewhere/", data or {}, headers=headers or {})
    request.htmx = HtmxDetails(request)
    request._messages = CookieStorage(request)
    return request


class NameForm(forms.Form):
    name = forms.CharField()
    code = forms.CharField(required=False)


def test_a_plain_request_is_not_a_fragment_request():
    assert not is_fragment_request(make_request())


def test_an_htmx_request_is_a_fragment_request():
    assert is_fragment_request(make_request(headers={"HX-Request": "true"}))


def test_a_boosted_navigation_wants_the_whole_page():
    assert not is_fragment_request(make_request(headers={"HX-Request": "true", "HX-Boosted": "true"}))


def test_a_request_without_the_htmx_middleware_is_not_a_fragment_request():
    assert not is_fragment_request(RequestFactory().get("/"))


def test_render_page_chooses_the_fragment_only_for_htmx():
    # when
    page: Any = render_page(make_request(), "page.html", {"x": 1}, fragment="_part.html")
    part: Any = render_page(make_request(headers={"HX-Request": "true"}), "page.html", {"x": 1}, fragment="_part.html")
    without: Any = render_page(make_request(headers={"HX-Request": "true"}), "page.html", {"x": 1})

    # then
    assert (page.template_name, part.template_name, without.template_name) == ("page.html", "_part.html", "page.html")
    assert part.context_data == {"x": 1}


def test_render_page_passes_the_status_on():
    assert render_page(make_request(), "page.html", {}, status=403).status_code == 403


def test_redirect_to_redirects_a_page_and_tells_htmx_to_navigate():
    # when
    plain = redirect_to(make_request(), "/accounts/")
    htmx = redirect_to(make_request(headers={"HX-Request": "true"}), "/accounts/")

    # then
    assert (plain.status_code, plain["Location"]) == (302, "/accounts/")
    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, "/accounts/")


def test_a_validation_error_lands_on_the_fields_it_names():
    # given
    form = NameForm(data={"name": "x"})
    assert form.is_valid()

    # when
    apply_validation_error(form, ValidationError({"code": "Taken.", "nonsense": "Not a field."}))

    # then
    assert form.errors["code"] == ["Taken."]
    assert form.non_field_errors() == ["Not a field."]


def test_a_validation_error_without_fields_lands_on_the_form():
    # given
    form = NameForm(data={"name": "x"})
    form.is_valid()

    # when
    apply_validation_error(form, ValidationError(["First.", "Second."]))

    # then
    assert form.non_field_errors() == ["First.", "Second."]


def test_form_status_is_422_for_an_invalid_full_page_post_and_200_otherwise():
    # given
    invalid = NameForm(data={})
    invalid.is_valid()
    valid = NameForm(data={"name": "x"})
    valid.is_valid()

    # then
    assert form_status(make_request("post"), invalid) == 422
    assert form_status(make_request("post", headers={"HX-Request": "true"}), invalid) == 200
    assert form_status(make_request("post"), valid) == 200


def test_submit_form_does_nothing_on_get_or_invalid_input():
    # given
    calls: list[dict[str, Any]] = []

    # when
    on_get = submit_form(make_request(), NameForm(), calls.append, success="ok", next_url="/")
    invalid = submit_form(make_request("post"), NameForm(data={}), calls.append, success="ok", next_url="/")

    # then
    assert on_get is None
    assert invalid is None
    assert calls == []


def test_submit_form_runs_the_action_flashes_and_redirects():
    # given
    request = make_request("post", {"name": "Acme"})
    form = NameForm(data={"name": "Acme"})

    # when
    response = submit_form(
        request,
        form,
        lambda data: data["name"].upper(),
        success=lambda result: f"Saved {result}.",
        next_url=lambda result: f"/done/{result}/",
    )

    # then
    assert response is not None
    assert (response.status_code, response["Location"]) == (302, "/done/ACME/")
    assert [str(m) for m in get_messages(request)] == ["Saved ACME."]


def test_submit_form_over_htmx_answers_with_hx_redirect():
    # given
    request = make_request("post", {"name": "Acme"}, headers={"HX-Request": "true"})

    # when
    response = submit_form(request, NameForm(data={"name": "Acme"}), lambda data: 1, success="Saved.", next_url="/x/")

    # then
    assert response is not None
    assert (response.status_code, response["HX-Redirect"]) == (204, "/x/")
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_submit_form_puts_a_service_refusal_on_the_form():
    # given
    request = make_request("post", {"name": "Acme"})
    form = NameForm(data={"name": "Acme"})

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError({"name": "Already exists."})

    # when
    response = submit_form(request, form, refuse, success="Saved.", next_url="/")

    # then
    assert response is None
    assert form.errors["name"] == ["Already exists."]
    assert list(get_messages(request)) == []


@pytest.mark.parametrize("method", ["put", "delete"])
def test_submit_form_only_acts_on_post(method):
    # given
    calls: list[Any] = []

    # when
    response = submit_form(make_request(method), NameForm(data={"name": "x"}), calls.append, success="", next_url="/")

    # then
    assert response is None
    assert calls == []


def test_the_conflict_page_shows_amounts_and_dates_in_the_readers_format():
    """The two versions side by side read like the rest of the page: localised numbers and dates."""
    import datetime as dt
    from decimal import Decimal

    from django import forms
    from django.utils import translation

    from kampass.common.concurrency import conflict_rows

    class Form(forms.Form):
        amount = forms.DecimalField(label="Amount")
        due = forms.DateField(label="Due")

    form = Form({"amount": "1234.5", "due": "2030-01-31"})
    assert form.is_valid()
    saved = type("Saved", (), {"amount": Decimal("99.50"), "due": dt.date(2030, 2, 1)})()
    with translation.override("de"):
        rows = conflict_rows(form, saved)
    assert [(r["mine"], r["saved"], r["differs"]) for r in rows] == [
        ("1.234,5", "99,50", True),
        ("31.01.2030", "01.02.2030", True),
    ]


def test_a_save_that_loses_a_race_outside_a_form_answers_409_not_500(rf):
    """``ConflictMiddleware``: a ``ConcurrentEdit`` that no view caught is a 409 with a message."""
    from django.http import HttpResponse

    from kampass.common.concurrency import ConcurrentEdit, ConflictMiddleware
    from kampass.common.models import WorkerHeartbeat

    middleware = ConflictMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(rf.post("/x/"), ConcurrentEdit(WorkerHeartbeat, 1, expected=1))
    assert response is not None
    assert (response.status_code, response.content.decode()) == (
        409,
        "Someone else changed this in the meantime. Reload the page and try again.",
    )
    assert middleware.process_exception(rf.post("/x/"), ValueError()) is None
