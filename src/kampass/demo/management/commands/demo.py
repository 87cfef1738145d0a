"""``kampass demo [--reset] [--if-empty] [--force]``: load the demo data set and print the demo logins."""

from __future__ import annotations

import time
from dataclasses import fields
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampass.demo.services import (
    DEMO_LOGINS,
    PASSWORD_ENV,
    DemoRefused,
    demo_check,
    demo_load,
    demo_password,
    demo_summary,
)


class Command(BaseCommand):
    help = (
        "Load the demo data set (accounts from the Salesforce analytics demo-data export, fictitious people) "
        "and create the demo logins. Running it again changes nothing but the demo logins' passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete ALL accounts, contacts, org units, account teams and the demo users first, then load.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database holds no accounts yet (and nothing the demo did not create).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load (or --reset) even when the database holds accounts, opportunities or users "
            "that the demo did not create.",
        )
        parser.add_argument(
            "--scale",
            choices=["large", "medium"],
            default="",
            help="After the demo, add the data of a large supplier for load benchmarks (large: 5,000 accounts, "
            "50,000 contacts, 100,000 opportunities with stage history, 1,000,000 invoice lines, 200 users).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reset, if_empty, force = options["reset"], options["if_empty"], options["force"]
        if reset and if_empty:
            raise CommandError("--reset and --if-empty exclude each other.")
        if if_empty and demo_summary().accounts:
            self.stdout.write("The database holds accounts already; demo data not loaded.")
            return
        try:
            demo_check(force=force)
        except DemoRefused as exc:
            if if_empty:
                self.stdout.write(
                    f"The database holds data not created by the demo ({exc.foreign.describe()}); demo data not loaded."
                )
                return
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        if reset:
            from kampass.programme.demo import demo_programme_clear

            demo_programme_clear()  # its respondents protect the demo users that the reset replaces
        summary = demo_load(reset=reset, force=force)
        from kampass.demo.transactions import demo_transactions_load

        tx = demo_transactions_load(reset=reset)
        from kampass.pipeline.demo import demo_pipeline_load
        from kampass.programme.demo import demo_programme_load

        opportunities = demo_pipeline_load(reset=reset)
        from kampass.organisation.demo import demo_organisation_load

        organisation = demo_organisation_load(reset=reset)
        responses = demo_programme_load(reset=reset)
        from kampass.roadmap.demo import demo_roadmap_load

        roadmap = demo_roadmap_load(reset=reset)
        from kampass.planning.demo import demo_plans_load

        plans = demo_plans_load(reset=reset)
        from kampass.solutions.demo import demo_solutions_load

        solutions = demo_solutions_load(reset=reset)
        from kampass.planning.demo_solutions import demo_plan_solutions_load

        solutions += demo_plan_solutions_load()
        from kampass.planning.demo_reviews import demo_reviews_load

        reviews = demo_reviews_load(reset=reset)
        from kampass.planning.demo_health import demo_health_load

        health = demo_health_load(reset=reset)
        # the wallets first: the selection round scores share of wallet from them
        from kampass.screening.demo_wallet import demo_wallet_load

        wallets = demo_wallet_load(reset=reset)
        from kampass.screening.demo_selection import demo_selection_load

        selection = demo_selection_load(reset=reset)
        from kampass.screening.demo_whitespace import demo_whitespace_load

        whitespace = demo_whitespace_load(reset=reset)
        from kampass.screening.demo_segments import demo_segments_load

        segment_runs = demo_segments_load(reset=reset)
        if options["scale"]:
            from kampass.demo.scale import scale_load

            scaled = scale_load(options["scale"], progress=lambda step: self.stdout.write(f"  scale: {step} ..."))
            self.stdout.write(
                f"  scale data             {scaled.accounts} accounts, {scaled.contacts} contacts, "
                f"{scaled.opportunities} opportunities ({scaled.stage_changes} stage changes), "
                f"{scaled.invoice_lines} invoice lines, {scaled.users} users in {scaled.seconds} s"
                if scaled.loaded
                else "  scale data             present already"
            )
        elapsed = time.perf_counter() - started
        if summary.loaded:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        else:
            self.stdout.write("Demo data present already; demo logins refreshed (use --reset to reload).")
        width = max(len(f.name) for f in fields(summary))
        for f in fields(summary):
            if f.name not in {"loaded", "kept_passwords"}:
                self.stdout.write(f"  {f.name.replace('_', ' '):<{width}}  {getattr(summary, f.name)}")
        self.stdout.write(
            f"  invoice lines          {tx.lines} ({tx.customers} customers, {tx.linked} newly linked to accounts)"
        )
        self.stdout.write(f"  opportunities          {opportunities}")
        self.stdout.write(f"  organisation records   {organisation}")
        self.stdout.write(f"  assessment responses   {responses}")
        self.stdout.write(f"  roadmap records        {roadmap}")
        self.stdout.write(f"  plan records           {plans}")
        self.stdout.write(f"  solutions records      {solutions}")
        self.stdout.write(f"  objectives and reviews {reviews}")
        self.stdout.write(f"  actions and health     {health}")
        self.stdout.write(f"  selection records      {selection}")
        self.stdout.write(f"  whitespace records     {whitespace}")
        self.stdout.write(f"  wallet estimates       {wallets}")
        self.stdout.write(f"  segment runs           {segment_runs}")
        password = demo_password()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password from ${PASSWORD_ENV}, default 'kampass-demo'):")
        rows = [("username", "role", "password")] + [
            (u.username, str(u.role), "(changed, left as it is)" if u.username in summary.kept_passwords else password)
            for u in DEMO_LOGINS
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "The demo passwords are public: use them on your own machine only, never on a server others can reach."
            )
        )
