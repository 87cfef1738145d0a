"""The share-of-wallet KPI: revenue / realistic wallet of the subtree from the screening context's newest
wallet estimate on or before the day (none before one exists)."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.planning.kpis import account_kpis
from kampass.screening import facade as screening_facade
from kampass.screening.services_wallet import wallet_estimates_compute

pytestmark = pytest.mark.django_db
NEWEST = dt.date(2026, 6, 30)


def test_share_of_wallet_kpi_has_the_value_of_the_newest_wallet_estimate(settings, head):
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    accounts = [AccountFactory(name=f"SoW {i:02d}", industry="Retail" if i % 2 else "Machinery") for i in range(12)]
    CustomerLink.objects.bulk_create([CustomerLink(customer_id=f"S{i}", account=a) for i, a in enumerate(accounts)])
    rows = [line(f"I{i}", f"S{i}", str(i + 1), "100.00", date=NEWEST - dt.timedelta(days=i * 20)) for i in range(12)]
    rows += [line(f"O{i}", f"S{i}", "2", "100.00", date=NEWEST - dt.timedelta(days=400)) for i in range(12)]
    insert_lines(rows)
    first = accounts[0]
    before = account_kpis([first.pk], as_of=NEWEST, currency="GBP")[first.pk]["share_of_wallet"]
    assert before.value is None
    assert before.source == "no wallet estimate"

    wallet_estimates_compute(actor=head)

    figures = screening_facade.potential([first.pk])[first.pk]
    kpi = account_kpis([first.pk], as_of=NEWEST, currency="GBP")[first.pk]["share_of_wallet"]
    expected = None if figures.wallet == 0 else round(float(figures.revenue / figures.wallet), 4)
    assert kpi.value == (pytest.approx(expected) if expected is not None else None)
    assert kpi.source.startswith("wallet estimate 2026-06-30")
