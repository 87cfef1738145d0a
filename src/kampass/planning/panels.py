"""The planning context's panels on other contexts' pages (registered in ``PlanningConfig.ready``):
the signed-in user's open actions and unread notices on the start page, and the account's health with
its key components at the top of the account page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kampass.common.i18n import ui_language
from kampass.core import scorecard as core
from kampass.planning import action_selectors, health_selectors


def dashboard_panel(request: Any, _obj: Any) -> str | None:
    """My open actions and my unread notices."""
    user = request.user
    from django.utils import timezone

    today = timezone.localdate()
    actions = action_selectors.open_actions_of(user, limit=10)
    notices = list(health_selectors.notices_of(user)[:10])
    return render_to_string(
        "planning/health_dashboard_panel.html",
        {"actions": actions, "notices": notices, "overdue": {a.pk for a in actions if a.is_overdue(today)}},
        request=request,
    )


def account_panel(request: Any, account: Any) -> str | None:
    """The account's health and its three weightiest components (with their lights), for readers of it."""
    if account is None or not request.user.has_perm("planning.view_health", account):
        return None
    h = health_selectors.account_health([account.pk])[account.pk]
    lang = ui_language()
    present = sorted((c for c in h.components if c.present and c.weight > 0), key=lambda c: -c.weight)
    kpis = [
        {"label": core.SPECS[c.key].label(lang), "score": c.score, "light": core.traffic_light(c.score)}
        for c in present
    ]
    return render_to_string(
        "planning/health_account_panel.html",
        {"account": account, "health": h, "light": core.health_light(h.score), "kpis": kpis},
        request=request,
    )
