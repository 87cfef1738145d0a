"""``kampass screening wallet [--q 0.8] [--account ID] [--keep] [--json]``: compute the realistic wallets of
all accounts from the invoice facts (as the operator) and print them with share of wallet and potential.

With ``--keep`` the stored newest estimates are printed without recomputing. ``--json`` prints
``{"as_of", "q", "currency", "accounts": [{"account_id", "account", "as_of", "q", "currency", "revenue",
"wallet", "wallet_low", "wallet_high", "share_of_wallet", "share_of_wallet_low", "share_of_wallet_high",
"potential", "potential_low", "potential_high", "floored", "subtree": {the same figures with the subsidiaries},
"window_days", "revenue_annualised", "peers", "model_version"}]}``; amounts are decimal strings, shares floats
(``null`` without a wallet). ``floored``: the wallet was raised to the revenue (the comparable accounts'
quantile lay below it); ``revenue_annualised``: the invoice history is shorter than two years, revenue and
wallet are those of the last ``window_days`` days scaled to twelve months.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kampass.core.screening import wallet as core


def add_parser(sub: Any) -> None:
    p = sub.add_parser("wallet", help="Compute the realistic wallets, share of wallet and potential of the accounts.")
    p.add_argument("--q", type=float, default=core.DEFAULT_Q, help="The wallet's quantile (default 0.8).")
    p.add_argument("--currency", default="", help="Default: the reporting currency.")
    p.add_argument("--account", type=int, default=None, help="Print only this account.")
    p.add_argument("--keep", action="store_true", help="Print the stored estimates, do not recompute.")
    p.add_argument("--json", action="store_true", help="Print one JSON document.")


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.common.cli import system_actor
    from kampass.screening import selectors_wallet, services_wallet

    if not opts["keep"]:
        try:
            services_wallet.wallet_estimates_compute(actor=system_actor(), q=opts["q"], currency=opts["currency"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
    ids = [opts["account"]] if opts["account"] is not None else None
    rows = selectors_wallet.account_wallets(ids)
    accounts = [
        {
            "account_id": w.estimate.account_id,
            "account": w.estimate.account.name,
            "as_of": w.estimate.as_of.isoformat(),
            "q": float(w.estimate.q),
            **selectors_wallet.potential_json(w.own, floored=w.estimate.floored),
            "subtree": selectors_wallet.potential_json(w.subtree, floored=w.estimate.subtree_floored),
            **selectors_wallet.estimate_notes_json(w.estimate),
            "peers": w.estimate.peers,
            "model_version": w.estimate.model_version,
        }
        for w in rows
    ]
    if opts["json"]:
        command.stdout.write(json.dumps({"accounts": accounts}, ensure_ascii=False))
        return
    command.stdout.write(f"{len(accounts)} account(s); wallet = q quantile of comparable accounts' yearly revenue.")
    for a in accounts:
        share = "-" if a["share_of_wallet"] is None else f"{a['share_of_wallet']:.0%}"
        command.stdout.write(
            f"  {a['account']} (#{a['account_id']}): wallet {a['wallet']} {a['currency']} "
            f"[{a['wallet_low']} .. {a['wallet_high']}], revenue {a['revenue']}, share {share}, "
            f"potential {a['potential']}" + (" (wallet raised to the revenue)" if a["floored"] else "")
        )
