"""The global search across the contexts (``kampass.common.search``): the search page and its live
fragment, ``GET /api/v1/search``, permissions in both, and one query per group whatever the number of hits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory
from kampass.common.request_memo import RequestMemoMiddleware
from kampass.common.search import GROUP_LIMIT, search
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning.tests.factories import make_plan
from kampass.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(kam, kam2):
    """Two key accounts with their teams, each with a contact, an opportunity and a plan named after the
    word "Falcon"; the key account manager ``kam`` is on the first team only."""
    mine = AccountFactory(name="Falcon Mine", kam_status="key_account", external_id="FM-1")
    other = AccountFactory(name="Falcon Other", kam_status="key_account")
    TeamMemberFactory(account=mine, user=kam)
    TeamMemberFactory(account=other, user=kam2)
    for account, suffix in [(mine, "Mine"), (other, "Other")]:
        PositionFactory(contact=ContactFactory(first_name="Fay", last_name=f"Falconer {suffix}"), account=account)
        make_opportunity(account=account, name=f"Falcon retrofit {suffix}")
        make_plan(account=account)
    return mine, other


def _page(client, user, q, **headers):
    client.force_login(user)
    return client.get(reverse("search"), {"q": q}, headers=headers)


def _results(html):
    """The search results of a page (not its navigation)."""
    return html[html.index('data-testid="search-results"') :]


def _groups(html):
    return [
        key for key in ("accounts", "contacts", "opportunities", "plans") if f'data-testid="search-group-{key}"' in html
    ]


def test_the_search_page_groups_the_hits_by_type_with_links(client, world, head):
    mine, _other = world

    response = _page(client, head, "falcon")

    html = response.content.decode()
    assert response.status_code == 200
    assert _groups(html) == ["accounts", "contacts", "opportunities", "plans"]
    assert f'href="/accounts/{mine.pk}/"' in html
    assert "Falcon retrofit Mine" in html
    assert "Falconer Other" in html
    assert "<h1>Search</h1>" in html  # the whole page (it works without JavaScript)


def test_a_kam_sees_only_what_the_lists_show_them(client, world, kam):
    response = _page(client, kam, "falcon")

    html = response.content.decode()
    # accounts are master data every user may list; the rest only of the KAM's own account
    assert "Falcon Mine" in html
    assert "Falcon Other" in html
    assert "Falconer Mine" in html
    assert "Falconer Other" not in html
    assert "Falcon retrofit Mine" in html
    assert "Falcon retrofit Other" not in html
    assert _results(html).count('href="/plans/') == 1


def test_the_htmx_request_gets_the_results_fragment_only(client, world, head):
    response = _page(client, head, "falcon", HX_Request="true")

    html = response.content.decode()
    assert 'data-testid="search-results"' in html
    assert "<html" not in html
    assert _groups(html) == ["accounts", "contacts", "opportunities", "plans"]


def test_a_cleared_search_field_closes_the_live_results(client, head):
    assert _page(client, head, "  ", HX_Request="true").content == b""


def test_no_results_says_so_with_the_query(client, world, head):
    html = _page(client, head, "zzqx").content.decode()

    assert 'data-testid="search-empty"' in html
    assert "No results for “zzqx”." in html
    assert _groups(html) == []


def test_a_query_shorter_than_two_characters_is_not_searched(client, world, head):
    html = _page(client, head, " f ").content.decode()

    assert "Type at least 2 characters to search." in html
    assert _groups(html) == []
    assert 'data-testid="search-empty"' not in html


def test_the_search_page_speaks_german(client, world, head):
    client.cookies["django_language"] = "de"
    html = _page(client, head, "f").content.decode()
    assert "Geben Sie mindestens 2 Zeichen ein, um zu suchen." in html


def test_at_most_eight_hits_per_group_and_show_all_leads_to_the_filtered_list(client, head):
    for i in range(GROUP_LIMIT + 1):
        AccountFactory(name=f"Orca {i:02d}")
    AccountFactory(name="Orca single")  # 10 accounts
    ContactFactory(last_name="Orcan")

    html = _page(client, head, "orca").content.decode()

    results = _results(html)
    assert len(re.findall(r'href="/accounts/\d+/"', results)) == GROUP_LIMIT
    assert 'href="/accounts/?q=orca"' in html  # the account list filtered by the query
    assert 'href="/accounts/contacts/?q=' not in results  # one contact: nothing more to show


def test_the_search_needs_a_login(client):
    response = client.get(reverse("search"), {"q": "falcon"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_every_page_has_the_search_field(client, head):
    client.force_login(head)
    for name in ("dashboard", "account-list", "plan-list"):
        html = client.get(reverse(name)).content.decode()
        assert 'id="global-search"' in html, name
        assert 'action="/search/"' in html, name


def test_api_answers_grouped_hits_as_the_page(api, world, head):
    mine, _other = world

    body = api(head, "get", "/search?q=falcon").json()

    assert body["q"] == "falcon"
    assert [g["key"] for g in body["groups"]] == ["accounts", "contacts", "opportunities", "plans"]
    accounts = body["groups"][0]
    assert accounts["label"] == "Accounts"
    assert accounts["more"] is False
    assert accounts["hits"][0] == {
        "title": "Falcon Mine",
        "subtitle": "Key account · FM-1",
        "url": f"/accounts/{mine.pk}/",
    }
    assert accounts["more_url"] == "/accounts/?q=falcon"


def test_api_shows_a_kam_only_their_own_and_needs_credentials(api, world, kam):
    body = api(kam, "get", "/search?q=falcon").json()

    titles = {g["key"]: [h["title"] for h in g["hits"]] for g in body["groups"]}
    assert titles["opportunities"] == ["Falcon retrofit Mine"]
    assert titles["contacts"] == ["Fay Falconer Mine"]
    assert titles["plans"] == ["Falcon Mine"]
    assert api(None, "get", "/search?q=falcon").status_code == 401


def test_api_refuses_a_query_shorter_than_two_characters(api, head):
    assert api(head, "get", "/search?q=f").status_code == 422
    assert api(head, "get", "/search").status_code == 422
    # two characters that are only white space: valid, but nothing to search
    assert api(head, "get", "/search?q=%20%20").json() == {"q": "", "groups": []}


def _data(n, kam, batch):
    """``n`` accounts, contacts, opportunities and plans matching "heron", on the team of ``kam``."""
    for i in range(n):
        account = AccountFactory(name=f"Heron {batch}-{i}", kam_status="key_account")
        TeamMemberFactory(account=account, user=kam)
        PositionFactory(contact=ContactFactory(last_name=f"Heronsen {i}"), account=account)
        make_opportunity(account=account, name=f"Heron deal {i}")
        make_plan(account=account)


@pytest.mark.parametrize("role", ["kam", "head"])
def test_the_number_of_queries_does_not_grow_with_the_hits(request, role, kam):
    user_id = request.getfixturevalue(role).pk

    def count():
        user = User.objects.get(pk=user_id)  # a new request: nothing cached on the user
        found: dict[str, Any] = {}

        def view(_request: Any) -> HttpResponse:  # as the search page and the API serve it: within a GET
            with CaptureQueriesContext(connection) as ctx:
                found["groups"] = search(user=user, q="heron")
            found["queries"] = len(ctx.captured_queries)
            return HttpResponse("ok")

        RequestMemoMiddleware(view)(RequestFactory().get("/search/"))
        return found["queries"], [len(g.hits) for g in found["groups"]]

    _data(2, kam, 1)
    small, hits_small = count()
    _data(GROUP_LIMIT + 4, kam, 2)
    large, hits_large = count()

    assert hits_small == [2, 2, 2, 2]
    assert hits_large == [GROUP_LIMIT] * 4
    assert small == large
    # one per group, plus the KAM's teams, their paths and the accounts below them (read once per request), and
    # whether any contact has no position (two counts)
    assert large <= 4 + 5
