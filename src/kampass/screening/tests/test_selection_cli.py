"""``kampass screening score --json``: the contract and the contributions adding up to the scores."""

from __future__ import annotations

import io
import json
import math

import pytest
from django.core.management import CommandError, call_command

from kampass.accounts.tests.factories import AccountFactory
from kampass.screening import services_selection as services
from kampass.screening.tests.factories_selection import default_catalogue

pytestmark = pytest.mark.django_db


def test_score_json_prints_the_contract(head):
    # given the default catalogue and two accounts, one rated
    default_catalogue(actor=head)
    a, b = AccountFactory(name="A"), AccountFactory(name="B", kam_status="key_account")
    services.rating_create(actor=head, account_id=a.pk, criterion_key="strategic_fit", value=5, justification="x")
    services.rating_create(actor=head, account_id=a.pk, criterion_key="proximity", value=2, justification="y")
    out = io.StringIO()
    # when
    call_command("screening", "score", "--json", stdout=out)
    # then
    doc = json.loads(out.getvalue())
    assert list(doc) == ["accounts", "unscored"]
    # B has no value in either dimension: it is listed apart, so that every score in "accounts" is a number
    assert [x["account_id"] for x in doc["accounts"]] == [a.pk]
    assert [x["account_id"] for x in doc["unscored"]] == [b.pk]
    first = doc["accounts"][0]
    assert set(first) == {"account_id", "attractiveness", "position", "quadrant", "contributions"}
    assert set(first["contributions"][0]) == {"criterion", "dimension", "value", "weight", "contribution"}
    assert len(first["contributions"]) == 14
    for x in doc["accounts"]:
        for dim in ("attractiveness", "position"):
            total = sum(c["contribution"] for c in x["contributions"] if c["dimension"] == dim)
            assert math.isclose(total, x[dim])
    for x in doc["unscored"]:
        for dim in ("attractiveness", "position"):
            total = sum(c["contribution"] for c in x["contributions"] if c["dimension"] == dim)
            assert (x[dim] is None and total == 0) or math.isclose(total, x[dim])
    # A: fit 100 and proximity 25 are its only values (no facts without invoice lines or opportunities)
    assert (first["attractiveness"], first["position"], first["quadrant"]) == (100.0, 25.0, "big_step")
    assert doc["unscored"][0]["quadrant"] == ""


def test_score_without_a_catalogue_says_so(db):
    with pytest.raises(CommandError, match="catalogue"):
        call_command("screening", "score", "--json", stdout=io.StringIO())
