"""Targets (quotas): the head of KAM sets them for an owner, a team or an account subtree and a period;
bad input is refused field by field, nothing half-written; stale edits are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.common.concurrency import ConcurrentEdit
from kampass.pipeline.models import Target
from kampass.pipeline.services import target_create, target_delete, target_update
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_head_sets_a_quarter_target_for_an_owner(head, kam):
    target = target_create(actor=head, scope="owner", owner=kam, period="quarter", year=2030, number=2,
                           amount="250000", currency="CHF")  # fmt: skip
    assert (target.amount, target.currency, target.version) == (Decimal("250000"), "CHF", 1)
    assert target.period_label == "2030-Q2"
    assert (target.start.isoformat(), target.end.isoformat()) == ("2030-04-01", "2030-06-30")
    assert target.history.count() == 1


def test_a_year_target_is_number_1_and_the_scope_keeps_one_subject(head, kam, group):
    target = target_create(actor=head, scope="account", account=group, owner=kam, period="year", year=2031,
                           number=7, amount=1)  # fmt: skip
    assert (target.number, target.owner_id, target.account_id, target.period_label) == (1, None, group.pk, "2031")


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"scope": "team"}, "org_unit"),
        ({"scope": "owner", "number": 5}, "number"),
        ({"scope": "nobody"}, "scope"),
        ({"scope": "owner", "period": "week"}, "period"),
        ({"scope": "owner", "amount": "-1"}, "amount"),
        ({"scope": "owner", "year": 1999}, "year"),
    ],
)
def test_bad_input_is_refused_naming_the_field(head, kam, fields, bad):
    data = {"scope": "owner", "owner": kam, "period": "quarter", "year": 2030, "number": 1, "amount": "10"} | fields
    with pytest.raises(ValidationError) as exc:
        target_create(actor=head, **data)
    assert bad in exc.value.message_dict
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_subject_and_period_is_refused(head, kam):
    target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=3, amount=1)
    with pytest.raises(ValidationError) as exc:
        target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=3, amount=2)
    assert "already a target" in exc.value.message_dict["period"][0]
    # another month, another kind of period, another owner: fine
    target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=4, amount=1)
    target_create(actor=head, scope="owner", owner=kam, period="quarter", year=2030, number=3, amount=1)
    assert Target.objects.count() == 3


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_set_change_and_delete_targets(request, head, kam, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        target_create(actor=actor, scope="owner", owner=kam, period="year", year=2030, amount=1)
    target = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    with pytest.raises(PermissionDenied):
        target_update(actor=actor, target=target, amount=5)
    with pytest.raises(PermissionDenied):
        target_delete(actor=actor, target=target)
    assert Target.objects.get().amount == 1


def test_update_with_a_stale_version_writes_nothing(head):
    team = OrgUnit.objects.create(name="DACH")
    target = target_create(actor=head, scope="team", org_unit=team, period="quarter", year=2030, number=1, amount=1)
    target_update(actor=head, target=target, version=1, amount="2")
    with pytest.raises(ConcurrentEdit):
        target_update(actor=head, target=target, version=1, amount="3")
    saved = Target.objects.get()
    assert (saved.amount, saved.version) == (Decimal("2"), 2)
    target_delete(actor=head, target=saved)
    assert not Target.objects.exists()
