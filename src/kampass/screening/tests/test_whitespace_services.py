"""Whitespace services and selectors: the matrix states, recommendations with reasons, "not relevant"
marks, turning a recommendation into an opportunity, its conversion, the product-group mapping and the
permission denials."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.pipeline.models import Opportunity
from kampass.pipeline.services.opportunities import opportunity_change_stage
from kampass.pipeline.tests.factories import make_opportunity, stage
from kampass.screening import selectors_whitespace as selectors
from kampass.screening import services_whitespace as services
from kampass.screening.models.whitespace import WhitespaceOpportunity
from kampass.screening.tests.factories_whitespace import purchase_world

pytestmark = pytest.mark.django_db


def test_the_first_recommendation_is_what_all_similar_customers_buy(head):
    # given
    world = purchase_world()
    # when
    recs = selectors.recommendations([world.acme.pk])[world.acme.pk]
    # then: 10004 is bought by C2..C5, the only customers sharing a group with Acme's subtree
    first = recs[0]
    assert (first.product_group, first.similar_buyers, first.similar_accounts) == ("10004", 4, 4)
    assert first.reason("en") == "4 of the 4 accounts most similar to this one buy 10004 (item 10004)."
    assert first.reason("de").startswith("4 der 4 diesem Account ähnlichsten Accounts kaufen 10004")
    assert {r.product_group for r in recs}.isdisjoint({"10001", "10002", "10003", "10005"})  # the subtree has them


def test_the_matrix_shows_bought_pipeline_not_relevant_and_recommended(head):
    # given
    world = purchase_world()
    make_opportunity(account=world.east, name="Cards", products=["20001"])
    services.not_relevant_mark(actor=head, account=world.acme, product_group="20002", reason="Own brand")
    # when
    ws = selectors.whitespace(world.acme.pk)
    # then
    rows = {r.account_name: dict(zip(ws.groups, r.states, strict=True)) for r in ws.rows}
    assert set(rows) == {"Acme", "Acme East"}
    assert (rows["Acme"]["10001"], rows["Acme East"]["10005"], rows["Acme"]["10005"]) == ("bought", "bought", "")
    assert rows["Acme East"]["20001"] == "pipeline"
    assert rows["Acme"]["20002"] == "not_relevant"
    assert rows["Acme"]["10004"] == "recommended"
    assert {r.product_group for r in ws.recommendations}.isdisjoint({"20001", "20002"})
    assert ws.not_relevant == {"20002": "Own brand"}


def test_a_recommendation_becomes_an_opportunity_and_its_conversion_is_counted(kam):
    # given
    world = purchase_world()
    TeamMemberFactory(account=world.acme, user=kam)
    # when
    created = services.recommendation_to_opportunity(actor=kam, account=world.acme, product_group="10004")
    # then
    opp = Opportunity.objects.get(pk=created.opportunity_id)
    assert (opp.source, opp.lead_source, opp.products, opp.owner, opp.outcome) == (
        "whitespace",
        "whitespace",
        ["10004"],
        kam,
        "open",
    )
    assert opp.description.startswith("4 of the 4 accounts")
    assert selectors.conversion([world.acme.pk]) == selectors.Conversion(open=1, won=0, lost=0)
    assert "10004" not in {r.product_group for r in selectors.recommendations([world.acme.pk])[world.acme.pk]}
    # when it is won
    opportunity_change_stage(actor=kam, opportunity=opp, stage=stage("Closed Won"))
    conv = selectors.conversion([world.acme.pk])
    assert (conv.open, conv.won, conv.lost, conv.win_rate) == (0, 1, 0, 1.0)


def test_only_a_current_recommendation_becomes_an_opportunity(head):
    world = purchase_world()
    with pytest.raises(ValidationError):
        services.recommendation_to_opportunity(actor=head, account=world.acme, product_group="10001")
    assert not WhitespaceOpportunity.objects.exists()


def test_product_group_rules_map_stock_codes(head):
    # given: the 1000x codes become one group
    world = purchase_world()
    services.product_group_rule_create(actor=head, kind="prefix", pattern="1000", group="Gift boxes")
    services.product_group_rule_create(actor=head, kind="category", pattern="20003", group="Cards")
    # when
    p = selectors.purchases()
    # then
    assert p.by_account[world.acme.pk] == frozenset({"Gift boxes"})
    assert "Cards" in p.matrix.items
    assert "20003" not in p.matrix.items
    with pytest.raises(ValidationError):
        services.product_group_rule_create(actor=head, kind="prefix", pattern="1000", group="Again")
    with pytest.raises(ValidationError):
        services.product_group_rule_create(actor=head, kind="suffix", pattern="9", group="X")


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_head_and_admin_configure_the_mapping(request, role):
    with pytest.raises(PermissionDenied):
        services.product_group_rule_create(actor=request.getfixturevalue(role), kind="prefix", pattern="1", group="G")


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_users_off_the_team_and_readers_cannot_act_on_whitespace(request, role):
    world = purchase_world()
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.not_relevant_mark(actor=user, account=world.acme, product_group="10004", reason="No")
    with pytest.raises(PermissionDenied):
        services.recommendation_to_opportunity(actor=user, account=world.acme, product_group="10004")
    assert not WhitespaceOpportunity.objects.exists()


def test_a_kam_on_the_parent_team_acts_on_the_child(kam):
    world = purchase_world()
    TeamMemberFactory(account=world.acme, user=kam)
    mark = services.not_relevant_mark(actor=kam, account=world.east, product_group="10004", reason="No need")
    assert mark.marked_by == kam
    services.not_relevant_unmark(actor=kam, mark=mark)


def test_the_kept_purchases_follow_new_lines_links_and_rules(head):
    # given the purchases read once (and kept for the next request)
    world = purchase_world()
    first = selectors.purchases()
    assert selectors.purchases() is first
    # when a new customer's line is imported
    insert_lines([line("I950", "C9", "1", "9.00", stock_code="30001")])
    after_line = selectors.purchases()
    # and the customer is linked to an account
    CustomerLink.objects.create(customer_id="C9", account=world.other)
    after_link = selectors.purchases()
    # and a product-group rule is added
    services.product_group_rule_create(actor=head, kind="prefix", pattern="300", group="Tools")
    after_rule = selectors.purchases()
    # then each change is seen at once
    assert "30001" not in first.matrix.items
    assert "30001" in after_line.matrix.items
    assert "30001" not in after_line.by_account.get(world.other.pk, frozenset())
    assert "30001" in after_link.by_account[world.other.pk]
    assert "Tools" in after_rule.by_account[world.other.pk]
