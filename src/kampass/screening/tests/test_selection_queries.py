"""The portfolio reads every account's facts in a fixed number of queries: the page, the scores API and
the selector ask the same questions for three accounts and for three times as many (no query per account)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampass.accounts import facade as accounts_facade
from kampass.accounts.tests.factories import (
    AccountFactory,
    BuyingCentreMemberFactory,
    CoverageFactory,
    PositionFactory,
    TeamMemberFactory,
)
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.screening import selectors_selection as selectors
from kampass.screening.tests.factories_selection import default_catalogue

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2012, 1, 31)


def _groups(n: int, *, start: int = 0) -> list[int]:
    """``n`` key-account groups, each with a subsidiary, a decision maker (with a position, reached by a
    team member below the aimed level) and invoice lines at the group and the subsidiary."""
    roots, rows = [], []
    for i in range(start, start + n):
        group = AccountFactory(name=f"Group {i:02d}", kam_status="key_account")
        site = AccountFactory(name=f"Site {i:02d}", parent=group)
        member = BuyingCentreMemberFactory(account=group, influence=9)
        PositionFactory(account=group, contact=member.contact)
        CoverageFactory(team_member=TeamMemberFactory(account=group), contact=member.contact)
        for customer, account in ((f"G{i}", group), (f"S{i}", site)):
            CustomerLink.objects.create(customer_id=customer, account=account)
            rows.append(line(f"{customer}-1", customer, str(1 + i), "100", date=dt.date(2011, 6, 1)))
            rows.append(line(f"{customer}-2", customer, "2", "100", date=dt.date(2010, 6, 1)))
        roots.append(group.pk)
    insert_lines(rows, batch_id=f"groups-{start}")
    return roots


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.fixture
def scenario(settings, head):
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    default_catalogue(actor=head)


def test_the_portfolio_selector_asks_as_many_queries_for_three_accounts_as_for_nine(scenario):
    # given: three groups
    _groups(3)
    selectors.portfolio(as_of=AS_OF)  # caches (currencies, rates) warm
    small = _queries(lambda: selectors.portfolio(as_of=AS_OF))
    # when: six more groups join
    _groups(6, start=3)
    selectors.portfolio(as_of=AS_OF)
    large = _queries(lambda: selectors.portfolio(as_of=AS_OF))
    # then: the same number of queries, and the facts are there for every group
    assert large == small
    facts = selectors.account_facts(selectors.scored_account_ids(), as_of=AS_OF)
    assert sum(1 for f in facts.values() if f["revenue_12m"] and f["decision_maker_coverage"] == 0.0) == 9


@pytest.mark.parametrize("url", [reverse("screening-portfolio"), "/api/v1/screening/scores"])
def test_the_page_and_the_api_do_not_query_per_account(scenario, client, head, url):
    # given: three groups, then nine
    client.force_login(head)
    _groups(3)
    assert client.get(url).status_code == 200
    small = _queries(lambda: client.get(url))
    _groups(6, start=3)
    client.get(url)
    # when/then: the same number of queries
    assert _queries(lambda: client.get(url)) == small


def test_subtrees_of_many_accounts_in_one_query_equal_those_asked_one_by_one():
    # given: a tree three levels deep beside a single account
    top = AccountFactory(name="Top")
    mid = AccountFactory(name="Mid", parent=top)
    leaf = AccountFactory(name="Leaf", parent=mid)
    alone = AccountFactory(name="Alone")
    ids = [top.pk, mid.pk, leaf.pk, alone.pk]
    # when
    with CaptureQueriesContext(connection) as captured:
        many = accounts_facade.subtree_account_ids_of([*ids, 10**9])
    # then: two queries (a few subtrees are read along their paths; more in one pass over all accounts), the
    # same lists as one by one, an unknown id left out
    assert len(captured.captured_queries) == 2
    assert many == {a: accounts_facade.subtree_account_ids(a) for a in ids}
    assert sorted(many[top.pk]) == sorted([top.pk, mid.pk, leaf.pk])


def test_subtrees_of_more_than_a_few_accounts_in_one_pass(monkeypatch):
    top = AccountFactory(name="Top")
    AccountFactory(name="Mid", parent=top)
    monkeypatch.setattr(accounts_facade, "_FEW_SUBTREES", 0)
    with CaptureQueriesContext(connection) as captured:
        many = accounts_facade.subtree_account_ids_of([top.pk])
    assert len(captured.captured_queries) == 1
    assert many == {top.pk: accounts_facade.subtree_account_ids(top.pk)}
