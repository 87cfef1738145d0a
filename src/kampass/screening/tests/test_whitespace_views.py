"""Whitespace pages: the account's section, the whitespace page, one-click conversion, marks, the mapping
page, in English and German, and the denials."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.pipeline.models import Opportunity
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, WhitespaceOpportunity
from kampass.screening.tests.factories_whitespace import purchase_world

pytestmark = pytest.mark.django_db


def test_the_account_page_has_the_whitespace_section_and_its_fragment(client, viewer):
    world = purchase_world()
    client.force_login(viewer)
    page = client.get(reverse("account-detail", args=[world.acme.pk]))
    fragment = client.get(
        reverse("screening-whitespace", args=[world.acme.pk]), {"part": "summary"}, headers={"HX-Request": "true"}
    )
    assert 'data-testid="whitespace-panel"' in page.content.decode()
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in body
    assert "4 of the 4 accounts most similar to this one buy 10004" in body


def test_the_whitespace_page_shows_matrix_reasons_and_no_actions_for_readers(client, controller):
    world = purchase_world()
    client.force_login(controller)
    body = client.get(reverse("screening-whitespace", args=[world.acme.pk])).content.decode()
    assert 'data-testid="ws-matrix"' in body
    assert "Acme East" in body
    assert "4 of the 4 accounts most similar" in body
    assert "ws-convert-10004" not in body


def test_the_page_speaks_german(client, viewer):
    world = purchase_world()
    client.force_login(viewer)
    body = client.get(
        reverse("screening-whitespace", args=[world.acme.pk]), headers={"Accept-Language": "de"}
    ).content.decode()
    assert "4 der 4 diesem Account ähnlichsten Accounts kaufen 10004" in body
    assert "Empfehlungen" in body
    assert "gekauft" in body


def test_one_click_turns_a_recommendation_into_an_opportunity(client, kam):
    world = purchase_world()
    TeamMemberFactory(account=world.acme, user=kam)
    client.force_login(kam)
    page = client.get(reverse("screening-whitespace", args=[world.acme.pk])).content.decode()
    assert "ws-convert-10004" in page
    answer = client.post(reverse("screening-whitespace-convert", args=[world.acme.pk]), {"product_group": "10004"})
    created = WhitespaceOpportunity.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("opportunity-detail", args=[created.opportunity_id])
    assert Opportunity.objects.get(pk=created.opportunity_id).source == "whitespace"
    marked = client.post(
        reverse("screening-whitespace-not-relevant", args=[world.acme.pk]), {"product_group": "10005", "reason": "No"}
    )
    assert marked.status_code == 302
    assert NotRelevantMark.objects.get().reason == "No"


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_others_cannot_convert_or_mark(client, request, role):
    world = purchase_world()
    client.force_login(request.getfixturevalue(role))
    convert = client.post(reverse("screening-whitespace-convert", args=[world.acme.pk]), {"product_group": "10004"})
    mark = client.post(
        reverse("screening-whitespace-not-relevant", args=[world.acme.pk]), {"product_group": "1", "reason": "x"}
    )
    rule = client.post(reverse("screening-product-groups"), {"kind": "prefix", "pattern": "1", "group": "G"})
    assert (convert.status_code, mark.status_code, rule.status_code) == (403, 403, 403)
    assert not WhitespaceOpportunity.objects.exists()
    assert not NotRelevantMark.objects.exists()
    assert not ProductGroupRule.objects.exists()


def test_the_head_edits_the_product_group_mapping(client, head):
    client.force_login(head)
    added = client.post(reverse("screening-product-groups"), {"kind": "prefix", "pattern": "850", "group": "Lights"})
    page = client.get(reverse("screening-product-groups")).content.decode()
    assert added.status_code == 302
    assert "Lights" in page
    assert 'data-testid="ws-add-rule"' in page
    rule = ProductGroupRule.objects.get()
    assert client.post(reverse("screening-product-group-delete", args=[rule.pk])).status_code == 302
    assert not ProductGroupRule.objects.exists()
