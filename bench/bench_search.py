"""Global search with 100,000 opportunities (10,000 accounts, 20,000 contacts): kampass vs direct SQL.

Prints ``{"bench": "search", "opportunities", "user", "case", "kampass_ms", "sql_ms", "ratio"}`` per case.
The kampass figure is the whole search of all groups (``kampass.common.search.search``: accounts, contacts,
opportunities and plans, each with its visibility rule and ranking); the baseline, in the same run, is the
bare SQL of the same case-insensitive ``LIKE`` over the same tables, nine rows per table, without ranking
or visibility. Cases: a word in thousands of names, a rare one, one that matches nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

N_ACCOUNTS = 10_000
N_OPPORTUNITIES = 100_000
N_CONTACTS = 20_000
REPEAT = 9

home = tempfile.mkdtemp(prefix="kampass-bench-")
os.environ["KAMPASS_HOME"] = home
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "kampass.config.settings"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from kampass.accounts.models import Account, Contact, Position, TeamMember  # noqa: E402
from kampass.common.search import search  # noqa: E402
from kampass.pipeline.models import Opportunity, StageSet  # noqa: E402
from kampass.users.models import User  # noqa: E402

WORDS = ["Retrofit", "Spare parts", "Service contract", "Drive upgrade", "Pump line", "Automation", "Audit"]


def seed() -> tuple[User, User]:
    head = User.objects.create_user("bench-head", password="x", role="head")
    kams = [User.objects.create_user(f"kam{i}", password="x", role="kam") for i in range(40)]
    Account.objects.bulk_create(
        [
            Account(name=f"Customer {i:05d}", kam_status="key_account" if i % 10 == 0 else "prospect")
            for i in range(N_ACCOUNTS)
        ],
        batch_size=2000,
    )
    accounts = list(Account.objects.order_by("pk"))
    for a in accounts:
        a.path = f"{a.pk}/"
    Account.objects.bulk_update(accounts, ["path"], batch_size=2000)
    TeamMember.objects.bulk_create(
        [TeamMember(account=a, user=kams[i % 40], role="kam") for i, a in enumerate(accounts) if i % 4 == 0],
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        [
            Contact(first_name=f"First{i}", last_name=f"Person {i:05d}", email=f"p{i}@example.com")
            for i in range(N_CONTACTS)
        ],
        batch_size=2000,
    )
    contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    Position.objects.bulk_create(
        [Position(contact_id=c, account=accounts[i % N_ACCOUNTS]) for i, c in enumerate(contacts)], batch_size=2000
    )
    stage_set = StageSet.objects.get(is_default=True)
    stage = stage_set.stages.order_by("order").first()
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                account=accounts[i % N_ACCOUNTS],
                name=f"{WORDS[i % len(WORDS)]} {i:06d}",
                stage_set=stage_set,
                stage=stage,
                amount=Decimal(10_000 + i),
                created_on=dt.date(2025, 1, 1),
                external_id=f"CRM-{i:06d}",
            )
            for i in range(N_OPPORTUNITIES)
        ],
        batch_size=5000,
    )
    return head, kams[0]


def median_ms(fn) -> float:
    fn()
    samples = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    head, kam = seed()
    assert Opportunity.objects.count() == N_OPPORTUNITIES
    db = sqlite3.connect(Path(home) / "kampass.sqlite3")
    cases = {"frequent": "retrofit", "rare": "012345", "none": "zzqx"}
    for user in (head, kam):
        for case, q in cases.items():
            like = f"%{q}%"
            baseline = [
                ("SELECT id, name FROM accounts_account WHERE name LIKE ? ORDER BY lower(name) LIMIT 9", (like,)),
                (
                    "SELECT id, last_name FROM accounts_contact WHERE last_name LIKE ? OR email LIKE ? "
                    "ORDER BY lower(last_name) LIMIT 9",
                    (like, like),
                ),
                (
                    "SELECT o.id, o.name, a.name FROM pipeline_opportunity o "
                    "JOIN accounts_account a ON a.id = o.account_id "
                    "WHERE o.name LIKE ? OR a.name LIKE ? ORDER BY lower(o.name) LIMIT 9",
                    (like, like),
                ),
            ]
            k_ms = median_ms(lambda u=user, q=q: search(user=User.objects.get(pk=u.pk), q=q))
            s_ms = median_ms(lambda b=baseline: [db.execute(sql, args).fetchall() for sql, args in b])
            print(
                json.dumps(
                    {
                        "bench": "search",
                        "opportunities": N_OPPORTUNITIES,
                        "user": user.role,
                        "case": case,
                        "kampass_ms": round(k_ms, 2),
                        "sql_ms": round(s_ms, 2),
                        "ratio": round(k_ms / s_ms, 1),
                    }
                )
            )


if __name__ == "__main__":
    main()
