"""Buying-centre links of an opportunity."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import ContactFactory, PositionFactory
from kampass.pipeline.models import OpportunityContact
from kampass.pipeline.services import opportunity_contact_remove, opportunity_contact_set
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_a_contact_of_the_group_decides_a_site_project(kam, group, site):
    # given a purchasing director at group level and a project at the site
    cfo = PositionFactory(account=group).contact
    opp = make_opportunity(account=site)
    # when
    link = opportunity_contact_set(actor=kam, opportunity=opp, contact=cfo, roles=["economic_buyer", "decider"])
    # then
    assert link.roles == ["economic_buyer", "decider"]
    assert [str(x) for x in link.role_labels()] == ["Economic buyer", "Decider"]
    # and setting again updates, never duplicates
    opportunity_contact_set(actor=kam, opportunity=opp, contact=cfo, roles=["coach"])
    assert OpportunityContact.objects.get().roles == ["coach"]


def test_contact_outside_the_hierarchy_and_unknown_roles_are_refused(kam, head, group, other):
    opp = make_opportunity(account=group)
    stranger = PositionFactory(account=other).contact
    with pytest.raises(ValidationError) as exc:  # the head may use the contact, but not on this deal
        opportunity_contact_set(actor=head, opportunity=opp, contact=stranger, roles=["decider"])
    assert "contact" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # the KAM may not use a contact of another team at all
        opportunity_contact_set(actor=kam, opportunity=opp, contact=stranger, roles=["decider"])
    with pytest.raises(ValidationError) as exc:
        opportunity_contact_set(actor=kam, opportunity=opp, contact=ContactFactory(), roles=["boss"])
    assert "roles" in exc.value.message_dict


def test_links_are_denied_to_other_teams(kam, kam2, group):
    opp = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    with pytest.raises(PermissionDenied):
        opportunity_contact_set(actor=kam2, opportunity=opp, contact=contact, roles=["user"])
    link = opportunity_contact_set(actor=kam, opportunity=opp, contact=contact, roles=["user"])
    with pytest.raises(PermissionDenied):
        opportunity_contact_remove(actor=kam2, link=link)
    opportunity_contact_remove(actor=kam, link=link)
    assert not OpportunityContact.objects.exists()
