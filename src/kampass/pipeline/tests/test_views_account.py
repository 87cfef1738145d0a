"""The account's Opportunities tab: its (and its subtree's) opportunities with totals."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.services import risk_create
from kampass.pipeline.tests.factories import admin_actor, make_opportunity


def test_account_tab_lists_opportunities_with_totals(client, kam, group, site):
    make_opportunity(account=group, name="Group deal", amount=Decimal("100000"))
    make_opportunity(account=site, name="Site deal", amount=Decimal("40000"))
    won = make_opportunity(account=group, name="Won deal", amount=Decimal("5000"), stage_name="Closed Won")
    risk_create(actor=admin_actor(), opportunity=won, title="Warranty", category="delivery", likelihood=5, impact=2,
                cost=Decimal("1000"))  # fmt: skip
    client.force_login(kam)
    response = client.get(reverse("account-opportunities", args=[group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert {o.name for o in response.context["page"].object_list} == {"Group deal", "Won deal"}
    assert response.context["summary"].open_count == 1
    assert response.context["amounts"] == [("EUR", Decimal("100000.00"))]
    assert response.context["risk_cost"] == [("EUR", Decimal("900.00"))]
    assert 'data-testid="subtree-toggle"' in body
    assert f"{reverse('opportunity-create')}?account={group.pk}" in body
    # with the subsidiaries
    response = client.get(reverse("account-opportunities", args=[group.pk]) + "?subtree=1")
    assert {o.name for o in response.context["page"].object_list} == {"Group deal", "Site deal", "Won deal"}
    assert response.context["amounts"] == [("EUR", Decimal("140000.00"))]


def test_account_tab_search_fragment_and_empty_state(client, head, group):
    make_opportunity(account=group, name="Escalators")
    client.force_login(head)
    url = reverse("account-opportunities", args=[group.pk])
    response = client.get(url + "?q=escal", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "Escalators" in body
    response = client.get(reverse("account-opportunities", args=[AccountFactory(name="Empty AG").pk]))
    assert 'data-testid="account-empty"' in response.content.decode()


def test_kam_sees_no_opportunities_of_a_foreign_account_and_cannot_add(client, kam, other):
    make_opportunity(account=other, name="Kone deal")
    client.force_login(kam)
    response = client.get(reverse("account-opportunities", args=[other.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kone deal" not in body
    assert 'data-testid="new-opportunity"' not in body
    assert 'class="notice"' in body


def test_viewer_sees_them_but_may_not_add(client, viewer, group):
    make_opportunity(account=group, name="Group deal")
    client.force_login(viewer)
    body = client.get(reverse("account-opportunities", args=[group.pk])).content.decode()
    assert "Group deal" in body
    assert 'data-testid="new-opportunity"' not in body
    assert client.get(reverse("opportunity-create") + f"?account={group.pk}").status_code == 403


def test_the_account_page_links_to_the_tab(client, head, group):
    client.force_login(head)
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()
    assert reverse("account-opportunities", args=[group.pk]) in body
