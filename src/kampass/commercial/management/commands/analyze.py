"""``kampass analyze profitability|leakage``: account P&L and profit leakage from the analytics store."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.accounts.models import Account
from kampass.common.cli import system_actor


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
        from kampass.commercial.selectors import leakage_report, profitability

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
        doc = leakage_report(report, account=account, subtree=opts["subtree"], lang=opts["lang"])
        if opts["json"]:
            self.stdout.write(json.dumps(doc))
            return
        for r in doc["categories"]:
            self.stdout.write(f"{r['label']:40} {r['amount']:>16} {r['share_of_gross'] * 100:7.2f}%")
