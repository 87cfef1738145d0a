"""The opportunity pages: list (search, sort, pages), page (facts, MEDDPICC inline, buying centre,
risks with the matrix, probability explanation, stage and change history), create/edit/delete,
stage change form, and the denials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import ContactFactory, PositionFactory
from kampass.pipeline.models import Opportunity, OpportunityContact, Outcome, Qualification, Risk
from kampass.pipeline.services import risk_create
from kampass.pipeline.tests.factories import admin_actor, make_opportunity, stage

HX = {"HX-Request": "true"}


# ---------------------------------------------------------------- list


def test_list_searches_sorts_and_pages(client, head, group, settings):
    settings.KAMPASS_PAGE_SIZE = 2
    for i, amount in enumerate([300, 100, 200]):
        make_opportunity(account=group, name=f"Deal {i}", amount=amount)
    make_opportunity(account=group, name="Other thing", amount=50)
    client.force_login(head)
    response = client.get(reverse("opportunity-list") + "?q=deal&sort=amount&dir=desc")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 3
    assert [o.name for o in page.object_list] == ["Deal 0", "Deal 2"]
    assert 'data-testid="page-next"' in response.content.decode()
    response = client.get(reverse("opportunity-list") + "?q=deal&sort=amount&dir=desc&page=2", headers=HX)
    assert [o.name for o in response.context["page"].object_list] == ["Deal 1"]
    assert "<html" not in response.content.decode()


def test_list_is_sorted_by_name_by_default(client, head, group):
    make_opportunity(account=group, name="Zeta", expected_close_date=dt.date(2030, 1, 1))
    make_opportunity(account=group, name="Alpha", expected_close_date=dt.date(2031, 1, 1))
    client.force_login(head)
    response = client.get(reverse("opportunity-list"))
    assert [o.name for o in response.context["page"].object_list] == ["Alpha", "Zeta"]
    assert 'aria-sort="ascending">Name' in response.content.decode()


def test_list_empty_state(client, head):
    client.force_login(head)
    response = client.get(reverse("opportunity-list") + "?q=nothing")
    body = response.content.decode()
    assert 'data-testid="list-empty"' in body
    assert "Clear all filters" in body


# ---------------------------------------------------------------- page


@pytest.fixture
def deal(group, kam):
    return make_opportunity(
        account=group,
        name="Escalator retrofit",
        amount=Decimal("250000"),
        owner=kam,
        owner_probability=70,
        competitors="Otis, Kone",
        products="Escalator, Service",
        expected_close_date=dt.date(2030, 6, 30),
    )


def test_opportunity_page_shows_facts_checklist_risks_and_history(client, kam, deal):
    risk_create(actor=kam, opportunity=deal, title="Steel price", category="commercial", likelihood=4, impact=3,
                cost=Decimal("10000"))  # fmt: skip
    client.force_login(kam)
    response = client.get(reverse("opportunity-detail", args=[deal.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Escalator retrofit" in body
    assert "250,000.00 EUR" in body
    assert "Otis" in body
    assert "Kone" in body
    # the eight MEDDPICC elements, all missing
    assert len(response.context["d"].qualification) == 8
    assert body.count('data-testid="q-status"') == 8
    assert "0 of 8 confirmed" in body
    # the risk register with the matrix cell and the expected risk cost (0.7 x 10,000)
    assert "Steel price" in body
    cell = next(c for _, cells in response.context["matrix"] for c in cells if c.likelihood == 4 and c.impact == 3)
    assert cell.count == 1
    assert cell.severity == "high"
    assert response.context["risk_cost"] == [("EUR", Decimal("7000.00"))]
    assert "7,000.00" in body
    # the stage history starts with the creation
    assert 'data-testid="stage-history"' in body
    assert "(created)" in body
    assert 'data-testid="not-scored"' in body
    assert 'data-testid="edit-opportunity"' in body


def test_late_stage_flags_missing_economic_buyer_and_champion(client, kam, group):
    late = make_opportunity(account=group, name="Late", stage_name="Negotiation/Review")
    client.force_login(kam)
    body = client.get(reverse("opportunity-detail", args=[late.pk])).content.decode()
    assert 'data-testid="late-stage-flags"' in body
    assert 'data-testid="flag-economic_buyer"' in body
    assert 'data-testid="flag-champion"' in body
    board = client.get(reverse("pipeline-board")).content.decode()
    assert "no economic buyer" in board
    assert "no champion" in board


def test_qualification_is_edited_inline(client, kam, deal):
    client.force_login(kam)
    url = reverse("opportunity-qualification", args=[deal.pk, "economic_buyer"])
    # GET (HTMX) gives the checklist with the row as a form
    response = client.get(url, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="q-form"' in body
    assert 'name="evidence"' in body
    # POST without evidence for "confirmed" is refused with a message on the field
    response = client.post(url, {"status": "confirmed", "evidence": ""}, headers=HX)
    assert response.status_code == 200
    assert "Say what you know and how you know it." in response.content.decode()
    assert not Qualification.objects.filter(opportunity=deal).exists()
    # a valid POST saves and gives back the checklist in display mode
    response = client.post(url, {"status": "confirmed", "evidence": "CFO Meier signs above 100k"}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="q-form"' not in body
    assert "CFO Meier signs above 100k" in body
    assert "1 of 8 confirmed" in body
    item = Qualification.objects.get(opportunity=deal, element="economic_buyer")
    assert item.status == "confirmed"
    assert item.updated_by == kam


def test_qualification_without_htmx_redirects_and_invalid_is_422(client, kam, deal):
    client.force_login(kam)
    url = reverse("opportunity-qualification", args=[deal.pk, "champion"])
    assert client.get(url).status_code == 200  # full page with the row as a form
    assert client.post(url, {"status": "partial", "evidence": ""}).status_code == 422
    response = client.post(url, {"status": "partial", "evidence": "Head of maintenance likes us"})
    assert response.status_code == 302
    assert response.url.endswith("#qualification")
    assert client.get(reverse("opportunity-qualification", args=[deal.pk, "nonsense"])).status_code == 404


def test_buying_centre_link_add_and_remove(client, kam, deal, group, site):
    contact = ContactFactory(first_name="Vera", last_name="Meier")
    PositionFactory(contact=contact, account=site)
    stranger = ContactFactory(first_name="Sam", last_name="Stranger")
    client.force_login(kam)
    url = reverse("opportunity-contact-add", args=[deal.pk])
    response = client.get(url)
    choices = list(response.context["form"].fields["contact"].queryset)
    assert contact in choices
    assert stranger not in choices
    response = client.post(url, {"contact": contact.pk, "roles": []})
    assert response.status_code == 422
    response = client.post(url, {"contact": contact.pk, "roles": ["economic_buyer", "decider"], "notes": "signs"})
    assert response.status_code == 302
    link = OpportunityContact.objects.get(opportunity=deal, contact=contact)
    assert link.roles == ["economic_buyer", "decider"]
    body = client.get(reverse("opportunity-detail", args=[deal.pk])).content.decode()
    assert "Vera Meier" in body
    assert "Economic buyer" in body
    response = client.post(reverse("opportunity-contact-remove", args=[deal.pk, link.pk]))
    assert response.status_code == 302
    assert not OpportunityContact.objects.filter(pk=link.pk).exists()


def test_risk_add_edit_delete_with_validation(client, kam, deal):
    client.force_login(kam)
    url = reverse("opportunity-risk-create", args=[deal.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "", "category": "technical", "likelihood": 9, "impact": 2, "currency": "EUR",
                                 "status": "open"})  # fmt: skip
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "title" in errors
    assert "likelihood" in errors
    response = client.post(url, {"title": "Site access", "category": "delivery", "likelihood": 2, "impact": 5,
                                 "cost": "20000", "currency": "EUR", "status": "open"})  # fmt: skip
    assert response.status_code == 302
    risk = Risk.objects.get(opportunity=deal)
    assert (risk.likelihood, risk.impact, risk.cost) == (2, 5, Decimal("20000.00"))
    edit = reverse("opportunity-risk-edit", args=[deal.pk, risk.pk])
    assert client.get(edit).context["form"].initial["title"] == "Site access"
    response = client.post(edit, {"title": "Site access", "category": "delivery", "likelihood": 3, "impact": 5,
                                  "cost": "20000", "currency": "EUR", "status": "mitigating"})  # fmt: skip
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.likelihood == 3
    assert risk.status == "mitigating"
    assert client.post(reverse("opportunity-risk-delete", args=[deal.pk, risk.pk])).status_code == 302
    assert not Risk.objects.exists()


def test_create_edit_and_delete_an_opportunity(client, kam, group):
    client.force_login(kam)
    url = reverse("opportunity-create") + f"?account={group.pk}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["account"] == group.pk
    response = client.post(url, {"name": " ", "account": group.pk, "amount": "-5", "owner_probability": 150,
                                 "forecast_category": "pipeline"})  # fmt: skip
    assert response.status_code == 422
    assert {"name", "amount", "owner_probability"} <= set(response.context["form"].errors)
    response = client.post(url, {"name": "New hall", "account": group.pk, "amount": "120000",
                                 "forecast_category": "commit", "competitors": "Otis, Otis, Kone",
                                 "expected_close_date": "2030-01-31"})  # fmt: skip
    assert response.status_code == 302
    created = Opportunity.objects.get(name="New hall")
    assert created.currency == "EUR"
    assert created.owner == kam
    assert created.competitors == ["Otis", "Kone"]
    stored = Opportunity.objects.values_list("owner_probability", flat=True).get(pk=created.pk)
    assert stored is None  # the owner gave none: no stage default stored as theirs
    edit = reverse("opportunity-edit", args=[created.pk])
    assert client.get(edit).context["form"].initial["competitors"] == "Otis, Kone"
    response = client.post(edit, {"name": "New hall 2", "account": group.pk, "amount": "130000",
                                  "forecast_category": "best_case", "owner_probability": 35})  # fmt: skip
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.amount, created.owner_probability) == ("New hall 2", Decimal("130000.00"), 35)
    body = client.get(reverse("opportunity-detail", args=[created.pk])).content.decode()
    assert "New hall 2" in body
    assert 'data-testid="history"' in body
    assert client.get(reverse("opportunity-delete", args=[created.pk])).status_code == 200
    response = client.post(reverse("opportunity-delete", args=[created.pk]))
    assert response.status_code == 302
    assert not Opportunity.objects.filter(pk=created.pk).exists()


def test_stage_change_form_requires_a_reason_for_lost(client, kam, deal):
    client.force_login(kam)
    url = reverse("opportunity-stage", args=[deal.pk])
    response = client.post(url, {"stage": stage("Closed Lost").pk, "reason": ""})
    assert response.status_code == 422
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"stage": stage("Closed Won").pk, "reason": "Best service offer", "note": "signed"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.outcome == Outcome.WON
    body = client.get(reverse("opportunity-detail", args=[deal.pk])).content.decode()
    assert "Closed Won" in body
    assert "signed" in body


# ---------------------------------------------------------------- permissions


def test_viewer_reads_but_every_write_is_denied(client, viewer, deal):
    client.force_login(viewer)
    body = client.get(reverse("opportunity-detail", args=[deal.pk])).content.decode()
    assert 'data-testid="edit-opportunity"' not in body
    assert 'data-testid="q-edit"' not in body
    assert 'data-testid="add-risk"' not in body
    denied = [
        (reverse("opportunity-edit", args=[deal.pk]), {"name": "x", "account": deal.account_id, "amount": 1}),
        (reverse("opportunity-stage", args=[deal.pk]), {"stage": stage("Qualification").pk}),
        (reverse("opportunity-qualification", args=[deal.pk, "metrics"]), {"status": "missing"}),
        (reverse("opportunity-risk-create", args=[deal.pk]), {"title": "x"}),
        (reverse("opportunity-contact-add", args=[deal.pk]), {}),
        (reverse("opportunity-delete", args=[deal.pk]), {}),
        (reverse("opportunity-create") + f"?account={deal.account_id}", {"name": "x"}),
        (reverse("opportunity-create"), {"name": "x"}),
    ]
    for url, data in denied:
        assert client.post(url, data).status_code == 403, url
    assert Opportunity.objects.get(pk=deal.pk).name == "Escalator retrofit"


def test_kam_cannot_see_or_change_a_foreign_opportunity(client, kam, other):
    foreign = make_opportunity(account=other, name="Kone deal")
    risk = risk_create(actor=admin_actor(), opportunity=foreign, title="r", category="technical", likelihood=1,
                       impact=1)  # fmt: skip
    client.force_login(kam)
    assert client.get(reverse("opportunity-detail", args=[foreign.pk])).status_code == 403
    assert client.post(reverse("opportunity-edit", args=[foreign.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("opportunity-risk-delete", args=[foreign.pk, risk.pk])).status_code == 403
    response = client.post(reverse("opportunity-create") + f"?account={other.pk}", {"name": "x", "account": other.pk})
    assert response.status_code == 403
    assert Risk.objects.filter(pk=risk.pk).exists()


def test_controller_is_read_only_too(client, controller, deal):
    client.force_login(controller)
    assert client.get(reverse("opportunity-detail", args=[deal.pk])).status_code == 200
    url = reverse("opportunity-qualification", args=[deal.pk, "metrics"])
    assert client.post(url, {"status": "confirmed", "evidence": "x"}).status_code == 403


# ---------------------------------------------------------------- probability explanation


def test_probability_explanation_in_plain_words(client, kam, group, monkeypatch):
    from django.utils import timezone

    from kampass.core.forecasting import Factor
    from kampass.pipeline.models import ModelVersion

    version = ModelVersion.objects.create(
        version="wm-test", trained_at=timezone.now(), training_rows=40, model=b"", active=True
    )
    deal = make_opportunity(account=group, name="Scored", amount=Decimal("250000"), owner_probability=70)
    Opportunity.objects.filter(pk=deal.pk).update(probability=0.41, model_version=version, scored_at=timezone.now())
    factors = [
        Factor(feature="amount", value="250000.0", effect=-0.06, direction="lowers"),
        Factor(feature="stage_order", value="1", effect=0.031, direction="raises"),
        Factor(feature="kam_status", value="key_account", effect=0.004, direction="raises"),
    ]
    monkeypatch.setattr("kampass.pipeline.services.score_explanation", lambda opportunity, top=3: factors)
    client.force_login(kam)
    response = client.get(reverse("opportunity-detail", args=[deal.pk]))
    body = response.content.decode()
    # the page does not wait for the model: it loads the factors with HTMX
    assert "factors" not in response.context
    assert 'data-testid="factors-slot"' in body
    part = client.get(
        reverse("opportunity-detail", args=[deal.pk]), {"part": "factors"}, headers={"HX-Request": "true"}
    )
    texts = [f.text for f in part.context["factors"]]
    assert texts == [
        "Amount 250,000 lowers the chance by 6 points.",
        "Stage Prospecting raises the chance by 3 points.",
        "KAM status of the account Key account raises the chance by 0.4 points.",
    ]
    assert 'data-testid="factors"' in part.content.decode()
    assert "<html" not in part.content.decode()
    assert "wm-test" in body
    assert "41%" in body
    assert "29 points above the calibrated probability" in body
    from django.utils import translation

    with translation.override("de"):
        from kampass.pipeline.pages import factor_texts

        german = [f.text for f in factor_texts(factors, stages=response.context["d"].stages)]
    assert german[0] == "Betrag 250.000 senkt die Chance um 6 Punkte."
    assert german[1] == "Phase Akquise erhöht die Chance um 3 Punkte."


def test_the_opportunity_page_marks_a_passed_close_date_of_an_open_deal_only(client, kam, group):
    late = make_opportunity(account=group, name="Late deal", expected_close_date=dt.date(2020, 1, 31))
    ahead = make_opportunity(account=group, name="Ahead deal", expected_close_date=dt.date(2099, 1, 31))
    client.force_login(kam)
    badge = '<span class="badge warn">passed</span>'
    assert badge in client.get(reverse("opportunity-detail", args=[late.pk])).content.decode()
    assert badge not in client.get(reverse("opportunity-detail", args=[ahead.pk])).content.decode()
