"""Query counts of the list, board and cockpit pages do not grow with the number of rows: every page is
requested at two sizes of the same data (accounts with a subsidiary, contacts, team, open deals, plans)
and must run the same number of queries at both (django's query capture)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db

PAGES = [
    "/accounts/",
    "/accounts/?q=Account",
    "/accounts/contacts/",
    "/pipeline/",
    "/pipeline/opportunities/",
    "/plans/",
    "/portfolio/",
    "/data-imports/",
]


def _grow(n: int, kam, start: int = 0) -> None:
    for i in range(start, start + n):
        group = AccountFactory(name=f"Account G{i}")
        child = AccountFactory(name=f"Account C{i}", parent=group)
        TeamMemberFactory(account=group, user=kam)
        contact = ContactFactory()
        PositionFactory(contact=contact, account=child)
        make_opportunity(account=child, name=f"Deal {i}", owner=kam)
        make_opportunity(account=group, name=f"Deal G{i}", stage_name="Proposal/Price Quote")
        make_plan(account=group)


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


@pytest.mark.parametrize("role", ["head", "kam"])
def test_list_pages_run_as_many_queries_at_both_sizes(client, head, kam, role):
    user = {"head": head, "kam": kam}[role]
    client.force_login(user)
    _grow(2, kam)
    for path in PAGES:  # warm: caches filled by a first request (catalogues, settings) are not counted
        client.get(path)
    small = {path: _count(client, path) for path in PAGES}

    _grow(6, kam, start=2)
    for path in PAGES:  # the data changed: caches keyed on it are filled again, once
        client.get(path)
    large = {path: _count(client, path) for path in PAGES}

    assert large == small


def test_the_account_cockpit_runs_as_many_queries_with_more_people_and_deals(client, head, kam):
    client.force_login(head)
    group = AccountFactory(name="Cockpit AG")
    TeamMemberFactory(account=group, user=kam)
    path = f"/accounts/{group.pk}/"
    client.get(path)

    def add(n: int) -> None:
        for i in range(n):
            contact = ContactFactory()
            PositionFactory(contact=contact, account=group)
            make_opportunity(account=group, name=f"Cockpit deal {i}")
            AccountFactory(name=f"Cockpit child {contact.pk}", parent=group)

    add(2)
    small = _count(client, path)
    add(6)

    assert _count(client, path) == small


def _grow_key_accounts(n: int, kam, start: int = 0) -> None:
    """``n`` key accounts with a subsidiary, a KAM, an open deal on each and a plan: none has a stored health
    snapshot, so the scorecard computes every one's health now (the path whose queries grew per account)."""
    from kampass.accounts.models import KamStatus

    for i in range(start, start + n):
        group = AccountFactory(name=f"Key G{i}", kam_status=KamStatus.KEY_ACCOUNT)
        child = AccountFactory(name=f"Key C{i}", parent=group)
        TeamMemberFactory(account=group, user=kam)
        make_opportunity(account=child, name=f"Key deal {i}", owner=kam)
        make_opportunity(account=group, name=f"Key deal G{i}", stage_name="Proposal/Price Quote")
        make_plan(account=group)


@pytest.mark.parametrize("role", ["head", "kam"])
def test_the_scorecard_runs_as_many_queries_with_more_key_accounts(client, head, kam, role):
    # given: two key accounts without stored health snapshots
    client.force_login({"head": head, "kam": kam}[role])
    _grow_key_accounts(2, kam)
    client.get("/scorecard/")
    small = _count(client, "/scorecard/")

    # when: six more key accounts are added
    _grow_key_accounts(6, kam, start=2)
    client.get("/scorecard/")
    large = _count(client, "/scorecard/")

    # then: the scorecard (computing every account's health now) runs the same number of queries
    assert large == small
