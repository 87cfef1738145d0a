"""Helpers of the concurrency tests of every context: load an edit form as a user sees it, post it
later (after someone else saved), and call the API with ``If-Match``."""

from __future__ import annotations

from typing import Any

from django.test import Client


def loaded_form(client: Client, url: str, *, form_key: str = "form", **changes: Any) -> dict[str, Any]:
    """GET the edit form at ``url`` and return what its browser would post (the loaded values with
    the hidden ``version``), with ``changes`` applied: the user's entry, to post later."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    form = response.context[form_key]
    versions = [n for n in form.fields if n == "version" or n.startswith("version_")]
    assert versions, f"the form at {url} carries no version"
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    assert all(n in data for n in versions), f"the form at {url} was loaded without a version"
    data.update(changes)
    return data


def api_call(
    client: Client, user: Any, method: str, path: str, body: Any = None, *, if_match: str | None = None
) -> Any:
    """Call ``/api/v1<path>`` as ``user`` with a fresh token, optionally with ``If-Match``."""
    from kampass.users.services import token_create

    _, raw = token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    if if_match is not None:
        headers["If-Match"] = if_match
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def assert_conflict_page(response: Any, *shown: str) -> str:
    """``response`` is the conflict page (409) and shows each of ``shown`` (e.g. both values)."""
    assert response.status_code == 409, response.status_code
    body = response.content.decode()
    assert 'data-testid="conflict"' in body
    for text in shown:
        assert text in body, f"{text!r} not on the conflict page"
    return body
