"""Helpers of the concurrency tests of every context: load an edit form (or a remove button) as a user
sees it, post it later (after someone else saved), and call the API with ``If-Match``."""

from __future__ import annotations

import html
import re
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


def remove_button(client: Client, page_url: str, action_url: str) -> dict[str, str]:
    """GET ``page_url`` and return what its form posting to ``action_url`` (a remove button or a delete
    confirmation) would post, without the CSRF token: it must carry the ``version`` the page showed."""
    response = client.get(page_url)
    assert response.status_code == 200, response.status_code
    body = response.content.decode()

    def posts_to_action(form: str) -> bool:
        opening = form.split(">", 1)[0]
        if "action=" not in opening:  # a form without an action posts to the page itself
            return page_url == action_url
        return f'action="{action_url}"' in opening

    forms = [m.group(0) for m in re.finditer(r"<form\b[^>]*>.*?</form>", body, flags=re.S)]
    forms = [f for f in forms if posts_to_action(f) and 'name="version"' in f] or [
        f for f in forms if posts_to_action(f)
    ]
    assert forms, f"no form posting to {action_url} on {page_url}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', forms[0]))
    fields.pop("csrfmiddlewaretoken", None)
    assert "version" in fields, f"the form posting to {action_url} carries no version"
    return {k: html.unescape(v) for k, v in fields.items()}
