"""``/api/v1/kpi-targets`` and ``/api/v1/kpi-matrix``: the head of KAM sets and removes targets, others
are refused; the matrix lists what the caller may read with values, targets and lights."""

from __future__ import annotations

import pytest

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import KpiTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return account


def test_the_head_sets_lists_and_removes_a_target(api, head, account):
    body = {"kpi_key": "win_rate", "green": "0.5", "amber": "0.3", "account_id": account.pk}

    created = api(head, "post", "/kpi-targets", body=body)
    listed = api(head, "get", f"/kpi-targets?account_id={account.pk}").json()

    assert created.status_code == 200
    target = created.json()
    assert (target["green"], target["amber"], target["higher_is_better"]) == ("0.5000", "0.3000", True)
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == target["id"]
    removed = api(head, "delete", f"/kpi-targets/{target['id']}?version={target['version']}")
    assert removed.status_code == 204
    assert not KpiTarget.objects.exists()


def test_removing_a_stale_version_answers_409_with_the_target_as_saved(api, head):
    target = api(head, "post", "/kpi-targets", body={"kpi_key": "win_rate", "green": "0.5", "amber": "0.3"}).json()

    stale = api(head, "delete", f"/kpi-targets/{target['id']}?version={target['version'] + 1}")

    assert stale.status_code == 409
    assert stale.json()["id"] == target["id"]
    assert stale.json()["version"] == target["version"]
    assert KpiTarget.objects.filter(pk=target["id"]).exists()


def test_others_may_read_but_not_set_or_remove_targets(api, head, kam, viewer):
    target = api(head, "post", "/kpi-targets", body={"kpi_key": "win_rate", "green": "0.5", "amber": "0.3"}).json()

    for user in (kam, viewer):
        assert (
            api(user, "post", "/kpi-targets", body={"kpi_key": "win_rate", "green": "0.9", "amber": "0.1"}).status_code
            == 403
        )
        assert api(user, "delete", f"/kpi-targets/{target['id']}").status_code == 403
        assert api(user, "get", "/kpi-targets").json()["count"] == 1
    assert api(None, "get", "/kpi-targets").status_code == 401


def test_a_bad_target_answers_422_naming_the_field(api, head):
    response = api(head, "post", "/kpi-targets", body={"kpi_key": "win_rate", "green": "0.1", "amber": "0.5"})

    assert response.status_code == 422
    assert any("amber" in str(e["loc"]) for e in response.json()["detail"])
    assert api(head, "post", "/kpi-targets", body={"kpi_key": "nope", "green": "1", "amber": "0"}).status_code == 422


def test_the_matrix_lists_the_readable_accounts_with_targets_and_lights(api, head, kam, kam2, account):
    AccountFactory(name="Otis", kam_status="key_account")
    api(head, "post", "/kpi-targets", body={"kpi_key": "decision_makers_covered", "green": "2", "amber": "1"})

    everyone = api(head, "get", "/kpi-matrix").json()
    mine = api(kam, "get", "/kpi-matrix").json()

    assert [r["account"] for r in everyone["items"]] == ["Kone", "Otis"]
    assert everyone["count"] == 2
    assert [r["account"] for r in mine["items"]] == ["Kone"]
    cell = next(c for c in mine["items"][0]["kpis"] if c["key"] == "decision_makers_covered")
    assert (cell["value"], cell["green"], cell["light"]) == ("0", "2.0000", "red")
    assert mine["by_kam"][0]["id"] == kam.pk
    assert api(kam2, "get", "/kpi-matrix").json()["items"] == []
