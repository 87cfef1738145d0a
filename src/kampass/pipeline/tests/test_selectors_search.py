"""The global search's opportunities (``opportunity_search`` and ``pipeline.facade.search_opportunities``):
matching, ranking, what a key account manager may see, and the columns read."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.pipeline.facade import search_opportunities
from kampass.pipeline.selectors import opportunity_list, opportunity_search
from kampass.pipeline.selectors.lists import OpportunityFilters
from kampass.pipeline.tests.factories import make_opportunity


def _names(rows):
    return [r["name"] for r in rows]


def test_opportunities_match_name_account_name_and_exact_external_id(db, head):
    turbo = AccountFactory(name="Turbomach")
    other = AccountFactory(name="Other")
    make_opportunity(account=other, name="Turbine overhaul")
    make_opportunity(account=turbo, name="Spare parts 2030")
    make_opportunity(account=other, name="Pumps", external_id="TURB-1")
    make_opportunity(account=other, name="Valves", external_id="X-TURB")
    make_opportunity(account=other, name="Unrelated")

    # a name beginning with the query, then an account name beginning with it
    assert _names(opportunity_search(user=head, q="turb", limit=8)) == ["Turbine overhaul", "Spare parts 2030"]
    assert _names(opportunity_search(user=head, q="turb-1", limit=8)) == ["Pumps"]


def test_exact_external_id_and_names_beginning_with_the_query_come_first_then_the_rest_by_name(db, head):
    acme = AccountFactory(name="Acme Drives")
    make_opportunity(account=acme, name="Zeta Drive upgrade")
    make_opportunity(account=AccountFactory(name="Drive Systems"), name="Gearbox")
    make_opportunity(account=acme, name="drive retrofit")
    make_opportunity(account=acme, name="Alpha drive line")
    make_opportunity(account=AccountFactory(name="Nobody"), name="Misc", external_id="drive")

    assert _names(opportunity_search(user=head, q="drive", limit=8)) == [
        "drive retrofit",
        "Misc",
        "Gearbox",
        "Alpha drive line",
        "Zeta Drive upgrade",
    ]
    assert _names(opportunity_search(user=head, q="drive", limit=2)) == ["drive retrofit", "Misc"]


def test_a_kam_finds_only_the_opportunities_of_their_accounts_and_below(db, kam, kam2, controller):
    mine = AccountFactory(name="Mine")
    below = AccountFactory(name="Mine Plant", parent=mine)
    other = AccountFactory(name="Other")
    TeamMemberFactory(account=mine, user=kam)
    TeamMemberFactory(account=other, user=kam2)
    make_opportunity(account=mine, name="Retrofit mine")
    make_opportunity(account=below, name="Retrofit plant")
    make_opportunity(account=other, name="Retrofit other")

    def found(user):
        return sorted(_names(opportunity_search(user=user, q="retrofit", limit=8)))

    assert found(kam) == ["Retrofit mine", "Retrofit plant"]
    assert found(kam2) == ["Retrofit other"]
    assert found(controller) == ["Retrofit mine", "Retrofit other", "Retrofit plant"]
    for user in (kam, kam2, controller):  # what the opportunity list shows them
        listed = opportunity_list(user=user, filters=OpportunityFilters(q="retrofit"))
        assert found(user) == sorted(o.name for o in listed)


def test_hits_name_account_and_stage_or_outcome_and_read_no_model_blobs(db, head):
    account = AccountFactory(name="Kessler")
    open_deal = make_opportunity(account=account, name="Kessler drives")
    make_opportunity(account=account, name="Kessler pumps", stage_name="Closed Lost")

    with CaptureQueriesContext(connection) as ctx:
        hits = search_opportunities(user=head, q="kessler", limit=8)

    assert [(h.title, h.subtitle) for h in hits] == [
        ("Kessler drives", f"Kessler · {open_deal.stage.name}"),
        ("Kessler pumps", "Kessler · Lost"),
    ]
    assert hits[0].url == f"/pipeline/opportunities/{open_deal.pk}/"
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].lower()
    assert "description" not in sql
    assert "model_version" not in sql
    assert "competitors" not in sql
