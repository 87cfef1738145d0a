"""The account timeline's entries of risks, buying-centre changes and opportunity field edits: the text of
each, the kind filter (with its German labels), the denial to users who may not see the account, and a
number of queries that does not grow with the number of entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kampass.accounts import services as account_services
from kampass.accounts.tests.factories import (
    AccountFactory,
    ContactFactory,
    PositionFactory,
    TeamMemberFactory,
    UserFactory,
)
from kampass.common.activity import KINDS, account_activity
from kampass.pipeline import services as pipeline_services
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam, kam2):
    a = AccountFactory(kam_status="key_account", name="Kone")
    TeamMemberFactory(account=a, user=kam)
    TeamMemberFactory(account=a, user=kam2)
    return a


@pytest.fixture
def contact(account):
    c = ContactFactory(first_name="Eva", last_name="Berg")
    PositionFactory(contact=c, account=account)
    return c


def _texts(user, account, kind):
    return [a.text for a in account_activity([account.pk], user=user, kinds={kind})]


def _risk(kam, opportunity, title="Late delivery"):
    return pipeline_services.risk_create(
        actor=kam, opportunity=opportunity, title=title, category="delivery", likelihood=3, impact=4
    )


def test_risks_recorded_changing_status_and_removed_appear_with_their_opportunity(kam, account):
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    risk = _risk(kam, opp)
    pipeline_services.risk_update(actor=kam, risk=risk, likelihood=4)  # not a status change: no entry
    pipeline_services.risk_update(actor=kam, risk=risk, status="mitigating")
    other = _risk(kam, opp, "Customs")
    pipeline_services.risk_delete(actor=kam, risk=other)

    texts = _texts(kam, account, "risk")

    assert texts == [
        "Risk “Customs” on “Retrofit” removed",
        "Risk “Customs” recorded on “Retrofit” (Open)",
        "Risk “Late delivery”: Open → Being mitigated",
        "Risk “Late delivery” recorded on “Retrofit” (Open)",
    ]
    with translation.override("de"):
        assert _texts(kam, account, "risk")[2] == "Risiko „Late delivery“: Offen → In Bearbeitung"
    entry = account_activity([account.pk], user=kam, kinds={"risk"})[0]
    assert (entry.who, entry.link, entry.account_id) == (
        str(kam),
        reverse("opportunity-detail", args=[opp.pk]),
        account.pk,
    )


def test_buying_centre_members_added_given_other_roles_and_removed(kam, account, contact):
    member = account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=["decider"])
    account_services.buying_centre_set(
        actor=kam, account=account, contact=contact, roles=["decider"], influence=9
    )  # only the influence: no entry
    account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=["decider", "economic_buyer"])
    account_services.buying_centre_remove(actor=kam, member=member)

    texts = _texts(kam, account, "buying_centre")

    assert texts == [
        "Eva Berg removed from the buying centre",
        "Eva Berg: buying-centre roles Decider → Decider, Economic buyer",
        "Eva Berg added to the buying centre (roles: Decider)",
    ]
    with translation.override("de"):
        german = _texts(kam, account, "buying_centre")
        assert german[1] == "Eva Berg: Buying-Center-Rollen Entscheider → Entscheider, Wirtschaftlicher Entscheider"
        assert str(KINDS["buying_centre"]) == "Buying Center"
        assert str(KINDS["risk"]) == "Risiken"


def test_contacts_joining_an_opportunitys_buying_centre_given_other_roles_and_leaving(kam, account, contact):
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    link = pipeline_services.opportunity_contact_set(actor=kam, opportunity=opp, contact=contact, roles=["coach"])
    pipeline_services.opportunity_contact_set(
        actor=kam, opportunity=opp, contact=contact, roles=["coach"], notes="met twice"
    )  # only the notes: no entry
    pipeline_services.opportunity_contact_set(actor=kam, opportunity=opp, contact=contact, roles=["coach", "user"])
    pipeline_services.opportunity_contact_remove(actor=kam, link=link)

    texts = _texts(kam, account, "buying_centre")

    assert texts == [
        "Eva Berg left the buying centre of “Retrofit”",
        "Eva Berg on “Retrofit”: roles Coach / champion → Coach / champion, User",
        "Eva Berg joins the buying centre of “Retrofit” (roles: Coach / champion)",
    ]
    entry = account_activity([account.pk], user=kam, kinds={"buying_centre"})[0]
    assert entry.link == reverse("opportunity-detail", args=[opp.pk])


def test_opportunity_edits_of_amount_close_date_owner_and_probability(kam, kam2, account):
    opp = make_opportunity(account=account, name="Retrofit", actor=kam, amount=Decimal("100000"), owner=kam)
    pipeline_services.opportunity_update(
        actor=kam,
        opportunity=opp,
        amount=Decimal("120000"),
        expected_close_date=dt.date(2030, 6, 30),
        owner=kam2,
        owner_probability=40,
    )
    pipeline_services.opportunity_update(actor=kam, opportunity=opp, description="no entry for this")
    pipeline_services.opportunity_update(actor=kam, opportunity=opp, owner_probability=55)

    with translation.override("en"):
        texts = _texts(kam, account, "opportunity")

    assert texts == [
        "Opportunity “Retrofit”: Owner's probability (%): 40 % → 55 %",
        "Opportunity “Retrofit”: Amount: 100,000 EUR → 120,000 EUR; Expected close date: 31 Mar 2030 → 30 Jun 2030; "
        f"Owner: {kam} → {kam2}; Owner's probability (%): – → 40 %",
        "Opportunity “Retrofit” opened",
    ]


def test_a_user_who_may_not_see_the_account_gets_none_of_the_new_entries(client, kam, account, contact):
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    _risk(kam, opp)
    pipeline_services.opportunity_update(actor=kam, opportunity=opp, amount=Decimal("5"))
    account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=["buyer"])
    outsider = UserFactory(username="outsider", first_name="Out", last_name="Sider")
    assert {a.kind for a in account_activity([account.pk], user=kam)} >= {"risk", "buying_centre", "opportunity"}

    assert account_activity([account.pk], user=outsider) == []
    client.force_login(outsider)
    assert client.get(reverse("account-activity", args=[account.pk]) + "?kind=risk").status_code == 403


def test_the_kind_filter_offers_and_applies_the_new_kinds(client, kam, account, contact):
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    _risk(kam, opp)
    account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=["buyer"])
    client.force_login(kam)

    page = client.get(reverse("account-activity", args=[account.pk]) + "?kind=risk&kind=buying_centre")

    assert {e.kind for e in page.context["page"].object_list} == {"risk", "buying_centre"}
    offered = {k for k, _label, _on in page.context["kinds"]}
    assert {"risk", "buying_centre"} <= offered


def _queries(user, account) -> int:
    with CaptureQueriesContext(connection) as ctx:
        account_activity([account.pk], user=user)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_entries(kam, account, contact):
    # given: an opportunity with a risk and a buying-centre member, each changed once ...
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    risk = _risk(kam, opp)
    account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=["buyer"])
    pipeline_services.opportunity_update(actor=kam, opportunity=opp, amount=Decimal("1"))
    pipeline_services.opportunity_contact_set(actor=kam, opportunity=opp, contact=contact, roles=["buyer"])
    few_entries = len(account_activity([account.pk], user=kam))
    few = _queries(kam, account)
    # ... then many more edits, status changes, risks and role changes on the same account
    for i in range(6):
        pipeline_services.opportunity_update(actor=kam, opportunity=opp, amount=Decimal(10 + i), owner_probability=i)
        pipeline_services.risk_update(actor=kam, risk=risk, status="mitigating" if i % 2 == 0 else "open")
        _risk(kam, opp, f"Risk {i}")
        roles = ["buyer"] if i % 2 else ["buyer", "decider"]
        account_services.buying_centre_set(actor=kam, account=account, contact=contact, roles=roles)
        pipeline_services.opportunity_contact_set(actor=kam, opportunity=opp, contact=contact, roles=roles)

    many_entries = len(account_activity([account.pk], user=kam))
    many = _queries(kam, account)

    assert many_entries >= few_entries + 30
    assert many == few
