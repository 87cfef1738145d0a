"""Account list with 10,000 accounts: kampass page vs a direct SQL query of the same page.

Prints ``{"bench": "account_list", "accounts", "case", "kampass_ms", "sql_ms", "ratio"}`` per case.
The kampass figure is the full request (filters, KAM annotation, count, template);
the baseline is the bare SQL for the same rows and count, in the same run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

N_ACCOUNTS = 10_000
REPEAT = 15

home = tempfile.mkdtemp(prefix="kampass-bench-")
os.environ["KAMPASS_HOME"] = home
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "kampass.config.settings"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)

from kampass.accounts.models import Account, TeamMember  # noqa: E402
from kampass.users.models import User  # noqa: E402

STATUSES = ["prospect", "candidate", "key_account", "strategic", "demoted"]
INDUSTRIES = ["Machinery", "Insurance", "Apparel", "Utilities", "Retail", "Chemicals", "Banking", "Energy"]
COUNTRIES = ["DE", "CH", "AT", "FR", "IT", "US", "GB", "NL", "SE", "PL"]


def seed() -> User:
    head = User.objects.create_user("bench-head", password="x", role="head")
    kams = [User.objects.create_user(f"kam{i}", password="x", role="kam", last_name=f"Kam{i:02d}") for i in range(40)]
    roots = [
        Account(
            name=f"Group {i:04d}", industry=INDUSTRIES[i % 8], country=COUNTRIES[i % 10], kam_status=STATUSES[i % 5]
        )
        for i in range(1000)
    ]
    Account.objects.bulk_create(roots)
    rows = list(Account.objects.all())
    for a in rows:
        a.path = f"{a.pk}/"
    Account.objects.bulk_update(rows, ["path"], batch_size=1000)
    children = []
    for i, parent in enumerate(rows):
        for j in range(9):
            k = i * 9 + j
            children.append(
                Account(
                    name=f"Company {k:05d}",
                    parent=parent,
                    depth=1,
                    industry=INDUSTRIES[k % 8],
                    country=COUNTRIES[k % 10],
                    kam_status=STATUSES[k % 5],
                )
            )
    Account.objects.bulk_create(children, batch_size=2000)
    kids = list(Account.objects.filter(parent__isnull=False).select_related("parent"))
    for a in kids:
        a.path = f"{a.parent.path}{a.pk}/"
    Account.objects.bulk_update(kids, ["path"], batch_size=2000)
    TeamMember.objects.bulk_create(
        [TeamMember(account=a, user=kams[i % 40], role="kam") for i, a in enumerate(rows)], batch_size=2000
    )
    return head


def median_ms(fn) -> float:
    fn()
    samples = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    head = seed()
    assert Account.objects.count() == N_ACCOUNTS
    client = Client()
    client.force_login(head)
    db = sqlite3.connect(Path(home) / "kampass.sqlite3")
    kam_sql = (
        "(SELECT u.last_name FROM accounts_teammember t JOIN users_user u ON u.id = t.user_id "
        "WHERE t.account_id = a.id AND t.role = 'kam' ORDER BY t.id LIMIT 1)"
    )
    cases = {
        "default": (
            {},
            f"SELECT a.id, a.name, a.kam_status, {kam_sql} FROM accounts_account a ORDER BY lower(a.name) LIMIT 25",
            "SELECT count(*) FROM accounts_account",
        ),
        "search": (
            {"q": "company 0012"},
            f"SELECT a.id, a.name, {kam_sql} FROM accounts_account a WHERE a.name "
            "LIKE '%company 0012%' ORDER BY lower(a.name) LIMIT 25",
            "SELECT count(*) FROM accounts_account WHERE name LIKE '%company 0012%'",
        ),
        "status_page_20": (
            {"status": "key_account", "page": 20},
            f"SELECT a.id, a.name, {kam_sql} FROM accounts_account a WHERE a.kam_status = "
            "'key_account' ORDER BY lower(a.name) LIMIT 25 OFFSET 475",
            "SELECT count(*) FROM accounts_account WHERE kam_status = 'key_account'",
        ),
        "sort_by_kam_desc": (
            {"sort": "kam", "dir": "desc"},
            f"SELECT a.id, a.name, {kam_sql} AS k FROM accounts_account a ORDER BY lower(k) DESC LIMIT 25",
            "SELECT count(*) FROM accounts_account",
        ),
    }
    for case, (params, sql, count_sql) in cases.items():
        response = client.get("/accounts/", params)
        assert response.status_code == 200, response.status_code
        baseline_rows = db.execute(sql).fetchall()
        assert baseline_rows, f"baseline query of {case} returned no rows"
        k_ms = median_ms(lambda p=params: client.get("/accounts/", p))
        s_ms = median_ms(lambda q=sql, c=count_sql: (db.execute(q).fetchall(), db.execute(c).fetchall()))
        print(
            json.dumps(
                {
                    "bench": "account_list",
                    "accounts": N_ACCOUNTS,
                    "case": case,
                    "kampass_ms": round(k_ms, 2),
                    "sql_ms": round(s_ms, 2),
                    "ratio": round(k_ms / s_ms, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
