"""The wallet part's section on the account page (registered in ``ScreeningConfig.ready``): "Potential",
the realistic wallet, share of wallet and potential of the account with their intervals, and the newest
potential estimate of its KAMs."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kampass.screening import selectors_wallet


def account_panel(request: Any, account: Any) -> str | None:
    """The account's potential (with its subsidiaries where it has any), for everybody who reads wallets."""
    if account is None or not request.user.has_perm("screening.view_walletestimate"):
        return None
    found = selectors_wallet.account_wallet(account.pk)
    can_estimate = request.user.has_perm("screening.add_potentialestimate", account)
    estimates = list(selectors_wallet.potential_estimates(user=request.user, account_id=account.pk)[:3])
    return render_to_string(
        "screening/wallet/account_panel.html",
        {
            "account": account,
            "found": found,
            "own": found.own if found else None,
            "subtree": found.subtree if found else None,
            "has_subsidiaries": bool(found and found.estimate.subtree_wallet != found.estimate.wallet),
            "can_estimate": can_estimate,
            "estimates": estimates,
        },
        request=request,
    )
