"""Pages of the selection portfolio: portfolio, account scores and rating, catalogue, rounds,
decisions, exports (XLSX, PDF in German and English), German texts, and the denials."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.screening import services_selection as services
from kampass.screening.models.selection import Catalogue, Rating, SelectionRound
from kampass.screening.tests.factories_selection import default_catalogue, small_catalogue

pytestmark = pytest.mark.django_db


def test_the_portfolio_shows_chart_quadrants_and_rank_stability(client, head, viewer):
    # given
    small_catalogue(actor=head)
    a, b = AccountFactory(name="Alpha"), AccountFactory(name="Beta")
    for account, fit, sat in ((a, 5, 4), (b, 2, 1)):
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="strategic_fit", value=fit, justification="x"
        )
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="satisfaction", value=sat, justification="y"
        )
    client.force_login(viewer)
    # when
    body = client.get(reverse("screening-portfolio")).content.decode()
    # then
    assert 'data-testid="portfolio-chart"' in body
    assert "portfolio-spec" in body
    for move in ("Invest and expand", "A big step or exit", "Hold efficiently", "Selective withdrawal"):
        assert move in body
    assert f'data-testid="stability-{a.pk}"' in body
    assert "stable" in body
    assert body.index("Alpha") < body.index("Beta")  # ranked by the mean of both scores
    assert "Configure criteria" not in body  # a viewer configures nothing


def test_a_kam_rates_their_account_on_its_page_others_may_not(client, head, kam, kam2):
    small_catalogue(actor=head)
    account = AccountFactory(name="Gamma")
    TeamMemberFactory(account=account, user=kam)
    url = reverse("screening-portfolio-account", args=[account.pk])
    form = {"criterion_key": "strategic_fit", "value": "4", "justification": "Core segment"}
    client.force_login(kam2)
    assert 'data-testid="rating-form"' not in client.get(url).content.decode()
    assert client.post(url, form).status_code == 403
    client.force_login(kam)
    assert client.post(url, {**form, "justification": ""}).status_code == 422
    done = client.post(url, form)
    assert (done.status_code, done["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert "Core segment" in page
    assert 'data-testid="contribution-strategic_fit"' in page
    assert Rating.objects.get().rated_by == kam


def test_the_head_publishes_the_next_catalogue_version_a_kam_may_not(client, head, kam):
    url = reverse("screening-catalogue")
    client.force_login(kam)
    assert client.post(url, {"note": "x", "threshold": "50"}).status_code == 403
    client.force_login(head)
    # the first publication is the default catalogue
    assert client.post(url, {"note": "Default", "threshold": "50"}).status_code == 302
    first = Catalogue.objects.get()
    weights = {f"weight_{c.key}": str(c.weight) for c in first.criteria.all()}
    weights["weight_win_rate"] = "5"
    new = {"new_key": "innovation", "new_label": "Innovation", "new_dimension": "attractiveness", "new_weight": "1"}
    posted = client.post(url, {**weights, "note": "Win rate counts more", "threshold": "55", **new})
    assert posted.status_code == 302
    newest = Catalogue.objects.order_by("-number")[0]
    assert (newest.number, str(newest.threshold), newest.criteria.count()) == (2, "55.00", 15)
    assert str(newest.criteria.get(key="win_rate").weight) == "5.00"
    assert "Win rate counts more" in client.get(url).content.decode()


def test_a_round_from_the_pages_with_exports_in_german_and_english(client, head, controller):
    default_catalogue(actor=head)
    account = AccountFactory(name="Delta", kam_status="key_account")
    client.force_login(controller)
    assert client.post(reverse("screening-rounds"), {"period": "2026 H2"}).status_code == 403
    client.force_login(head)
    opened = client.post(reverse("screening-rounds"), {"period": "2026 H2", "as_of": "2026-06-30"})
    r = SelectionRound.objects.get()
    assert opened["Location"] == reverse("screening-round", args=[r.pk])
    d = r.decisions.get(account=account)
    decide = reverse("screening-decision", args=[r.pk, d.pk])
    client.force_login(controller)
    assert client.post(decide, {f"d{d.pk}-status": "demoted", f"d{d.pk}-reason": "x"}).status_code == 403
    client.force_login(head)
    client.post(decide, {f"d{d.pk}-status": "demoted", f"d{d.pk}-reason": "No potential left"})
    assert Account.objects.get(pk=account.pk).kam_status == "demoted"
    client.post(reverse("screening-round-close", args=[r.pk]))
    assert SelectionRound.objects.get(pk=r.pk).status == "closed"
    page = client.get(reverse("screening-round", args=[r.pk])).content.decode()
    assert "No potential left" in page
    # exports
    client.force_login(controller)
    xlsx = client.get(reverse("screening-round-export", args=[r.pk, "xlsx"]), {"lang": "de"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[3][0] == "Account"  # the glossary keeps "Account" in German
    assert any(row[0] == "Delta" and row[8] == "No potential left" for row in rows)
    assert "Begründung" in rows[3]
    pdf_en = client.get(reverse("screening-round-export", args=[r.pk, "pdf"]), {"lang": "en"})
    pdf_de = client.get(reverse("screening-round-export", args=[r.pk, "pdf"]), {"lang": "de"})
    assert pdf_en["Content-Type"] == "application/pdf"
    assert pdf_en.content.startswith(b"%PDF")
    assert pdf_de.content.startswith(b"%PDF")
    assert pdf_de.content != pdf_en.content


def test_the_pages_speak_german(client, head):
    default_catalogue(actor=head)
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("screening-portfolio"), headers={"Accept-Language": "de"}).content.decode()
    assert "Selektionsportfolio" in body
    assert "Investieren und ausbauen" in body
    rounds = client.get(reverse("screening-rounds"), headers={"Accept-Language": "de"}).content.decode()
    assert "Selektionsrunden" in rounds


def test_default_criteria_and_their_scoring_are_shown_in_the_readers_language(client, head):
    # given the default catalogue published by a head of KAM who works in English, and a criterion she
    # renamed in a later version
    from django.utils import translation

    with translation.override("en"):
        specs = services.default_criteria()
    renamed = [dataclasses.replace(s, label="Spend with us") if s.key == "growth" else s for s in specs]
    services.catalogue_publish(actor=head, criteria=renamed)
    head.language = "de"
    head.save()
    client.force_login(head)

    # when she reads the catalogue in German
    body = client.get(reverse("screening-catalogue"), headers={"Accept-Language": "de"}).content.decode()

    # then the default labels and the scoring functions are German, her own label stays as written
    assert "Einkaufsvolumen" in body
    assert "Purchase volume" not in body
    assert "Bruttoumsatz der letzten 12 Monate, logarithmisch" in body
    assert "gross revenue of the last 12 months" not in body
    assert "Spend with us" in body


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get(reverse("screening-portfolio")).status_code == 302


def test_the_account_page_shows_the_selection_panel(client, head, viewer):
    small_catalogue(actor=head)
    account = AccountFactory(name="Epsilon")
    services.rating_create(actor=head, account_id=account.pk, criterion_key="strategic_fit", value=5, justification="x")
    client.force_login(viewer)
    body = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert 'data-testid="selection-panel"' in body
    assert reverse("screening-portfolio-account", args=[account.pk]) in body


def _size_fields(spec):
    """The fields the chart's bubble size encodes (searched through the layers)."""
    if isinstance(spec, dict):
        here = [spec["size"]["field"]] if isinstance(spec.get("size"), dict) and "field" in spec["size"] else []
        return here + [f for v in spec.values() for f in _size_fields(v)]
    if isinstance(spec, list):
        return [f for v in spec for f in _size_fields(v)]
    return []


def _points(spec):
    """The bubbles' data rows (searched through the layers and datasets)."""
    found = json.dumps(spec)
    rows = []

    def walk(v):
        if isinstance(v, dict):
            for item in v.values():
                if isinstance(item, list) and item and all(isinstance(x, dict) and "account" in x for x in item):
                    rows.extend(item)
                else:
                    walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(json.loads(found))
    return rows


@pytest.fixture
def rated_pair(head):
    """Alpha (with a wallet estimate: potential 750 in the subtree) and Beta (without one), both rated."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from kampass.screening.models import WalletEstimate

    small_catalogue(actor=head)
    a, b = AccountFactory(name="Alpha"), AccountFactory(name="Beta")
    for account, fit, sat in ((a, 5, 4), (b, 2, 1)):
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="strategic_fit", value=fit, justification="x"
        )
        services.rating_create(
            actor=head, account_id=account.pk, criterion_key="satisfaction", value=sat, justification="y"
        )
    WalletEstimate.objects.create(
        account=a, as_of=dt.date(2020, 1, 1), q=Decimal("0.80"), currency="EUR", revenue=Decimal(250),
        wallet=Decimal(1000), wallet_low=Decimal(900), wallet_high=Decimal(1200), subtree_revenue=Decimal(250),
        subtree_wallet=Decimal(1000), subtree_wallet_low=Decimal(900), subtree_wallet_high=Decimal(1200),
        peers=20, model_version="wallet-knn-1", computed_at=timezone.now(),
    )  # fmt: skip
    return a, b


def test_the_portfolio_bubbles_show_revenue_by_default(client, viewer, rated_pair):
    # given
    client.force_login(viewer)
    # when
    page = client.get(reverse("screening-portfolio"))
    # then: the bubbles are sized by revenue, the legend says so, and a link switches to potential
    assert set(_size_fields(page.context["chart_spec"])) == {"revenue"}
    body = page.content.decode()
    assert "Bubble size: revenue of the last 12 months." in body
    assert 'href="?size=potential" data-testid="size-potential"' in body
    assert '<strong aria-current="true" data-testid="size-revenue">' in body
    assert "Bubble size: Revenue (12 months)." in page.context["chart_spec"]["description"]


def test_the_portfolio_bubbles_show_the_potential_on_request_in_german_too(client, head, viewer, rated_pair):
    # given
    alpha, beta = rated_pair
    client.force_login(viewer)
    # when
    page = client.get(reverse("screening-portfolio"), {"size": "potential"})
    # then: sized by the potential (Alpha's 750 from its estimate, Beta without one drawn smallest)
    spec = page.context["chart_spec"]
    assert set(_size_fields(spec)) == {"potential"}
    points = {p["account"]: p for p in _points(spec)}
    assert points["Alpha"]["potential"] == 750.0
    assert points["Beta"]["potential"] == 0.0
    body = page.content.decode()
    assert "Bubble size: potential" in body
    assert 'href="?size=revenue" data-testid="size-revenue"' in body
    assert f'data-testid="potential-{alpha.pk}">750' in body
    assert f'data-testid="potential-{beta.pk}">–' in body
    # and: in German
    head.language = "de"
    head.save()
    client.force_login(head)
    german = client.get(reverse("screening-portfolio"), {"size": "potential"}, headers={"Accept-Language": "de"})
    assert "Blasengröße: Potenzial" in german.content.decode()
    assert "Blasengröße: Potenzial." in german.context["chart_spec"]["description"]


def test_the_portfolio_shows_a_wallet_of_another_currency_converted_into_the_reporting_currency(
    client, viewer, rated_pair, settings
):
    from decimal import Decimal

    from kampass.common.exchange_rates import rates_load_text
    from kampass.screening.models import WalletEstimate

    # given Alpha's wallet computed in CHF (potential 750 CHF) and a loaded rate of 0.5 CHF per euro that day
    settings.KAMPASS_REPORTING_CURRENCY = "EUR"
    alpha, _ = rated_pair
    WalletEstimate.objects.filter(account=alpha).update(currency="CHF")
    rates_load_text(text="date,currency,rate\n2020-01-01,CHF,0.5\n", name="t.csv", source="Treasury")
    client.force_login(viewer)
    # when
    page = client.get(reverse("screening-portfolio"), {"size": "potential"})
    # then the potential is 1,500 EUR (750 / 0.5), labelled in the reporting currency, not 750
    points = {p["account"]: p for p in _points(page.context["chart_spec"])}
    assert points["Alpha"]["potential"] == float(Decimal(750) / Decimal("0.5"))
    assert f'data-testid="potential-{alpha.pk}">1,500 <span class="cur">EUR</span>' in page.content.decode()
