"""API: targets (list, read with ETag, create, PATCH with version or If-Match, delete), the forecast
against them (the selector's figures), and the denials."""

from __future__ import annotations

import datetime as dt

import pytest

from kampass.pipeline.models import Target
from kampass.pipeline.selectors.targets import targets_against_forecast
from kampass.pipeline.services import target_create
from kampass.pipeline.tests.factories import make_opportunity
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_head_creates_reads_changes_and_deletes_a_target(api, client, head, kam, conflicts):
    body = {"scope": "owner", "owner_id": kam.pk, "period": "quarter", "year": 2030, "number": 4,
            "amount": "5000.50", "currency": "CHF"}  # fmt: skip
    created = api(head, "post", "/targets", body)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["period_label"], body["amount"], body["version"], body["subject"]) == ("2030-Q4", "5000.50", 1,
                                                                                         str(kam))  # fmt: skip
    url = f"/targets/{body['id']}"
    got = api(head, "get", url)
    assert got.headers["ETag"] == 'W/"1"'
    changed = conflicts.api_call(client, head, "patch", url, {"amount": "6000"}, if_match='W/"1"')
    assert changed.status_code == 200
    assert changed.json()["amount"] == "6000.00"
    stale = conflicts.api_call(client, head, "patch", url, {"amount": "7000"}, if_match='W/"1"')
    assert stale.status_code == 412
    assert stale.json()["amount"] == "6000.00"
    assert api(head, "patch", url, {"amount": "8000", "version": 1}).status_code == 409
    assert Target.objects.get().amount == 6000
    assert api(head, "delete", url).status_code == 204
    assert not Target.objects.exists()


def test_input_errors_name_the_field(api, head, kam):
    missing = api(head, "post", "/targets", {"scope": "team", "period": "year", "year": 2030, "amount": "1"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "org_unit_id"
    unknown = api(head, "post", "/targets", {"scope": "team", "org_unit_id": 999999, "period": "year", "year": 2030,
                                             "amount": "1"})  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "org_unit_id"
    quarter = api(head, "post", "/targets", {"scope": "owner", "owner_id": kam.pk, "period": "quarter", "year": 2030,
                                             "number": 5, "amount": "1"})  # fmt: skip
    assert quarter.status_code == 422
    assert quarter.json()["detail"][0]["loc"][-1] == "number"
    assert api(head, "post", "/targets", {"scope": "owner", "owner_id": kam.pk, "period": "week", "year": 2030,
                                          "amount": "1"}).status_code == 422  # fmt: skip
    assert (
        api(
            head,
            "post",
            "/targets",
            {"scope": "owner", "owner_id": kam.pk, "period": "year", "year": 2030, "amount": 1},
        ).status_code
        == 422
    )  # a JSON number, not a decimal string
    assert not Target.objects.exists()


def test_permissions_hold_in_the_api(api, head, kam, kam2, controller):
    unit = OrgUnit.objects.create(name="DACH")
    mine = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    theirs = target_create(actor=head, scope="team", org_unit=unit, period="year", year=2030, amount=2)
    body = {"scope": "owner", "owner_id": kam.pk, "period": "year", "year": 2031, "amount": "1"}
    assert api(kam, "post", "/targets", body).status_code == 403
    assert api(controller, "post", "/targets", body).status_code == 403
    assert api(None, "get", "/targets").status_code == 401
    assert [t["id"] for t in api(kam, "get", "/targets").json()["items"]] == [mine.pk]
    assert api(kam, "get", f"/targets/{theirs.pk}").status_code == 403
    assert api(kam, "get", f"/targets/{mine.pk}").status_code == 200
    assert api(kam, "patch", f"/targets/{mine.pk}", {"amount": "9"}).status_code == 403
    assert api(kam, "delete", f"/targets/{mine.pk}").status_code == 403
    assert api(kam2, "get", f"/targets/{mine.pk}").status_code == 403
    assert api(head, "get", "/targets/999999").status_code == 404
    assert api(controller, "get", "/targets?scope=team").json()["count"] == 1
    assert Target.objects.get(pk=mine.pk).amount == 1


def test_the_forecast_against_targets_is_the_selectors(api, head, kam, group):
    target_create(actor=head, scope="owner", owner=kam, period="quarter", year=2029, number=1, amount="1000")
    make_opportunity(account=group, owner=kam, amount="400", forecast_category="best_case",
                     expected_close_date=dt.date(2029, 2, 1))  # fmt: skip
    body = api(head, "get", f"/targets/attainment?period=quarter&year=2029&subject=owner:{kam.pk}").json()
    assert body == [r.as_json() for r in targets_against_forecast(user=head, period="quarter", year=2029)]
    assert (body[0]["best_case"], body[0]["gap"], body[0]["gap_best_case"]) == ("400.00", "1000.00", "600.00")
    assert api(head, "get", "/targets/attainment?subject=nobody:1").status_code == 422
    assert api(head, "get", "/targets/attainment?period=decade").status_code == 422
