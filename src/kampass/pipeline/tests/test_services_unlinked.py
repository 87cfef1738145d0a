"""Linking opportunities without an account to an account, and creating the accounts from their companies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.models import Opportunity, OpportunityStageChange, UnlinkedOpportunity
from kampass.pipeline.selectors.unlinked import normalise_company, suggestions, unlinked_visible
from kampass.pipeline.services import convert_plan, unlinked_convert, unlinked_link
from kampass.pipeline.tests.factories import make_unlinked

pytestmark = pytest.mark.django_db


def test_link_turns_them_into_opportunities_of_the_account_keeping_their_values(head, kam):
    # given two deals of an unknown company, one of them won, one owned by a KAM
    acme = AccountFactory(name="Acme AG", currency="CHF")
    open_one = make_unlinked(name="Retrofit", amount="2500.50", currency="USD", owner=kam, owner_probability=40)
    won = make_unlinked(name="Spare parts", stage_name="Closed Won", external_id="W1")

    # when head of KAM links them to Acme
    created = unlinked_link(actor=head, items=[open_one, won], account=acme)

    # then they are Acme's opportunities with their stage, amount, currency, dates, owner and external id
    assert len(created) == 2
    assert not UnlinkedOpportunity.objects.exists()
    retrofit = Opportunity.objects.get(name="Retrofit")
    assert (retrofit.account, retrofit.amount, retrofit.currency) == (acme, Decimal("2500.50"), "USD")
    assert (retrofit.stage.name, retrofit.owner, retrofit.owner_probability) == ("Prospecting", kam, 40)
    assert (retrofit.created_on, retrofit.expected_close_date) == (dt.date(2029, 1, 2), dt.date(2029, 6, 30))
    spare = Opportunity.objects.get(external_id="W1")
    assert (spare.outcome, spare.closed_on, spare.source) == ("won", dt.date(2029, 2, 15), "import")
    # with a stage history and a change history like any created opportunity
    assert OpportunityStageChange.objects.filter(opportunity=spare, from_stage=None).count() == 1
    assert spare.history.count() == 1


def test_link_of_a_lost_deal_gives_the_file_as_reason(head):
    lost = make_unlinked(stage_name="Closed Lost", import_file="deals.csv")

    (o,) = unlinked_link(actor=head, items=[lost], account=AccountFactory())

    assert o.outcome == "lost"
    assert "deals.csv" in o.outcome_reason


def test_link_is_all_or_nothing(head):
    # given a selection of which one has an external id already imported as an opportunity
    acme = AccountFactory(name="Acme AG")
    good = make_unlinked(external_id="G1")
    clash = make_unlinked(external_id="C1")
    from kampass.pipeline.tests.factories import make_opportunity

    make_opportunity(account=acme, source="import", external_id="C1")

    with pytest.raises(ValidationError):
        unlinked_link(actor=head, items=[good, clash], account=acme)

    assert UnlinkedOpportunity.objects.count() == 2
    assert not Opportunity.objects.filter(external_id="G1").exists()


@pytest.mark.parametrize("role", ["kam", "viewer", "controller"])
def test_only_those_who_may_import_link_or_convert(role, request):
    user = request.getfixturevalue(role)
    item = make_unlinked(owner=user)

    with pytest.raises(PermissionDenied):
        unlinked_link(actor=user, items=[item], account=AccountFactory())
    with pytest.raises(PermissionDenied):
        unlinked_convert(actor=user, items=[item])

    assert UnlinkedOpportunity.objects.count() == 1


def test_convert_creates_one_account_per_company_with_country_and_parent(head):
    # given deals of a group (twice, spelled differently) and of its subsidiary named before it
    sub = make_unlinked(
        company_name="Neu Schweiz AG", company_external_id="S1", country="CH", parent_company="G1", name="Pilot"
    )
    g1 = make_unlinked(company_name="Neu Holding GmbH", company_external_id="G1", country="DE", name="Frame")
    g2 = make_unlinked(company_name="NEU HOLDING", company_external_id="G1", name="Service")

    # when head of KAM creates the accounts from the company names
    result = unlinked_convert(actor=head, items=[sub, g1, g2])

    # then two accounts exist, the subsidiary below the group, each with its country and opportunities
    assert len(result.accounts_created) == 2
    group = Account.objects.get(external_id="G1")
    swiss = Account.objects.get(external_id="S1")
    assert (group.name, group.country, group.parent) == ("Neu Holding GmbH", "DE", None)
    assert (swiss.country, swiss.parent) == ("CH", group)
    assert set(group.opportunities.values_list("name", flat=True)) == {"Frame", "Service"}
    assert list(swiss.opportunities.values_list("name", flat=True)) == ["Pilot"]
    assert not UnlinkedOpportunity.objects.exists()


def test_convert_merges_duplicate_names_and_uses_an_existing_parent(head):
    parent = AccountFactory(name="Old Parent AG")
    a = make_unlinked(company_name="Acme AG", parent_company="Old Parent AG", name="One")
    b = make_unlinked(company_name="acme ag.", name="Two")

    plan = convert_plan([a, b])
    result = unlinked_convert(actor=head, items=[a, b])

    assert [(p.name, p.opportunities) for p in plan] == [("Acme AG", 2)]
    (acme,) = result.accounts_created
    account = Account.objects.get(pk=acme.id)
    assert account.parent == parent
    assert account.opportunities.count() == 2


def test_convert_uses_an_account_that_has_the_company_s_external_id(head):
    existing = AccountFactory(name="Known", external_id="K1")
    item = make_unlinked(company_name="Known AG", company_external_id="K1")

    result = unlinked_convert(actor=head, items=[item])

    assert result.accounts_created == []
    assert Opportunity.objects.get().account == existing


def test_convert_refuses_a_name_taken_at_the_top_level(head):
    AccountFactory(name="Acme AG")
    item = make_unlinked(company_name="Acme AG")

    with pytest.raises(ValidationError):
        unlinked_convert(actor=head, items=[item])

    assert UnlinkedOpportunity.objects.count() == 1


def test_suggestions_put_the_exact_name_first(head):
    acme = AccountFactory(name="ACME Aktiengesellschaft")
    exact = AccountFactory(name="Acme AG")
    AccountFactory(name="Unrelated Corp")
    item = make_unlinked(company_name="Acme")

    found = suggestions([item])[item.pk]

    assert found[0].account_id == exact.pk
    assert found[0].exact
    assert acme.pk not in [s.account_id for s in found if s.exact]
    assert normalise_company("Acmé AG") == "acme"


def test_a_kam_sees_only_the_ones_they_own(kam, kam2, viewer):
    mine = make_unlinked(owner=kam)
    make_unlinked(owner=kam2)

    assert list(unlinked_visible(kam)) == [mine]
    assert unlinked_visible(viewer).count() == 2
