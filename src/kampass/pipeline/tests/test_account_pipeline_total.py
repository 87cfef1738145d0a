"""The account page shows the open pipeline of the account's opportunities in the account's currency,
converted at the rate of each deal's expected close date, and names the rate source (the accounts context
asks the pipeline through kampass.common.account_facts, registered in PipelineConfig.ready)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

RATE_DAY = dt.date(2020, 1, 2)


def _load_rate(per_euro: str) -> None:
    """A rate file an administrator loaded: 1 EUR = ``per_euro`` GBP on RATE_DAY (source "Board")."""
    from django.utils import timezone as tz

    from kampass.common import fx
    from kampass.common.models import ExchangeRate

    ExchangeRate.objects.create(
        day=RATE_DAY, currency="GBP", per_euro=Decimal(per_euro), base="EUR", base_rate=Decimal(per_euro),
        source="Board", loaded_at=tz.now(),
    )  # fmt: skip
    fx.invalidate_loaded_rates()


@pytest.fixture
def mixed_pipeline(group):
    make_opportunity(account=group, name="DE", amount=Decimal("1000"), currency="EUR")
    make_opportunity(account=group, name="UK", amount=Decimal("1000"), currency="GBP", expected_close_date=RATE_DAY)
    make_opportunity(account=group, name="Done", amount=Decimal("99999"), currency="EUR", stage_name="Closed Won")
    _load_rate("0.8")
    in_eur = Decimal("1250.00")  # 1000 GBP at 0.8 GBP per EUR
    return group, Decimal("1000") + in_eur


def _total_cell(content: bytes) -> str:
    m = re.search(rb'data-testid="account-pipeline-total">(.*?)</dd>', content, re.S)
    assert m is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m.group(1).decode())).strip()


def test_the_account_page_shows_the_open_pipeline_in_the_accounts_currency_with_the_rate_source(
    client, kam, mixed_pipeline
):
    group, expected = mixed_pipeline
    client.force_login(kam)
    cell = _total_cell(client.get(reverse("account-detail", args=[group.pk])).content)
    assert cell.startswith(f"{expected:,.2f} EUR")
    assert "2 open opportunities" in cell
    assert "converted into EUR at Board rates (1 amount in 1 currency)" in cell


def test_a_kam_of_another_team_sees_no_pipeline_figures(client, kam2, mixed_pipeline):
    group, _expected = mixed_pipeline
    client.force_login(kam2)
    page = client.get(reverse("account-detail", args=[group.pk]))
    assert page.status_code == 200
    assert b"account-pipeline-total" not in page.content
