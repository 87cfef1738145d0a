"""The whitespace section of the account page (registered in ``ScreeningConfig.ready``): it loads the
account's whitespace fragment after the page (the recommendations need the purchase matrix)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def account_panel(request: Any, account: Any) -> str | None:
    if account is None or not request.user.has_perm("screening.view_whitespace"):
        return None
    return render_to_string("screening/whitespace/panel.html", {"account": account}, request=request)
