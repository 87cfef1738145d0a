"""What a key account manager sees is named by the ids of their accounts, read once per request
(``selectors.lists.visible_q``): the same opportunities and risks as when the accounts are found by their
paths in a sub-query, none of another manager's, and one read of the accounts however many queries a page
makes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kampass.accounts import rules as account_rules
from kampass.accounts.facade import team_subtree_account_ids
from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.common.request_memo import RequestMemoMiddleware
from kampass.pipeline.models import Opportunity, Risk
from kampass.pipeline.selectors import lists
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def _names(user, prefix: str = "", model=Opportunity) -> list[str]:
    q = lists.visible_q(user, prefix)
    rows = model.objects.all() if q is None else model.objects.filter(q)
    field = f"{prefix}name" if prefix else "name"
    return sorted(rows.values_list(field, flat=True))


def test_the_ids_and_the_paths_give_the_same_deals_and_risks(monkeypatch, kam, head, group, site, other):
    # given deals at kam's group, at a site below it, two levels below it, and at another manager's account
    deep = AccountFactory(name="Schindler Ebikon Lab", parent=site)
    for account, name in ((group, "Group deal"), (site, "Site deal"), (deep, "Lab deal"), (other, "Theirs")):
        deal = make_opportunity(account=account, name=name)
        Risk.objects.create(opportunity=deal, title=f"Risk of {name}", category="commercial", likelihood=2, impact=3)
    # when kam's view is read by the ids and by the paths (fewer ids allowed than kam has accounts)
    by_ids = (_names(kam), _names(kam, "opportunity__", Risk))
    monkeypatch.setattr(account_rules, "ACCOUNTS_BY_ID_MAX", 0)
    by_paths = (_names(kam), _names(kam, "opportunity__", Risk))
    # then both are kam's three deals and their risks, the other manager's not among them
    assert by_ids == by_paths
    assert by_ids[0] == ["Group deal", "Lab deal", "Site deal"]
    assert by_ids[1] == by_ids[0]
    # the head of KAM sees everything
    assert lists.visible_q(head) is None
    assert team_subtree_account_ids(kam) == frozenset({group.pk, site.pk, deep.pk})


def test_the_query_names_the_ids_below_the_bound_and_keeps_the_sub_query_above(monkeypatch, kam, group, site):
    ids_q = str(Opportunity.objects.filter(lists.visible_q(kam)).query)
    assert f"IN ({min(group.pk, site.pk)}, {max(group.pk, site.pk)})" in ids_q
    assert "LIKE" not in ids_q.upper()
    monkeypatch.setattr(account_rules, "ACCOUNTS_BY_ID_MAX", 1)
    assert "SELECT" in str(Opportunity.objects.filter(lists.visible_q(kam)).query).split("IN", 1)[1]


def test_a_user_on_no_team_sees_no_deal(kam2, group):
    # given a deal at kam's account and kam2 on no account's team
    make_opportunity(account=group, name="Not theirs")
    # then kam2 sees no deal (and not everything)
    assert lists.visible_q(kam2) is not None
    assert _names(kam2) == []


def test_the_accounts_are_read_once_per_get_request_and_afresh_in_a_writing_one(kam, group, site):
    reads: dict[str, int] = {}

    def view(request) -> HttpResponse:
        with CaptureQueriesContext(connection) as first:
            a = team_subtree_account_ids(kam)
        with CaptureQueriesContext(connection) as second:
            b = team_subtree_account_ids(kam)
        assert a == b == frozenset({group.pk, site.pk})
        reads[request.method] = len(first.captured_queries) + len(second.captured_queries)
        return HttpResponse("ok")

    kam._kampass_team_ids = None  # the team's ids are cached on the user; count the accounts' reads
    RequestMemoMiddleware(view)(RequestFactory().get("/"))
    get_reads = reads["GET"]
    kam._kampass_team_ids = None
    RequestMemoMiddleware(view)(RequestFactory().post("/"))
    # the GET read the team, its accounts' paths and the accounts below them once (three queries); the POST
    # read the paths and the accounts again for the second call (the team stays cached on the user)
    assert get_reads == 3
    assert reads["POST"] == 5


def test_an_account_stored_without_its_path_shows_only_itself(kam, group, other):
    # given kam's account stored without its path (as made outside the services) and another manager's deal
    Account.objects.filter(pk=group.pk).update(path="")
    make_opportunity(account=group, name="Mine")
    make_opportunity(account=other, name="Theirs")
    # then kam sees the deal at that account, not every account's (an empty path is a prefix of all paths)
    assert team_subtree_account_ids(kam) == frozenset({group.pk})
    assert _names(kam) == ["Mine"]
