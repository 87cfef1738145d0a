"""No lost updates in the organisation: a stale edit of a catalogue entry, a competence profile or a
development action, a target, the workload threshold or a cell of the function diagram (form or API) is
refused and the change saved in the meantime survives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.organisation import services
from kampass.organisation.models import (
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    ProcessActivity,
    RaciAssignment,
    StructureSettings,
)
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory

CATALOGUES = [
    ("activities", ActivityFactory, services.activity_update, "activity", "organisation-activity-edit"),
    ("roles", RoleFactory, services.role_update, "role", "organisation-role-edit"),
    ("competences", CompetenceFactory, services.competence_update, "competence", "organisation-competence-edit"),
]


@pytest.mark.parametrize(("path", "factory", "update", "kwarg", "edit_url"), CATALOGUES)
def test_stale_catalogue_edit_answers_409_in_the_form_and_the_api(
    conflicts, client, head, admin_user, path, factory, update, kwarg, edit_url
):
    entry = factory(name_en="Plan the account", description_en="old")
    client.force_login(head)
    url = reverse(edit_url, args=[entry.pk])
    mine = conflicts.loaded_form(client, url, description_en="mine: yearly")
    update(actor=admin_user, **{kwarg: entry}, description_en="theirs: quarterly")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: yearly", "theirs: quarterly")
    api = f"/organisation/{path}/{entry.pk}"
    assert (
        conflicts.api_call(client, head, "patch", api, {"description_en": "mine"}, if_match='W/"1"').status_code == 412
    )
    stale = conflicts.api_call(client, head, "patch", api, {"description_en": "mine", "version": 1})
    assert (stale.status_code, stale.json()["description_en"], stale["ETag"]) == (409, "theirs: quarterly", 'W/"2"')
    assert type(entry).objects.get(pk=entry.pk).description_en == "theirs: quarterly"


def test_catalogue_get_carries_the_etag(conflicts, client, head):
    entry = ActivityFactory()
    response = conflicts.api_call(client, head, "get", f"/organisation/activities/{entry.pk}")
    assert (response["ETag"], response.json()["version"]) == ('W/"1"', 1)
    assert ProcessActivity.objects.get(pk=entry.pk).version == 1


def test_stale_profile_edit_answers_409_and_keeps_the_other_rating(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory(name_en="Negotiation")
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=2)
    client.force_login(head)
    url = reverse("organisation-profile-edit", args=[kam.pk])
    mine = conflicts.loaded_form(
        client, url, **{f"level_{competence.pk}": "5", f"note_{competence.pk}": "mine: great deal"}
    )
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=3, note="theirs: steady")
    body = conflicts.assert_conflict_page(client.post(url, mine), "mine: great deal", "theirs: steady")
    assert "Negotiation: rating" in body
    rating = CompetenceRating.objects.get(user=kam, competence=competence)
    assert (rating.level, rating.note) == (3, "theirs: steady")


def test_profile_edit_is_refused_when_a_rating_was_created_meanwhile(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory(name_en="Negotiation")
    client.force_login(head)
    url = reverse("organisation-profile-edit", args=[kam.pk])
    mine = conflicts.loaded_form(client, url, **{f"level_{competence.pk}": "5"})
    assert mine[f"version_{competence.pk}"] == "0"
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=3)
    conflicts.assert_conflict_page(client.post(url, mine))
    assert CompetenceRating.objects.get(user=kam, competence=competence).level == 3


def test_rating_put_stale_answers_412_and_409(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory()
    path = f"/organisation/profiles/{kam.pk}/ratings/{competence.pk}"
    first = conflicts.api_call(client, head, "put", path, {"level": 2, "version": 0})
    assert (first.status_code, first.json()["version"], first["ETag"]) == (200, 1, 'W/"1"')
    services.rating_set(actor=admin_user, person=kam, competence=competence, level=4)
    assert conflicts.api_call(client, head, "put", path, {"level": 1}, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "put", path, {"level": 1, "version": 1})
    assert (stale.status_code, stale.json()["level"]) == (409, 4)
    assert CompetenceRating.objects.get(user=kam, competence=competence).level == 4


def test_stale_action_edit_answers_409_in_the_form_and_the_api(conflicts, client, head, admin_user, kam):
    action = ActionFactory(person=kam, title="Negotiation training", notes="old")
    client.force_login(head)
    url = reverse("organisation-action-edit", args=[action.pk])
    mine = conflicts.loaded_form(client, url, notes="mine: book in May")
    services.action_update(actor=admin_user, action=action, notes="theirs: booked for June")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: book in May", "theirs: booked for June")
    api = f"/organisation/development-actions/{action.pk}"
    assert conflicts.api_call(client, head, "patch", api, {"notes": "mine"}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, head, "patch", api, {"notes": "mine", "version": 1}).status_code == 409
    assert DevelopmentAction.objects.get(pk=action.pk).notes == "theirs: booked for June"


# ---------------------------------------------------------------- targets, threshold, function diagram


def test_stale_role_targets_form_answers_409_with_both_levels_and_keeps_the_other_target(
    conflicts, client, head, admin_user
):
    # given a head of KAM who opened the role targets with KAM target 3 on a competence
    competence = CompetenceFactory(name_en="Negotiation")
    services.target_set(actor=admin_user, competence=competence, level=3, role="kam")
    client.force_login(head)
    url = reverse("organisation-targets")
    mine = conflicts.loaded_form(client, url, **{f"kam_{competence.pk}": "5"})
    assert mine[f"version_kam_{competence.pk}"] == "1"
    # and an administrator who set it to 2 in the meantime
    services.target_set(actor=admin_user, competence=competence, level=2, role="kam")
    # when the head saves, then nothing is written and both levels are shown
    body = conflicts.assert_conflict_page(client.post(url, mine), str(admin_user))
    rows = {label: (m, s) for label, m, s in _conflict_rows(body)}
    assert rows["Negotiation – Key account manager"] == ("5", "2")
    assert CompetenceTarget.objects.get(competence=competence, role="kam").level == 2
    # and re-applying from the conflict page (it carries the saved versions) writes the entry
    resubmit = _resubmit_fields(body)
    assert resubmit[f"version_kam_{competence.pk}"] == "2"
    assert client.post(url, resubmit).status_code == 302
    assert CompetenceTarget.objects.get(competence=competence, role="kam").level == 5


def test_role_target_set_meanwhile_is_not_silently_overwritten_by_an_untouched_field(
    conflicts, client, head, admin_user
):
    # the head changes the head-of-KAM target only; the KAM target was set by someone else meanwhile
    competence = CompetenceFactory(name_en="Negotiation")
    client.force_login(head)
    url = reverse("organisation-targets")
    mine = conflicts.loaded_form(client, url, **{f"head_{competence.pk}": "4"})
    services.target_set(actor=admin_user, competence=competence, level=2, role="kam")
    conflicts.assert_conflict_page(client.post(url, mine))
    assert CompetenceTarget.objects.get(competence=competence, role="kam").level == 2
    assert not CompetenceTarget.objects.filter(competence=competence, role="head").exists()


def test_stale_personal_target_in_the_profile_form_answers_409(conflicts, client, head, admin_user, kam):
    competence = CompetenceFactory(name_en="Negotiation")
    services.target_set(actor=admin_user, competence=competence, level=3, person=kam)
    client.force_login(head)
    url = reverse("organisation-profile-edit", args=[kam.pk])
    mine = conflicts.loaded_form(client, url, **{f"note_{competence.pk}": "mine"})
    assert mine[f"version_target_{competence.pk}"] == "1"
    services.target_set(actor=admin_user, competence=competence, level=5, person=kam)
    body = conflicts.assert_conflict_page(client.post(url, mine))
    assert CompetenceTarget.objects.get(competence=competence, user=kam).level == 5
    # re-applying the entry from the conflict page is based on the saved versions (of rating and target)
    resubmit = _resubmit_fields(body)
    assert (resubmit[f"version_target_{competence.pk}"], resubmit[f"version_{competence.pk}"]) == ("2", "0")
    assert client.post(url, resubmit).status_code == 302
    assert CompetenceTarget.objects.get(competence=competence, user=kam).level == 3


def test_target_put_stale_answers_412_and_409(conflicts, client, head, admin_user):
    competence = CompetenceFactory()
    body = {"competence_id": competence.pk, "role": "kam", "level": 4}
    first = conflicts.api_call(client, head, "put", "/organisation/targets", {**body, "version": 0})
    assert (first.status_code, first.json()["version"], first["ETag"]) == (200, 1, 'W/"1"')
    services.target_set(actor=admin_user, competence=competence, level=2, role="kam")
    assert conflicts.api_call(client, head, "put", "/organisation/targets", body, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "put", "/organisation/targets", {**body, "version": 1})
    assert (stale.status_code, stale.json()["level"], stale.json()["version"]) == (409, 2, 2)
    # a target created meanwhile conflicts with a client that saw none (version 0)
    created = conflicts.api_call(client, head, "put", "/organisation/targets", {**body, "version": 0})
    assert created.status_code == 409
    assert CompetenceTarget.objects.get(competence=competence, role="kam").level == 2
    listed = conflicts.api_call(client, head, "get", "/organisation/targets").json()["items"]
    assert [t["version"] for t in listed if t["competence_id"] == competence.pk] == [2]


def test_stale_threshold_form_and_settings_put_answer_conflicts(conflicts, client, head, admin_user):
    services.structure_settings_update(actor=admin_user, max_accounts_per_kam=6)
    client.force_login(head)
    url = reverse("organisation-workload")
    mine = conflicts.loaded_form(client, url, max_accounts_per_kam="9")
    services.structure_settings_update(actor=admin_user, max_accounts_per_kam=4)
    conflicts.assert_conflict_page(client.post(url, mine), "9", "4")
    assert StructureSettings.objects.get().max_accounts_per_kam == 4
    got = conflicts.api_call(client, head, "get", "/organisation/settings")
    assert (got["ETag"], got.json()["version"]) == ('W/"2"', 2)
    body = {"max_accounts_per_kam": 7}
    assert conflicts.api_call(client, head, "put", "/organisation/settings", body, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "put", "/organisation/settings", {**body, "version": 1})
    assert (stale.status_code, stale.json()["max_accounts_per_kam"]) == (409, 4)
    fresh = conflicts.api_call(client, head, "put", "/organisation/settings", {**body, "version": 2})
    assert (fresh.status_code, fresh.json()["version"], fresh["ETag"]) == (200, 3, 'W/"3"')


def test_stale_raci_cell_answers_409_with_both_codes_and_the_saved_cell(client, head, admin_user):
    # given a head of KAM who loaded the function diagram with an empty cell
    activity, role = ActivityFactory(name_en="Plan the account"), RoleFactory(name_en="Sales")
    client.force_login(head)
    page = client.get(reverse("organisation-raci")).content.decode()
    assert f'name="version-{activity.pk}-{role.pk}"' in page
    # and an administrator who set that cell to A in the meantime
    services.raci_set(actor=admin_user, activity=activity, role=role, code="A")
    # when the head sets it to R (HTMX, with the version the page showed)
    url = reverse("organisation-raci-cell", args=[activity.pk, role.pk])
    response = client.post(url, {"code": "R", f"version-{activity.pk}-{role.pk}": "0"}, headers={"HX-Request": "true"})
    # then nothing is written; both codes are named and the cell shows the saved code with its version
    assert (response.status_code, response["Kampass-Conflict"]) == (409, "1")
    body = response.content.decode()
    assert "Your entry: R; saved now: A" in body
    assert str(admin_user) in body
    assert f'id="version-{activity.pk}-{role.pk}" value="1"' in body
    assert RaciAssignment.objects.get(activity=activity, role=role).code == "A"
    # and choosing again (based on the saved version) replaces it
    again = client.post(url, {"code": "R", f"version-{activity.pk}-{role.pk}": "1"}, headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert f'id="version-{activity.pk}-{role.pk}" value="2"' in again.content.decode()
    assert RaciAssignment.objects.get(activity=activity, role=role).code == "R"


def test_stale_raci_page_post_writes_nothing_and_names_the_cell(client, head, admin_user):
    activity, role = ActivityFactory(name_en="Plan the account"), RoleFactory(name_en="Sales")
    other = RoleFactory(name_en="Service")
    services.raci_set(actor=admin_user, activity=activity, role=role, code="C")
    services.raci_set(actor=admin_user, activity=activity, role=role, code="A")
    client.force_login(head)
    post = {f"cell-{activity.pk}-{role.pk}": "R", f"version-{activity.pk}-{role.pk}": "1"}
    post |= {f"cell-{activity.pk}-{other.pk}": "I", f"version-{activity.pk}-{other.pk}": "0"}
    body = client.post(reverse("organisation-raci"), post, follow=True).content.decode()
    assert "Your entry: R; saved now: A" in body
    assert RaciAssignment.objects.get(activity=activity, role=role).code == "A"
    assert not RaciAssignment.objects.filter(activity=activity, role=other).exists()  # all or nothing


def test_raci_put_stale_answers_412_and_409(conflicts, client, head, admin_user):
    activity, role = ActivityFactory(), RoleFactory()
    path = f"/organisation/raci/{activity.pk}/{role.pk}"
    first = conflicts.api_call(client, head, "put", path, {"code": "R", "version": 0})
    assert (first.status_code, first.json()["cell"]["version"], first["ETag"]) == (200, 1, 'W/"1"')
    services.raci_set(actor=admin_user, activity=activity, role=role, code="A")
    assert conflicts.api_call(client, head, "put", path, {"code": "C"}, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, head, "put", path, {"code": "C", "version": 1})
    assert (stale.status_code, stale.json()["cell"]["code"]) == (409, "A")
    assert RaciAssignment.objects.get(activity=activity, role=role).code == "A"
    cells = conflicts.api_call(client, head, "get", "/organisation/raci").json()["cells"]
    assert {(c["activity_id"], c["role_id"]): c["version"] for c in cells}[(activity.pk, role.pk)] == 2


def _conflict_rows(body: str) -> list[tuple[str, str, str]]:
    """(label, mine, saved) of every row of the conflict table in ``body``."""
    import re
    from html import unescape

    pattern = re.compile(
        r'<tr[^>]*><th scope="row">(.*?)(?: <span class="tag">.*?</span>)?</th>'
        r'<td data-testid="mine">(.*?)</td><td data-testid="saved">(.*?)</td></tr>'
    )
    return [(unescape(a), unescape(b), unescape(c)) for a, b, c in pattern.findall(body)]


def _resubmit_fields(body: str) -> dict[str, str]:
    """The hidden fields of the conflict page's "save my entry anyway" form."""
    import re

    form = body[body.index('data-testid="conflict-form"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.split("</form>")[0]))
