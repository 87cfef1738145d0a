"""The screening landing page: the parts with what each holds now, linked from the programme page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.screening import services_wallet
from kampass.screening.models import WalletEstimate
from kampass.screening.tests.factories_wallet import wallet_world

pytestmark = pytest.mark.django_db


def test_empty_screening_says_what_is_missing_and_links_every_part(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("screening-home")).content.decode()
    for url in ("screening-portfolio", "screening-rounds", "screening-wallets", "screening-segments"):
        assert f'href="{reverse(url)}"' in html
    assert "No selection round yet." in html
    assert "No wallet estimate yet." in html
    assert "No segments computed yet." in html
    assert "0 opportunities created from whitespace." in html


def test_wallet_figures_on_the_screening_page_in_german(client, head, settings):
    # given: wallets computed for the accounts of a small world
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    world = wallet_world()
    services_wallet.wallet_estimates_compute(actor=head, q=0.8)
    n = WalletEstimate.objects.values("account_id").distinct().count()
    assert n == len(world.accounts)
    # when
    client.force_login(head)
    client.cookies["django_language"] = "de"
    html = client.get(reverse("screening-home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    # then
    assert f"{n} Accounts mit einer Wallet-Schätzung" in html


def test_the_programme_page_links_screening(client, head):
    client.force_login(head)
    html = client.get(reverse("programme-dashboard")).content.decode()
    assert f'href="{reverse("screening-home")}"' in html


def test_screening_needs_a_login(client):
    r = client.get(reverse("screening-home"))
    assert r.status_code == 302
