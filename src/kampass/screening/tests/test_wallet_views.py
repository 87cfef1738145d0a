"""The wallet pages, the account page's "Potential" section and ``kampass screening wallet``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.screening import services_wallet
from kampass.screening.models import PotentialEstimate, WalletEstimate
from kampass.screening.tests.factories_wallet import short_history_world, wallet_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    return wallet_world()


def test_wallets_page_and_recompute_by_the_head(client, world, head, controller):
    client.force_login(controller)
    page = client.get(reverse("screening-wallets"))
    assert page.status_code == 200
    assert "no-wallets" in page.content.decode()
    assert client.post(reverse("screening-wallets-recompute"), {"q": "0.8"}).status_code == 403
    client.force_login(head)
    r = client.post(reverse("screening-wallets-recompute"), {"q": "0.8"})
    assert r.status_code == 302
    assert WalletEstimate.objects.count() == len(world.accounts)
    html = client.get(reverse("screening-wallets")).content.decode()
    assert "wallet-table" in html
    assert "Wallet Group" in html


def test_account_page_shows_the_potential_in_german(client, world, head, kam):
    services_wallet.wallet_estimates_compute(actor=head)
    TeamMemberFactory(account=world.group, user=kam)
    client.force_login(kam)
    html = client.get(reverse("account-detail", args=[world.group.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-testid="account-potential-panel"' in html
    assert "Potenzial" in html
    assert "Share of Wallet" in html
    assert 'data-testid="wallet-subtree"' in html  # the group has subsidiaries
    assert 'data-testid="estimate-potential"' in html


def test_a_kam_enters_an_estimate_on_the_page_and_another_kam_is_refused(client, world, kam, kam2):
    TeamMemberFactory(account=world.group, user=kam)
    url = reverse("screening-potential-estimate", args=[world.group.pk])
    client.force_login(kam2)
    assert client.get(url).status_code == 403
    client.force_login(kam)
    assert client.get(url).status_code == 200
    r = client.post(url, {"wallet": "5000", "currency": "GBP", "reason": "Budget talks"})
    assert r.status_code == 302
    assert PotentialEstimate.objects.get().estimated_by == kam
    html = client.get(reverse("screening-potential-optimism")).content.decode()
    assert "optimism-table" in html
    assert "Budget talks" in html


def test_cli_prints_the_wallets_as_json(world, head):
    out = StringIO()
    call_command("screening", "wallet", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    rows = {a["account_id"]: a for a in doc["accounts"]}
    assert set(rows) == {a.pk for a in world.accounts}
    e = WalletEstimate.objects.get(account=world.group)
    g = rows[world.group.pk]
    assert g["wallet"] == str(e.wallet)
    assert g["subtree"]["wallet"] == str(e.subtree_wallet)
    assert g["share_of_wallet"] == pytest.approx(float(e.revenue / e.wallet))
    out = StringIO()
    call_command("screening", "wallet", "--keep", "--account", str(world.group.pk), stdout=out)
    assert "Wallet Group" in out.getvalue()


def test_cli_without_enough_invoice_facts_fails_clearly(db):
    with pytest.raises(CommandError, match="Too few accounts"):
        call_command("screening", "wallet", "--json", stdout=StringIO())


def test_floored_wallets_and_annualised_revenues_are_noted_on_the_pages_and_in_the_cli(client, settings, head):
    # given: a short history (60 days) in which the last account buys far more than its peers
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    world = short_history_world(span_days=60)
    big = world.accounts[-1]
    services_wallet.wallet_estimates_compute(actor=head)
    client.force_login(head)
    # when / then: the wallets page notes the annualising and marks the floored wallet
    html = client.get(reverse("screening-wallets")).content.decode()
    assert 'data-testid="wallet-annualised"' in html
    assert "last 30 days" in html
    # (the revenue column says the same, not "last 12 months")
    assert 'data-testid="revenue-head">Revenue, last 30 days annualised</th>' in html
    assert f'data-testid="floored-{big.pk}"' in html
    assert f'data-testid="floored-{world.accounts[0].pk}"' not in html
    assert 'data-testid="floored-legend"' in html
    # and: the account's potential section too, in German
    german = client.get(reverse("account-detail", args=[big.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-testid="floored-own"' in german
    assert "Umsatz der letzten 30 Tage, auf ein Jahr hochgerechnet" in german
    # and: the CLI's JSON has the additional keys
    out = StringIO()
    call_command("screening", "wallet", "--keep", "--json", stdout=out)
    rows = {a["account_id"]: a for a in json.loads(out.getvalue())["accounts"]}
    assert rows[big.pk]["floored"] is True
    assert rows[big.pk]["share_of_wallet"] == 1.0
    assert rows[big.pk]["subtree"]["floored"] is True
    assert rows[world.accounts[0].pk]["floored"] is False
    assert rows[big.pk]["window_days"] == 30
    assert rows[big.pk]["revenue_annualised"] is True


def test_the_floored_legend_is_left_out_without_floored_wallets(client, world, head):
    # given: wallets computed, then none of them floored
    services_wallet.wallet_estimates_compute(actor=head)
    WalletEstimate.objects.update(floored=False)
    client.force_login(head)
    # when
    html = client.get(reverse("screening-wallets")).content.decode()
    # then: no legend, and the full year is not called annualised
    assert 'data-testid="floored-legend"' not in html
    assert 'data-testid="wallet-annualised"' not in html
    assert 'data-testid="revenue-head">Revenue, last 12 months</th>' in html
