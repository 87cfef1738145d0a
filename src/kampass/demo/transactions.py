"""Demo invoice lines: an Online Retail extract imported into the analytics store and linked to demo accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ibis

from kampass.accounts.models import Account, KamStatus
from kampass.commercial.models import CustomerLink
from kampass.common.analytics import analytics_store
from kampass.core.analytics.schema import IMPORT_BATCHES, INVOICE_FACTS, INVOICE_LINES

DEMO_FILE = Path(__file__).resolve().parent / "data" / "online_retail_demo.csv.gz"


@dataclass(frozen=True)
class DemoTransactions:
    lines: int
    customers: int
    linked: int
    already_imported: bool


def _demo_accounts() -> list[Account]:
    """Accounts that get customers, most important first: strategic, key, candidates, then group companies."""
    order = [KamStatus.STRATEGIC, KamStatus.KEY_ACCOUNT, KamStatus.CANDIDATE]
    chosen: list[Account] = []
    for status in order:
        chosen += list(Account.objects.filter(kam_status=status).order_by("pk"))
    chosen += list(Account.objects.filter(depth__gt=0).exclude(kam_status__in=order).order_by("pk"))
    return chosen


def demo_transactions_load(*, reset: bool = False) -> DemoTransactions:
    """Import the demo invoice lines (idempotent) and link their customers to demo accounts.

    The biggest customers (by revenue) go to the strategic and key accounts; group companies get
    customers too, so that figures roll up along the hierarchy.
    """
    from kampass.core.analytics.ingest import import_file, load_mapping

    with analytics_store(write=True) as store:
        if reset:
            for name in (INVOICE_LINES, INVOICE_FACTS, IMPORT_BATCHES):
                store.con.drop_table(name, force=True)
            store.ensure_tables()
        result = import_file(store=store, path=DEMO_FILE, mapping=load_mapping("online-retail"))
        lines = store.table(INVOICE_LINES)
        by_customer = (
            lines.filter(lines.customer_id.notnull())
            .group_by("customer_id")
            .aggregate(revenue=lines.amount.sum())
            .order_by([ibis.desc("revenue"), "customer_id"])
            .to_pyarrow()
            .to_pylist()
        )
        already = set(CustomerLink.objects.values_list("customer_id", flat=True))
        accounts = _demo_accounts()
        links = [
            CustomerLink(customer_id=row["customer_id"], account=account)
            for row, account in zip(by_customer, accounts, strict=False)
            if row["customer_id"] not in already
        ]
        CustomerLink.objects.bulk_create(links, ignore_conflicts=True)
        total = int(lines.count().to_pyarrow().as_py())
    return DemoTransactions(total, len(by_customer), len(links), result.already_imported)
