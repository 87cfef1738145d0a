"""The global search's account plans (``plan_search`` and ``planning.facade.search_plans``): found by the
account's name, as the plan list finds them, only the versions the user may read."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.facade import search_plans
from kampass.planning.selectors import plan_search, plans_visible
from kampass.planning.tests.factories import make_plan


def test_plans_are_found_by_account_name_beginning_with_the_query_first_newest_period_first(db, head):
    nord = AccountFactory(name="Nordlicht", kam_status="key_account")
    make_plan(account=nord, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31))
    make_plan(account=nord, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31))
    make_plan(account=AccountFactory(name="Alpha Nord", kam_status="key_account"))
    make_plan(account=AccountFactory(name="Süd", kam_status="key_account"))

    rows = plan_search(user=head, q="nord", limit=8)

    assert [(r["account__name"], r["period_start"].year) for r in rows] == [
        ("Nordlicht", 2027),
        ("Nordlicht", 2026),
        ("Alpha Nord", 2027),
    ]
    assert len(plan_search(user=head, q="nord", limit=2)) == 2


def test_a_kam_finds_the_plans_of_their_accounts_only(db, kam, kam2, viewer):
    mine = AccountFactory(name="Plan Mine", kam_status="key_account")
    other = AccountFactory(name="Plan Other", kam_status="key_account")
    TeamMemberFactory(account=mine, user=kam)
    TeamMemberFactory(account=other, user=kam2)
    make_plan(account=mine)
    make_plan(account=other)

    def found(user):
        return sorted(r["account__name"] for r in plan_search(user=user, q="plan", limit=8))

    assert found(kam) == ["Plan Mine"]
    assert found(kam2) == ["Plan Other"]
    assert found(viewer) == ["Plan Mine", "Plan Other"]
    for user in (kam, kam2, viewer):  # what the plan list shows them
        assert found(user) == sorted(p.account.name for p in plans_visible(user=user, q="plan"))


def test_plan_hits_name_the_period_version_and_status_in_the_users_language(db, head):
    plan = make_plan(account=AccountFactory(name="Kessler", kam_status="key_account"), status="approved")

    with translation.override("de"):
        [hit] = search_plans(user=head, q="kess", limit=8)

    assert hit.title == "Kessler"
    assert hit.subtitle == "01.01.2027 – 31.12.2027 · Version 1 · Freigegeben"
    assert hit.url == f"/plans/{plan.pk}/"
