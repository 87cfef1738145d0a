"""``/api/v1/account-health`` and ``/api/v1/scorecard``: the decomposed score and the portfolio, for
those who may read the account."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import PlanStatus
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    make_plan(account=account, status=PlanStatus.ACTIVE)
    return account


def test_account_health_is_decomposed(api, kam, account):
    body = api(kam, "get", f"/account-health?account_id={account.pk}").json()

    assert body["account"] == "Kone"
    # only plan freshness (a new plan: 1) and reviews held (none: 0) have a value, with weight 1 each
    assert body["health"] == 50.0
    assert abs(sum(c["contribution"] for c in body["components"]) - body["health"]) <= 0.5
    assert "pipeline_coverage" in body["missing"]
    assert body["light"] == "amber"


def test_other_kams_may_not_read_an_accounts_health_and_unknown_accounts_are_404(api, kam2, viewer, account):
    assert api(kam2, "get", f"/account-health?account_id={account.pk}").status_code == 403
    assert api(viewer, "get", f"/account-health?account_id={account.pk}").status_code == 200
    assert api(viewer, "get", "/account-health?account_id=999999").status_code == 404


def test_scorecard_lists_the_readable_key_accounts_with_rollups(api, head, kam, kam2, account):
    AccountFactory(name="Otis", kam_status="key_account")

    everyone = api(head, "get", "/scorecard").json()
    mine = api(kam, "get", "/scorecard").json()

    assert [a["account"] for a in everyone["accounts"]] == ["Kone", "Otis"]
    assert [a["account"] for a in mine["accounts"]] == ["Kone"]
    assert mine["by_kam"][0]["id"] == kam.pk
    assert mine["by_kam"][0]["health"] == 50.0
    assert api(kam2, "get", "/scorecard").json()["accounts"] == []
    assert api(head, "get", "/scorecard?light=red").json()["accounts"][0]["account"] == "Otis"
