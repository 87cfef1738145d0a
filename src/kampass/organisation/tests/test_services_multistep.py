"""Multi-step writes of the organisation pages and API, each one transactional service: the
function diagram saved at once, a competence profile, the role targets. All or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.organisation import services
from kampass.organisation.models import CompetenceRating, CompetenceTarget, RaciAssignment
from kampass.organisation.tests.factories import ActivityFactory, CompetenceFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_raci_set_many_sets_every_cell(head):
    # given
    a, b = ActivityFactory(), ActivityFactory()
    r = RoleFactory()
    # when
    services.raci_set_many(actor=head, cells=[(a, r, "A"), (b, r, "r")])
    # then
    assert dict(RaciAssignment.objects.values_list("activity_id", "code")) == {a.pk: "A", b.pk: "R"}


def test_raci_set_many_is_all_or_nothing(head):
    # given: a cell already set
    a, b = ActivityFactory(), ActivityFactory()
    r = RoleFactory()
    RaciAssignment.objects.create(activity=a, role=r, code="C")
    # when: the first change is valid, the second is not a RACI code
    with pytest.raises(ValidationError):
        services.raci_set_many(actor=head, cells=[(a, r, "A"), (b, r, "X")])
    # then: nothing changed, not even the first cell
    assert list(RaciAssignment.objects.values_list("activity_id", "code")) == [(a.pk, "C")]


def test_raci_set_many_needs_the_right(kam):
    with pytest.raises(PermissionDenied):
        services.raci_set_many(actor=kam, cells=[])


def test_profile_update_rates_targets_and_self_rates(head, kam):
    # given
    c1, c2 = CompetenceFactory(), CompetenceFactory()
    # when: head rates kam on c1 and sets a personal target on c2; kam proposes a self-rating on c2
    services.profile_update(
        actor=head,
        person=kam,
        changes=[
            services.ProfileLineChange(c1, rate=True, level=3, note="Good"),
            services.ProfileLineChange(c2, set_target=True, target=5),
        ],
    )
    services.profile_update(
        actor=kam, person=kam, changes=[services.ProfileLineChange(c2, self_rate=True, self_level=2)]
    )
    # then
    assert CompetenceRating.objects.get(user=kam, competence=c1).level == 3
    assert CompetenceRating.objects.get(user=kam, competence=c1).note == "Good"
    assert CompetenceTarget.objects.get(user=kam, competence=c2).level == 5
    assert CompetenceRating.objects.get(user=kam, competence=c2).self_level == 2


def test_profile_update_is_all_or_nothing(head, kam):
    # given
    c1, c2 = CompetenceFactory(), CompetenceFactory()
    # when: a valid rating on c1, then a level out of range on c2
    with pytest.raises(ValidationError):
        services.profile_update(
            actor=head,
            person=kam,
            changes=[
                services.ProfileLineChange(c1, rate=True, level=3),
                services.ProfileLineChange(c2, rate=True, level=9),
            ],
        )
    # then: the first rating was not written either
    assert not CompetenceRating.objects.exists()


def test_profile_update_refuses_a_self_rating_for_someone_else(head, kam):
    c1 = CompetenceFactory()
    with pytest.raises(PermissionDenied):
        services.profile_update(
            actor=head,
            person=kam,
            changes=[
                services.ProfileLineChange(c1, rate=True, level=3),
                services.ProfileLineChange(c1, self_rate=True, self_level=2),
            ],
        )
    assert not CompetenceRating.objects.exists()


def test_role_targets_set_is_all_or_nothing(head, kam):
    # given
    c1, c2 = CompetenceFactory(), CompetenceFactory()
    services.role_targets_set(actor=head, targets={("kam", c1): 4, ("head", c1): 5})
    assert set(CompetenceTarget.objects.filter(competence__in=[c1, c2]).values_list("role", "level")) == {
        ("kam", 4),
        ("head", 5),
    }
    # when: removing one and setting an invalid level on another
    with pytest.raises(ValidationError):
        services.role_targets_set(actor=head, targets={("kam", c1): None, ("kam", c2): 7})
    # then: the removal did not happen
    assert set(CompetenceTarget.objects.filter(competence__in=[c1, c2]).values_list("role", "level")) == {
        ("kam", 4),
        ("head", 5),
    }
    with pytest.raises(PermissionDenied):
        services.role_targets_set(actor=kam, targets={})
