"""No lost updates by removals in the pipeline: deleting an opportunity, a risk or a target, or taking a
contact out of an opportunity's buying centre, based on a version someone else changed since, removes
nothing (service, page, API); the user sees what changed and may remove it anyway."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import PositionFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.pipeline import services
from kampass.pipeline.models import Opportunity, OpportunityContact, Risk, Target
from kampass.pipeline.services.targets import target_create, target_update
from kampass.pipeline.tests.factories import make_opportunity

# ---------------------------------------------------------------- given: an object changed to version 2


def _link(admin_user, group, kam, head):
    opportunity = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    link = services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["coach"], notes="old notes"
    )
    services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["decider"], notes="theirs: signs"
    )
    return (
        OpportunityContact.objects.get(pk=link.pk),
        lambda actor, version: services.opportunity_contact_remove(actor=actor, link=link, version=version),
        f"/opportunities/{opportunity.pk}/contacts/{contact.pk}",
    )


def _risk(admin_user, group, kam, head):
    opportunity = make_opportunity(account=group)
    risk = services.risk_create(
        actor=admin_user, opportunity=opportunity, title="Late delivery", category="delivery", likelihood=2, impact=3
    )
    services.risk_update(actor=admin_user, risk=risk, mitigation="theirs: second supplier")
    return (
        Risk.objects.get(pk=risk.pk),
        lambda actor, version: services.risk_delete(actor=actor, risk=risk, version=version),
        f"/risks/{risk.pk}",
    )


def _opportunity(admin_user, group, kam, head):
    opportunity = make_opportunity(account=group, name="Retrofit")
    services.opportunity_update(actor=admin_user, opportunity=opportunity, name="Retrofit phase 2")
    return (
        Opportunity.objects.get(pk=opportunity.pk),
        lambda actor, version: services.opportunity_delete(actor=actor, opportunity=opportunity, version=version),
        f"/opportunities/{opportunity.pk}",
    )


def _target(admin_user, group, kam, head):
    target = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1000)
    target_update(actor=head, target=target, amount=2000)
    return (
        Target.objects.get(pk=target.pk),
        lambda actor, version: services.target_delete(actor=actor, target=target, version=version),
        f"/targets/{target.pk}",
    )


ENTITIES = [_link, _risk, _opportunity, _target]


def _remover(given, kam, head):
    return head if given is _target else kam


@pytest.mark.parametrize("given", ENTITIES, ids=lambda f: f.__name__.strip("_"))
def test_a_removal_based_on_an_older_version_removes_nothing(db, kam, head, admin_user, group, given):
    obj, remove, _ = given(admin_user, group, kam, head)
    assert obj.version == 2
    with pytest.raises(ConcurrentEdit):
        remove(_remover(given, kam, head), 1)
    assert type(obj).objects.filter(pk=obj.pk).exists()
    remove(_remover(given, kam, head), 2)
    assert not type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("given", ENTITIES, ids=lambda f: f.__name__.strip("_"))
def test_api_delete_stale_answers_412_and_409_with_the_current_representation(
    conflicts, client, kam, head, admin_user, group, given
):
    obj, _, path = given(admin_user, group, kam, head)
    user = _remover(given, kam, head)
    stale_header = conflicts.api_call(client, user, "delete", path, if_match='W/"1"')
    stale_query = conflicts.api_call(client, user, "delete", f"{path}?version=1")
    assert (stale_header.status_code, stale_query.status_code) == (412, 409)
    assert stale_query.json()["version"] == 2
    assert stale_header["ETag"] == stale_query["ETag"] == 'W/"2"'
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert conflicts.api_call(client, user, "delete", f"{path}?version=2").status_code == 204
    assert not type(obj).objects.filter(pk=obj.pk).exists()


# ---------------------------------------------------------------- pages


def test_stale_buying_centre_link_removal_shows_both_versions_and_removes_only_when_confirmed(
    conflicts, client, kam, admin_user, group
):
    # given a KAM who sees the project's buying centre (the remove button carries version 1)
    opportunity = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    link = services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["coach"], notes="old notes"
    )
    client.force_login(kam)
    action = reverse("opportunity-contact-remove", args=[opportunity.pk, link.pk])
    mine = conflicts.remove_button(client, reverse("opportunity-detail", args=[opportunity.pk]), action)
    assert mine["version"] == "1"
    # and an administrator who changed the link in the meantime
    services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["decider"], notes="theirs: signs"
    )
    # when the KAM removes it, then nothing is removed and both versions are shown
    body = conflicts.assert_conflict_page(client.post(action, mine), "old notes", "theirs: signs", str(admin_user))
    assert OpportunityContact.objects.filter(pk=link.pk).exists()
    # and removing it anyway removes it
    assert 'name="version" value="2"' in body
    assert client.post(action, {"version": "2"}).status_code == 302
    assert not OpportunityContact.objects.filter(pk=link.pk).exists()


def test_stale_risk_removal_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    risk = services.risk_create(
        actor=admin_user, opportunity=opportunity, title="Late delivery", category="delivery", likelihood=2, impact=3
    )
    client.force_login(kam)
    action = reverse("opportunity-risk-delete", args=[opportunity.pk, risk.pk])
    mine = conflicts.remove_button(client, reverse("opportunity-detail", args=[opportunity.pk]), action)
    services.risk_update(actor=admin_user, risk=risk, mitigation="theirs: second supplier")
    conflicts.assert_conflict_page(client.post(action, mine), "theirs: second supplier")
    assert Risk.objects.filter(pk=risk.pk).exists()


def test_stale_opportunity_delete_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group, name="Retrofit")
    client.force_login(kam)
    url = reverse("opportunity-delete", args=[opportunity.pk])
    mine = conflicts.remove_button(client, url, url)
    services.opportunity_update(actor=admin_user, opportunity=opportunity, name="Retrofit phase 2")
    conflicts.assert_conflict_page(client.post(url, mine), "Retrofit phase 2")
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_stale_target_delete_answers_409(conflicts, client, kam, head):
    target = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1000)
    client.force_login(head)
    url = reverse("target-delete", args=[target.pk])
    mine = conflicts.remove_button(client, url, url)
    target_update(actor=head, target=target, amount=2000)
    conflicts.assert_conflict_page(client.post(url, mine))
    assert Target.objects.filter(pk=target.pk).exists()
    assert client.post(url, {"version": "2"}).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


def test_removal_conflict_reads_in_german(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    risk = services.risk_create(
        actor=admin_user, opportunity=opportunity, title="Late delivery", category="delivery", likelihood=2, impact=3
    )
    services.risk_update(actor=admin_user, risk=risk, mitigation="meanwhile")
    kam.language = "de"
    kam.save()
    client.force_login(kam)
    response = client.post(reverse("opportunity-risk-delete", args=[opportunity.pk, risk.pk]), {"version": "1"})
    body = conflicts.assert_conflict_page(response, "Nichts wurde entfernt", "Trotzdem entfernen", "Behalten")
    assert "Als Sie es entfernen wollten" in body
