"""``kampass analyze profitability|leakage``: account P&L and profit leakage from the analytics store."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.accounts.models import Account
from kampass.commercial.cli import system_actor
from kampass.core.profitability import LEAKAGE_CATEGORIES


class Command(BaseCommand):
    help = "Analyses over the facts: `profitability` (account P&L) and `leakage` (leakage by category)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="analysis", required=True)
        for name in ("profitability", "leakage"):
            p = sub.add_parser(name)
            p.add_argument("--account", type=int, help="Only this account (id).")
            p.add_argument("--subtree", action="store_true", help="With --account: the account and its subtree.")
            p.add_argument("--json", action="store_true", help="Print one JSON document.")
            p.add_argument("--lang", choices=["en", "de"], default="en")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kampass.commercial.selectors import profitability

        account = None
        if opts["account"] is not None:
            account = Account.objects.filter(pk=opts["account"]).first()
            if account is None:
                raise CommandError(f"No account with id {opts['account']}.")
        report = profitability(user=system_actor(), account=account, subtree=opts["subtree"])
        if opts["analysis"] == "profitability":
            if opts["json"]:
                self.stdout.write(json.dumps(report.as_json()))
                return
            self.stdout.write(f"{'account':40} {'gross':>16} {'leakage':>14} {'pocket':>16} {'contribution':>16}")
            for f in [*report.accounts, report.totals]:
                self.stdout.write(
                    f"{f.account[:40]:40} {f.gross_revenue:>16,.2f} {f.leakage_total:>14,.2f} "
                    f"{f.pocket_revenue:>16,.2f} {f.contribution:>16,.2f}"
                )
            return
        totals = report.totals
        rows = [
            {"category": c.key, "label": c.label(opts["lang"]), "amount": str(totals.leakage[c.key].quantize(_CENT)),
             "share_of_gross": round(float(totals.leakage[c.key] / totals.gross_revenue), 6)
             if totals.gross_revenue else 0.0}
            for c in LEAKAGE_CATEGORIES
        ]  # fmt: skip
        doc = {
            "scope": {"account_id": account.pk if account else None, "subtree": bool(opts["subtree"])},
            "gross_revenue": str(totals.gross_revenue.quantize(_CENT)),
            "pocket_revenue": str(totals.pocket_revenue.quantize(_CENT)),
            "leakage_total": str(totals.leakage_total.quantize(_CENT)),
            "categories": rows,
            "accounts": [
                {"account_id": f.account_id, "account": f.account,
                 "leakage_total": str(f.leakage_total.quantize(_CENT)),
                 "leakage": {k: str(v.quantize(_CENT)) for k, v in f.leakage.items() if v}}
                for f in sorted(report.accounts, key=lambda f: f.leakage_total, reverse=True)
            ],
        }  # fmt: skip
        if opts["json"]:
            self.stdout.write(json.dumps(doc))
            return
        for r in rows:
            self.stdout.write(f"{r['label']:40} {r['amount']:>16} {r['share_of_gross'] * 100:7.2f}%")


_CENT = Decimal("0.01")
