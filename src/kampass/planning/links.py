"""The account page's link to the account's plan: its current plan (else its newest version) for
readers, "create plan" for those who may plan the account."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kampass.common.account_links import AccountLink


def account_plan_links(user: Any, account_id: int) -> list[AccountLink]:
    """The links to the account's plan ``user`` may follow (see :mod:`kampass.common.account_links`)."""
    from kampass.accounts import facade as accounts_facade
    from kampass.planning import selectors
    from kampass.planning.models import AccountPlan

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    ref = accounts_facade.account_ref(account_id)
    if ref is None:
        return []
    links: list[AccountLink] = []
    current = selectors.current_plan(account_id)
    newest = current or AccountPlan.objects.filter(account_id=account_id).order_by("-period_start", "-number").first()
    if newest is not None and selectors.plans_visible(user=user, account_id=account_id).filter(pk=newest.pk).exists():
        label = (
            _("Current plan")
            if current is not None
            else _("Plan (%(status)s)") % {"status": newest.get_status_display()}
        )
        links.append(AccountLink(reverse("plan-detail", args=[newest.pk]), label, "account-plan"))
    from django.apps import apps

    account = apps.get_model("accounts", "Account").objects.filter(pk=account_id).first()
    if account is not None and user.has_perm("planning.add_plan", account):
        links.append(AccountLink(reverse("plan-create") + f"?account={account_id}", _("Create plan"), "create-plan"))
    return links
