"""``kampass plan export ACCOUNT_ID --pdf|--pptx|--xlsx FILE [--lang de] [--summary] [--plan-id ID]``:
an account's plan written as PDF (full or the one-page summary), PPTX or XLSX; ``kampass plan
reviews|kpis``: raise the reviews events call for (or list planned reviews), print an account's KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.planning import cli_kpis_reviews


class Command(BaseCommand):
    help = (
        "Account plans: `export ACCOUNT_ID --pdf|--pptx|--xlsx FILE` writes the account's plan as a file; "
        "`reviews` raises event-triggered and due reviews or lists them; `kpis` prints an account's KPIs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export",
            help="Write an account's plan (default: its plan in force, else its newest version) as PDF, PPTX or XLSX.",
        )
        export.add_argument("account_id", type=int, help="The account's id.")
        out = export.add_mutually_exclusive_group(required=True)
        out.add_argument("--pdf", metavar="FILE", help="Write the plan as PDF (with --summary: the one-pager).")
        out.add_argument("--pptx", metavar="FILE", help="Write the one-pager as slides (PPTX).")
        out.add_argument("--xlsx", metavar="FILE", help="Write the plan as a workbook (XLSX).")
        export.add_argument("--lang", choices=["en", "de"], default="en", help="Language of the texts.")
        export.add_argument("--summary", action="store_true", help="PDF: the one-page summary for the customer review.")
        export.add_argument("--plan-id", type=int, help="A plan version of the account (default: see above).")
        cli_kpis_reviews.add_parsers(sub)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] in ("reviews", "kpis"):
            cli_kpis_reviews.run(self, opts)
            return
        from kampass.accounts import facade as accounts_facade
        from kampass.planning import selectors
        from kampass.planning.exports import export_plan
        from kampass.planning.models import AccountPlan

        account_id = opts["account_id"]
        account = accounts_facade.account_ref(account_id)
        if account is None:
            raise CommandError(f"No account with id {account_id}.")
        if opts["plan_id"] is not None:
            plan = AccountPlan.objects.filter(pk=opts["plan_id"], account_id=account_id).first()
            if plan is None:
                raise CommandError(f"Account {account_id} ({account.name}) has no plan with id {opts['plan_id']}.")
        else:
            plan = selectors.current_plan(account_id) or selectors.newest_plan(account_id)
            if plan is None:
                raise CommandError(f"Account {account_id} ({account.name}) has no plan.")
        fmt = next(f for f in ("pdf", "pptx", "xlsx") if opts[f])
        target = Path(opts[fmt])
        if not target.parent.exists():
            raise CommandError(f"Directory {target.parent} does not exist.")
        f = export_plan(plan, fmt=fmt, lang=opts["lang"], summary=opts["summary"])
        target.write_bytes(f.data)
        self.stdout.write(f"Wrote {target} ({len(f.data):,} bytes): {plan} as {fmt.upper()} ({opts['lang']}).")
