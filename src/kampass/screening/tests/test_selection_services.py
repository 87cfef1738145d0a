"""Services of the selection portfolio: catalogue versions, ratings, rounds, decisions, and the denials;
the facts behind the computed criteria against a hand computation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.models import Account, AccountStatusChange
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.core.screening import portfolio as core
from kampass.pipeline.models import Opportunity
from kampass.pipeline.tests.factories import make_opportunity
from kampass.screening import selectors_selection as selectors
from kampass.screening import services_selection as services
from kampass.screening.models.selection import Catalogue, Decision, Rating, SelectionRound
from kampass.screening.tests.factories_selection import default_catalogue, small_catalogue, spec

pytestmark = pytest.mark.django_db


def test_the_head_publishes_versions_and_the_newest_is_in_force(head):
    # when
    v1 = default_catalogue(actor=head)
    v2 = services.catalogue_publish(
        actor=head, criteria=[*services.catalogue_specs(v1)[:3], spec("win_rate", "position", "computed", "3")],
        note="fewer criteria",
    )  # fmt: skip
    # then
    assert (v1.number, v2.number, selectors.current_catalogue()) == (1, 2, v2)
    assert v1.criteria.count() == 14
    assert v2.criteria.count() == 4
    keys = {c.key: c.kind for c in v1.criteria.all()}
    assert keys["share_of_wallet"] == "computed"  # from the newest wallet estimate
    assert {k for k, kind in keys.items() if kind == "computed"} == set(core.SCORING)
    assert v2.published_by == head
    assert v2.history.first().history_user == head


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_only_managers_publish_catalogues(role, request):
    with pytest.raises(PermissionDenied):
        services.catalogue_publish(actor=request.getfixturevalue(role), criteria=services.default_criteria())
    assert not Catalogue.objects.exists()


@pytest.mark.parametrize(
    "criteria",
    [
        [spec("x", "attractiveness"), spec("x", "position")],  # a key twice
        [spec("made_up", "attractiveness", "computed"), spec("y", "position")],  # no scoring function
        [spec("x", "attractiveness")],  # position has no criterion
        [spec("x", "attractiveness"), spec("y", "position", weight="0")],  # position weighs nothing
    ],
)
def test_an_invalid_catalogue_is_refused_and_nothing_is_written(head, criteria):
    with pytest.raises(ValidationError):
        services.catalogue_publish(actor=head, criteria=criteria)
    assert not Catalogue.objects.exists()


def test_a_kam_rates_their_account_with_a_justification_and_keeps_the_history(head, kam):
    # given
    small_catalogue(actor=head)
    account = AccountFactory()
    TeamMemberFactory(account=account, user=kam)
    # when
    first = services.rating_create(actor=kam, account_id=account.pk, criterion_key="strategic_fit", value=2,
                                   justification="Adjacent segment")  # fmt: skip
    second = services.rating_create(actor=kam, account_id=account.pk, criterion_key="strategic_fit", value=5,
                                    justification="  New strategy names them  ")  # fmt: skip
    # then: the newest counts, the older stays
    assert selectors.newest_ratings([account.pk])[account.pk]["strategic_fit"] == second
    assert (second.rated_by, second.justification) == (kam, "New strategy names them")
    assert list(selectors.rating_history(account.pk)) == [second, first]


def test_rating_denials_and_refusals(head, kam, controller):
    small_catalogue(actor=head)
    other = AccountFactory()
    # a KAM not on the account's team, a controller: refused
    for actor in (kam, controller):
        with pytest.raises(PermissionDenied):
            services.rating_create(actor=actor, account_id=other.pk, criterion_key="strategic_fit", value=3,
                                   justification="x")  # fmt: skip
    # a computed criterion, a value out of range, no justification: refused
    for key, value, text in [("purchase_volume", 3, "x"), ("strategic_fit", 6, "x"), ("strategic_fit", 3, "  ")]:
        with pytest.raises(ValidationError):
            services.rating_create(actor=head, account_id=other.pk, criterion_key=key, value=value, justification=text)
    assert not Rating.objects.exists()


@pytest.fixture
def facts_scenario(head, settings):
    """Group G with a site S (customers C1 at G, C2 at S); key account K (C3); lines in GBP."""
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    g = AccountFactory(name="G")
    s = AccountFactory(name="S", parent=g)
    k = AccountFactory(name="K", kam_status="key_account")
    for customer, account in [("C1", g), ("C2", s), ("C3", k)]:
        CustomerLink.objects.create(customer_id=customer, account=account)
    insert_lines(
        [
            line("1", "C1", "10", "100", date=dt.date(2011, 3, 1)),  # G, this year: 1000
            line("2", "C2", "20", "100", date=dt.date(2011, 11, 30)),  # S (under G), this year: 2000
            line("3", "C1", "15", "100", date=dt.date(2010, 6, 1)),  # G, the year before: 1500
            line("4", "C1", "-2", "100", date=dt.date(2011, 5, 1)),  # G, a return: -200
            line("5", "C3", "4", "100", date=dt.date(2011, 12, 9)),  # K, the newest day: 400
            line("6", "C3", "1", "100", date=dt.date(2009, 1, 1)),  # K, before both windows
        ]
    )
    for outcome, n in (("Closed Won", 3), ("Closed Lost", 1)):
        for _ in range(n):
            o = make_opportunity(account=s, amount="100", currency="GBP", stage_name=outcome)
            Opportunity.objects.filter(pk=o.pk).update(closed_on=dt.date(2011, 10, 1))
    old = make_opportunity(account=g, amount="100", currency="GBP", stage_name="Closed Lost")
    Opportunity.objects.filter(pk=old.pk).update(closed_on=dt.date(2009, 1, 1))  # outside the 24 months
    return {"g": g, "s": s, "k": k}


def test_facts_roll_up_the_subtree_and_match_a_hand_computation(facts_scenario):
    g, k = facts_scenario["g"], facts_scenario["k"]
    # when
    facts = selectors.account_facts([g.pk, k.pk], as_of=dt.date(2012, 1, 31))
    # then: the year is the 365 days up to the newest invoice day 2011-12-09 (2010-12-10 .. 2011-12-09)
    gross_now, pocket_now, gross_before = 1000 + 2000, 1000 + 2000 - 200, 1500
    assert facts[g.pk]["revenue_12m"] == pytest.approx(gross_now)
    assert facts[g.pk]["contribution_margin_12m"] == pytest.approx(pocket_now / gross_now)
    assert facts[g.pk]["growth_12m"] == pytest.approx(gross_now / gross_before - 1)
    assert facts[g.pk]["win_rate_24m"] == pytest.approx(3 / 4)
    assert facts[k.pk]["revenue_12m"] == pytest.approx(400)
    assert facts[k.pk]["growth_12m"] is None  # nothing in the year before
    assert facts[k.pk]["win_rate_24m"] is None  # no closed opportunity


def test_scores_of_the_portfolio_by_hand(head, facts_scenario):
    # given the small catalogue and a rating of G's strategic fit (4 -> 75)
    small_catalogue(actor=head)
    g = facts_scenario["g"]
    services.rating_create(actor=head, account_id=g.pk, criterion_key="strategic_fit", value=4, justification="core")
    # when
    view = selectors.portfolio(as_of=dt.date(2012, 1, 31))
    row = next(r for r in view.rows if r.account.id == g.pk)
    # then: volume log scale 1,000 .. 1,000,000 of 3,000; win rate 75 %; satisfaction not rated (left out)
    volume = 100 * (__import__("math").log10(3000) - 3) / 3
    assert row.score.attractiveness == pytest.approx((2 * volume + 75) / 3)
    assert row.score.position == pytest.approx(75.0)
    assert {r.account.name for r in view.rows} == {"G", "K"}  # S is a prospect below G: not scored itself


def test_a_round_proposes_the_head_decides_and_the_status_and_its_history_follow(head, facts_scenario):
    # given a threshold of 40: G's attractiveness (2 x 15.9 + 100) / 3 = 43.9 counts as high
    small_catalogue(actor=head, threshold=Decimal(40))
    g = facts_scenario["g"]
    services.rating_create(actor=head, account_id=g.pk, criterion_key="strategic_fit", value=5, justification="core")
    services.rating_create(actor=head, account_id=g.pk, criterion_key="satisfaction", value=5, justification="happy")
    # when
    r = services.round_open(actor=head, period="2026 H1", as_of=dt.date(2012, 1, 31))
    d = Decision.objects.get(round=r, account=g)
    # then: G scores high on both -> invest, a prospect -> promote to key account
    assert (d.quadrant, d.proposed_move, d.proposed_status) == ("invest", "promote", "key_account")
    assert (d.revenue, r.currency) == (Decimal("3000.00"), "GBP")  # the bubble size of the round's chart
    # when decided (accepting) and the other account kept
    services.decision_record(actor=head, decision=d, status="key_account", reason="Strong potential")
    for other in Decision.objects.filter(round=r).exclude(pk=d.pk):
        services.decision_record(actor=head, decision=other, status=other.from_status, reason="as it is")
    services.round_close(actor=head, selection_round=r)
    # then
    g.refresh_from_db()
    change = AccountStatusChange.objects.filter(account=g).order_by("-changed_at", "-pk")[0]
    assert g.kam_status == "key_account"
    assert (change.from_status, change.to_status, change.changed_by) == ("prospect", "key_account", head)
    assert "2026 H1" in change.reason
    assert "Strong potential" in change.reason
    assert SelectionRound.objects.get(pk=r.pk).status == "closed"
    assert Decision.history.filter(id=d.pk, history_user=head).exists()
    # a closed round takes no more decisions
    with pytest.raises(ValidationError):
        services.decision_record(actor=head, decision=d, status="demoted", reason="again")


def test_round_refusals_and_denials(head, kam, controller, facts_scenario):
    with pytest.raises(ValidationError):
        services.round_open(actor=head, period="P")  # no catalogue yet
    small_catalogue(actor=head)
    for actor in (kam, controller):
        with pytest.raises(PermissionDenied):
            services.round_open(actor=actor, period="P")
    r = services.round_open(actor=head, period="P", as_of=dt.date(2012, 1, 31))
    changes = AccountStatusChange.objects.count()
    with pytest.raises(ValidationError):
        services.round_open(actor=head, period="Q")  # one round open at a time
    with pytest.raises(ValidationError):
        services.round_close(actor=head, selection_round=r)  # undecided accounts
    d = r.decisions.all()[0]
    with pytest.raises(PermissionDenied):
        services.decision_record(actor=kam, decision=d, status="candidate", reason="x")
    with pytest.raises(ValidationError):
        services.decision_record(actor=head, decision=d, status="candidate", reason=" ")
    assert AccountStatusChange.objects.count() == changes
    assert Account.objects.get(pk=d.account_id).kam_status == d.from_status
    assert Decimal(0) <= (d.attractiveness or Decimal(0)) <= Decimal(100)
