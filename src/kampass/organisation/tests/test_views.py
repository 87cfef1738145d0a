"""Pages of the organisation context: what each role sees and may do, the HTMX cell edit, forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.organisation.models import CompetenceRating, CompetenceTarget, DevelopmentAction, RaciAssignment
from kampass.organisation.tests.factories import ActionFactory
from kampass.organisation.tests.scenario import build

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(kam, kam2, head):
    return build(kam=kam, kam2=kam2, head=head)


@pytest.mark.parametrize(
    "name",
    [
        "organisation-overview",
        "organisation-raci",
        "organisation-workload",
        "organisation-people",
        "organisation-actions",
        "organisation-activities",
        "organisation-roles",
        "organisation-competences",
    ],
)
def test_every_role_reads_the_shared_pages(client, world, viewer, name):
    client.force_login(viewer)
    assert client.get(reverse(name)).status_code == 200


def test_pages_need_a_login(client, db):
    response = client.get(reverse("organisation-raci"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_overview_shows_the_signals(client, world):
    client.force_login(world.kam)
    html = client.get(reverse("organisation-overview")).content.decode()
    assert 'data-testid="tile-raci-conflicts"' in html
    assert "Activity Y" in html
    assert "several Accountable" in html


def test_the_raci_grid_is_editable_for_managers_only(client, world, viewer):
    client.force_login(world.head)
    html = client.get(reverse("organisation-raci")).content.decode()
    assert 'data-testid="cell-y-q"' in html
    assert '<select name="cell-' in html
    client.force_login(viewer)
    html = client.get(reverse("organisation-raci")).content.decode()
    # the header's view-currency switch is a select too; the grid has none for a viewer
    assert '<select name="cell-' not in html
    assert 'data-testid="check-y"' in html


def test_editing_a_cell_with_htmx_returns_the_new_flag_and_count(client, world):
    y, q = world.activities["Y"], world.roles["Q"]
    client.force_login(world.head)
    # when
    response = client.post(reverse("organisation-raci-cell", args=[y.pk, q.pk]), {f"cell-{y.pk}-{q.pk}": "R"}, **HTMX)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="check-{y.pk}"' in html
    assert "✓" in html
    assert 'hx-swap-oob="true">1<' in html
    assert RaciAssignment.objects.get(activity=y, role=q).code == "R"


def test_a_kam_cannot_edit_a_cell(client, world):
    y, q = world.activities["Y"], world.roles["Q"]
    client.force_login(world.kam)
    response = client.post(reverse("organisation-raci-cell", args=[y.pk, q.pk]), {"code": "R"}, **HTMX)
    assert response.status_code == 403
    assert RaciAssignment.objects.get(activity=y, role=q).code == "A"


def test_a_bad_code_is_refused_with_a_message(client, world):
    y, q = world.activities["Y"], world.roles["Q"]
    client.force_login(world.head)
    response = client.post(reverse("organisation-raci-cell", args=[y.pk, q.pk]), {"code": "Q"}, **HTMX)
    assert response.status_code == 422
    assert "not a RACI code" in response.content.decode()


def test_the_whole_grid_posts_without_javascript(client, world):
    x, y, p, q = world.activities["X"], world.activities["Y"], world.roles["P"], world.roles["Q"]
    client.force_login(world.head)
    response = client.post(
        reverse("organisation-raci"),
        {f"cell-{y.pk}-{q.pk}": "C", f"cell-{x.pk}-{p.pk}": "AR", f"cell-{x.pk}-{q.pk}": ""},
    )
    assert response.status_code == 302
    codes = dict(RaciAssignment.objects.values_list("activity__key", "code").filter(role=q))
    assert codes == {"y": "C"}
    assert RaciAssignment.objects.get(activity=x, role=p).code == "AR"


def test_workload_page_flags_and_threshold_form(client, world, kam):
    client.force_login(world.head)
    response = client.post(reverse("organisation-workload"), {"max_accounts_per_kam": "2"})
    assert response.status_code == 302
    html = client.get(reverse("organisation-workload")).content.decode()
    assert "more than 2" in html
    assert "A1" in html
    bad = client.post(reverse("organisation-workload"), {"max_accounts_per_kam": "0"})
    assert bad.status_code == 422
    client.force_login(kam)
    assert client.post(reverse("organisation-workload"), {"max_accounts_per_kam": "9"}).status_code == 403


def test_profile_pages_and_denials(client, world, controller):
    url = reverse("organisation-profile", args=[world.kam.pk])
    client.force_login(world.head)
    html = client.get(url).content.decode()
    assert 'data-testid="profile-chart"' in html
    client.force_login(world.kam)
    assert client.get(url).status_code == 200
    assert client.get(reverse("organisation-profile", args=[world.kam2.pk])).status_code == 403
    client.force_login(controller)
    assert client.get(url).status_code == 403


def test_head_rates_a_profile_in_one_form(client, world):
    c1, c2 = world.competences["C1"], world.competences["C2"]
    client.force_login(world.head)
    url = reverse("organisation-profile-edit", args=[world.kam.pk])
    assert client.get(url).status_code == 200
    data = {f"level_{c1.pk}": "3", f"target_{c1.pk}": "5", f"note_{c1.pk}": "better", f"level_{c2.pk}": "4"}
    data.update({f"target_{c2.pk}": "", f"note_{c2.pk}": ""})
    response = client.post(url, data)
    assert response.status_code == 302
    rating = CompetenceRating.objects.get(user=world.kam, competence=c1)
    assert (rating.level, rating.note) == (3, "better")
    assert CompetenceTarget.objects.get(user=world.kam, competence=c1).level == 5


def test_kam_self_assesses_only(client, world):
    c1 = world.competences["C1"]
    client.force_login(world.kam)
    url = reverse("organisation-profile-edit", args=[world.kam.pk])
    html = client.get(url).content.decode()
    assert f'name="self_{c1.pk}"' in html
    assert f'name="level_{c1.pk}"' not in html
    response = client.post(url, {f"self_{c1.pk}": "5", f"level_{c1.pk}": "5"})
    assert response.status_code == 302
    rating = CompetenceRating.objects.get(user=world.kam, competence=c1)
    assert (rating.level, rating.self_level) == (2, 5)
    assert client.get(reverse("organisation-profile-edit", args=[world.kam2.pk])).status_code == 403


def test_role_targets_form(client, world):
    c1 = world.competences["C1"]
    client.force_login(world.head)
    response = client.post(reverse("organisation-targets"), {f"kam_{c1.pk}": "5", f"head_{c1.pk}": "4"})
    assert response.status_code == 302
    assert CompetenceTarget.objects.get(role="kam", competence=c1).level == 5
    assert CompetenceTarget.objects.get(role="head", competence=c1).level == 4
    client.force_login(world.kam)
    assert client.get(reverse("organisation-targets")).status_code == 403


def test_action_list_filters_blocked(client, world):
    client.force_login(world.head)
    html = client.get(reverse("organisation-actions"), {"blocked": "1"}).content.decode()
    assert "2 actions" in html
    fragment = client.get(reverse("organisation-actions"), {"blocked": "0", "open": "1"}, **HTMX).content.decode()
    assert "<html" not in fragment
    assert "3 actions" in fragment


def test_kam_adds_an_own_action_and_cannot_pick_another_person(client, world):
    client.force_login(world.kam)
    response = client.post(
        reverse("organisation-action-create"),
        {"person": world.kam2.pk, "title": "Shadow a senior KAM", "status": "planned", "blocked": "on"},
    )
    assert response.status_code == 422
    assert "Say what blocks the action" in response.content.decode()
    response = client.post(
        reverse("organisation-action-create"),
        {"person": world.kam2.pk, "title": "Shadow a senior KAM", "status": "planned"},
    )
    assert response.status_code == 302
    assert DevelopmentAction.objects.get(title="Shadow a senior KAM").person == world.kam


def test_action_edit_and_delete_denials(client, world, kam2):
    foreign = ActionFactory(person=kam2)
    client.force_login(world.kam)
    assert client.get(reverse("organisation-action-edit", args=[foreign.pk])).status_code == 403
    assert client.post(reverse("organisation-action-delete", args=[foreign.pk])).status_code == 403
    client.force_login(kam2)
    assert client.post(reverse("organisation-action-delete", args=[foreign.pk])).status_code == 302
    assert not DevelopmentAction.objects.filter(pk=foreign.pk).exists()


def test_catalogue_pages_for_managers(client, world, kam):
    client.force_login(world.head)
    response = client.post(
        reverse("organisation-activity-create"), {"name_en": "Key account day", "order": "5", "active": "on"}
    )
    assert response.status_code == 302
    html = client.get(reverse("organisation-activities"), {"q": "key account day"}).content.decode()
    assert "key-account-day" in html
    dup = client.post(reverse("organisation-activity-create"), {"name_en": "Key account day", "order": "5"})
    assert dup.status_code == 422
    assert "exists already" in dup.content.decode()
    client.force_login(kam)
    assert client.get(reverse("organisation-activity-create")).status_code == 403
    assert client.get(reverse("organisation-activities")).status_code == 200


def test_deleting_a_rated_competence_shows_why_not(client, world):
    c1 = world.competences["C1"]
    client.force_login(world.head)
    response = client.post(reverse("organisation-competence-delete", args=[c1.pk]))
    assert response.status_code == 422
    assert "deactivate" in response.content.decode()


def test_pages_speak_german(client, world):
    world.head.language = "de"
    world.head.save()
    client.force_login(world.head)
    html = client.get(reverse("organisation-raci")).content.decode()
    assert "Funktionendiagramm (RACI)" in html
    assert "mehrere Gesamtverantwortliche (A)" in html
