"""Pages of the roadmap context: rendering, charts, forms, HTMX fragments, the topic limit and denials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.roadmap.models import GuardrailMeasurement, Initiative, Topic
from kampass.roadmap.tests.factories import InitiativeFactory, MeasurementFactory, TopicFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def warned(kam):
    i = InitiativeFactory(title="Leakage watch", owner=kam)
    MeasurementFactory(initiative=i, value=0.06, measured_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    MeasurementFactory(initiative=i, value=0.095, warning=True, measured_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    return i


def test_login_required(client, db):
    assert client.get(reverse("roadmap")).status_code == 302
    assert client.get(reverse("topics")).status_code == 302


def test_roadmap_page_shows_timeline_warning_and_guardrail_chart(client, viewer, warned):
    client.force_login(viewer)
    response = client.get(reverse("roadmap"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="timeline-chart"' in body
    assert 'data-testid="guardrail-warnings"' in body
    assert "Leakage watch" in body
    assert "9.5%" in body
    spec = response.context["timeline_spec"]
    assert spec["layer"][0]["mark"]["type"] == "bar"
    [card] = response.context["guardrails"]
    rule = card["spec"]["layer"][0]
    assert rule["mark"]["type"] == "rule"
    assert rule["data"]["values"][0]["threshold"] == 0.08
    # readers get no buttons
    assert 'data-testid="new-initiative"' not in body
    assert 'data-testid="measure-guardrails"' not in body


def test_roadmap_empty_state(client, head):
    client.force_login(head)
    body = client.get(reverse("roadmap")).content.decode()
    assert 'data-testid="timeline-empty"' in body
    assert 'data-testid="new-initiative"' in body


def test_roadmap_filter_fragment(client, head, warned):
    # another metric than the warned initiative's (a guardrail value belongs to the metric)
    InitiativeFactory(
        title="Tools rollout",
        logic="tools",
        guardrail_key="findings_with_action_share",
        guardrail_threshold=0.0,
        guardrail_direction="min",
    )
    client.force_login(head)
    response = client.get(reverse("roadmap"), {"logic": "tools"}, headers=HX)
    body = response.content.decode()
    assert "<html" not in body
    assert "Tools rollout" in body
    assert "Leakage watch" not in body
    response = client.get(reverse("roadmap"), {"warning": "1", "sort": "title", "dir": "desc"}, headers=HX)
    assert "Leakage watch" in response.content.decode()
    assert "Tools rollout" not in response.content.decode()


def test_create_initiative_form(client, head, key_account):
    client.force_login(head)
    assert client.get(reverse("roadmap-initiative-create")).status_code == 200
    response = client.post(
        reverse("roadmap-initiative-create"),
        {
            "logic": "commercialisation",
            "title": "",
            "status": "planned",
            "starts": "2026-03-01",
            "ends": "2026-09-30",
            "accounts": [key_account.pk],
            "guardrail_key": "",
            "guardrail_threshold": "",
            "guardrail_direction": "",
        },
    )
    assert response.status_code == 302
    i = Initiative.objects.get()
    assert (i.title, i.guardrail_key, i.guardrail_threshold) == ("Commercialisation", "leakage_share", 0.08)
    assert list(i.accounts.all()) == [key_account]


def test_create_initiative_shows_validation_errors(client, head):
    client.force_login(head)
    response = client.post(
        reverse("roadmap-initiative-create"),
        {
            "logic": "commercialisation",
            "status": "planned",
            "starts": "2026-03-01",
            "ends": "2026-02-01",
            "guardrail_threshold": "3",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The end must lie after the start." in body
    assert not Initiative.objects.exists()
    response = client.post(
        reverse("roadmap-initiative-create"),
        {"logic": "commercialisation", "status": "planned", "guardrail_threshold": "3"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "between 0 and 1" in response.content.decode()


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_create_initiative_denied(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("roadmap-initiative-create")).status_code == 403
    assert client.post(reverse("roadmap-initiative-create"), {"logic": "tools", "status": "planned"}).status_code == 403


def test_initiative_detail(client, viewer, warned):
    client.force_login(viewer)
    response = client.get(reverse("roadmap-initiative", args=[warned.pk]))
    body = response.content.decode()
    assert 'data-testid="initiative-warning"' in body
    assert 'data-testid="guardrail-chart"' in body
    assert 'data-testid="measurement-table"' in body
    assert 'data-testid="edit-initiative"' not in body


def test_owner_kam_edits_restricted_fields_only(client, kam, warned):
    client.force_login(kam)
    response = client.get(reverse("roadmap-initiative-edit", args=[warned.pk]))
    assert response.status_code == 200
    assert response.context["form"].fields["guardrail_threshold"].disabled
    response = client.post(
        reverse("roadmap-initiative-edit", args=[warned.pk]),
        {
            "title": "Leakage watch 2",
            "status": "active",
            "starts": "2026-01-01",
            "ends": "2026-12-31",
            "guardrail_threshold": "0.5",
            "logic": "tools",
        },
    )
    assert response.status_code == 302
    warned.refresh_from_db()
    assert (warned.title, warned.guardrail_threshold, warned.logic) == ("Leakage watch 2", 0.08, "commercialisation")


def test_other_kam_cannot_edit(client, kam2, warned):
    client.force_login(kam2)
    assert client.get(reverse("roadmap-initiative-edit", args=[warned.pk])).status_code == 403
    assert client.post(reverse("roadmap-initiative-status", args=[warned.pk]), {"status": "done"}).status_code == 403


def test_status_change_and_delete(client, head, warned):
    client.force_login(head)
    response = client.post(reverse("roadmap-initiative-status", args=[warned.pk]), {"status": "done"})
    assert response.status_code == 302
    warned.refresh_from_db()
    assert warned.status == "done"
    assert client.get(reverse("roadmap-initiative-delete", args=[warned.pk])).status_code == 200
    client.post(reverse("roadmap-initiative-delete", args=[warned.pk]))
    assert not Initiative.objects.exists()


def test_measure_button(client, head, viewer, warned, monkeypatch):
    from kampass.programme import facade as programme_facade

    monkeypatch.setattr(programme_facade, "current_signals", lambda keys=None: {"leakage_share": 0.07})
    client.force_login(viewer)
    assert client.post(reverse("roadmap-measure")).status_code == 403
    client.force_login(head)
    assert client.post(reverse("roadmap-measure")).status_code == 302
    assert GuardrailMeasurement.objects.filter(initiative=warned).count() == 3
    # the latest reading is within the guardrail now: no more warning
    body = client.get(reverse("roadmap")).content.decode()
    assert 'data-testid="guardrail-warnings"' not in body


def test_measurement_by_hand(client, head, warned):
    client.force_login(head)
    client.post(reverse("roadmap-measurement-add", args=[warned.pk]), {"value": "0.05", "note": "x"})
    assert warned.measurements.order_by("-measured_at").first().value == 0.05
    client.post(reverse("roadmap-measurement-add", args=[warned.pk]), {"value": "7"})
    assert warned.measurements.count() == 3


# ---------------------------------------------------------------- topics


def test_topics_page_with_matrix_and_stats(client, viewer):
    TopicFactory(title="Quick one", impact=5, effort=1, status="active")
    TopicFactory(title="Done one", status="done")
    client.force_login(viewer)
    response = client.get(reverse("topics"))
    body = response.content.decode()
    assert 'data-testid="topic-matrix"' in body
    assert "Quick one" in body
    assert "50.0%" in body  # completion 1 / (1 + 0 + 1)
    assert 'data-testid="new-topic"' not in body
    assert 'data-testid="seed-topics"' not in body
    spec = response.context["matrix_spec"]
    points = spec["layer"][-1]["data"]["values"]
    assert {p["title"] for p in points} == {"Quick one", "Done one"}


def test_topics_empty_state_and_seed(client, head):
    client.force_login(head)
    assert "No topics match these filters." in client.get(reverse("topics")).content.decode()
    response = client.post(reverse("topics-seed"), headers=HX)
    assert "taken over from the catalogue" in response.content.decode()
    assert Topic.objects.count() > 20


def test_kam_proposes_a_topic(client, kam):
    client.force_login(kam)
    body = client.get(reverse("topics")).content.decode()
    assert "Propose a topic" in body
    response = client.post(
        reverse("topic-create"), {"field": "solutions", "title": "Pilot", "impact": 4, "effort": 2, "owner": kam.pk}
    )
    assert response.status_code == 302
    t = Topic.objects.get()
    assert (t.status, t.owner) == ("proposed", kam)
    assert client.post(reverse("topic-status", args=[t.pk]), {"status": "active"}).status_code == 403


def test_topic_form_validation(client, head):
    client.force_login(head)
    response = client.post(
        reverse("topic-create"),
        {"field": "solutions", "title": "", "impact": 9, "effort": 2, "partner_contact": "Dr. K"},
    )
    assert response.status_code == 422
    assert not Topic.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "impact", "partner_contact"}


def test_rating_moves_the_topic_in_the_matrix(client, head):
    t = TopicFactory(title="Mover", impact=2, effort=4)
    client.force_login(head)
    response = client.post(reverse("topic-rating", args=[t.pk]), {"impact": 5, "effort": 1}, headers=HX)
    body = response.content.decode()
    assert "<html" not in body
    assert "re-rated" in body
    t.refresh_from_db()
    assert (t.impact, t.effort, t.quadrant) == (5, 1, "quick_win")


def test_rating_answers_htmx_out_of_band_and_leaves_the_form_in_the_page(client, head):
    # given a topic on the page at version 1
    t = TopicFactory(title="Mover", impact=2, effort=4)
    client.force_login(head)
    page = client.get(reverse("topics")).content.decode()
    assert f'name="version" value="1" id="topic-version-{t.pk}"' in page
    assert f'name="version" value="1" id="topic-status-version-{t.pk}"' in page
    # when it is re-rated through HTMX
    response = client.post(reverse("topic-rating", args=[t.pk]), {"impact": 5, "effort": 1, "version": 1}, headers=HX)
    # then the reply swaps nothing in place of the list (the row's form stays, so a change queued meanwhile
    # is sent next) and brings, out of band, the new version for the row's forms, its quadrant, the
    # matrix and the notice
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    body = response.content.decode()
    assert 'data-testid="topic-table"' not in body
    assert f'impact-{t.pk}"' not in body
    assert f'effort-{t.pk}"' not in body
    assert f'name="version" value="2" id="topic-version-{t.pk}" hx-swap-oob="true"' in body
    assert f'name="version" value="2" id="topic-status-version-{t.pk}" hx-swap-oob="true"' in body
    assert f'<span class="q q-quick_win" id="topic-quadrant-{t.pk}" hx-swap-oob="true">Quick win</span>' in body
    assert '<div id="topic-matrix-area" hx-swap-oob="true">' in body
    assert 'id="matrix-spec"' in body
    assert '<div id="topics-messages" hx-swap-oob="true">' in body
    assert "“Mover” re-rated." in body
    assert response.context["matrix_spec"] is not None
    t.refresh_from_db()
    assert (t.impact, t.effort, t.version) == (5, 1, 2)
    # and a second rating based on the version the reply brought is saved too
    again = client.post(reverse("topic-rating", args=[t.pk]), {"impact": 5, "effort": 2, "version": 2}, headers=HX)
    assert again.status_code == 200
    assert f'name="version" value="3" id="topic-version-{t.pk}"' in again.content.decode()


def test_rating_reply_leaves_out_the_status_form_a_proposer_does_not_have(client, kam):
    t = TopicFactory(title="Mine", impact=2, effort=4, created_by=kam)
    client.force_login(kam)
    assert f'id="topic-status-version-{t.pk}"' not in client.get(reverse("topics")).content.decode()
    response = client.post(reverse("topic-rating", args=[t.pk]), {"impact": 4, "effort": 4, "version": 1}, headers=HX)
    body = response.content.decode()
    assert f'id="topic-version-{t.pk}"' in body
    assert f'id="topic-status-version-{t.pk}"' not in body
    assert ">Major project</span>" in body


def test_rating_without_htmx_redirects_to_the_list_with_its_filters(client, head):
    t = TopicFactory(title="Mover", impact=2, effort=4)
    client.force_login(head)
    url = reverse("topic-rating", args=[t.pk]) + "?field=screening"
    response = client.post(url, {"impact": 5, "effort": 1, "version": 1})
    assert response.status_code == 302
    assert response["Location"] == reverse("topics") + "?field=screening"
    page = client.get(response["Location"]).content.decode()
    assert "“Mover” re-rated." in page
    assert f'name="version" value="2" id="topic-version-{t.pk}"' in page
    t.refresh_from_db()
    assert (t.impact, t.effort) == (5, 1)


def test_invalid_rating_is_refused(client, head):
    t = TopicFactory(impact=2, effort=4)
    client.force_login(head)
    url = reverse("topic-rating", args=[t.pk])
    # the page: 422 with the message
    page = client.post(url, {"impact": 9, "effort": 1})
    assert page.status_code == 422
    assert 'data-testid="topics-error"' in page.content.decode()
    # HTMX: the list anew with the message, swapped into the form's target as before (no out-of-band reply)
    fragment = client.post(url, {"impact": 9, "effort": 1}, headers=HX)
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'data-testid="topics-error"' in body
    assert "Rate impact and effort from 1 to 5." in body
    assert 'data-testid="topic-table"' in body
    assert "HX-Reswap" not in fragment
    t.refresh_from_db()
    assert (t.impact, t.effort) == (2, 4)


def test_activation_beyond_the_limit_is_refused_then_forced(client, head):
    client.force_login(head)
    client.post(reverse("topic-limit"), {"topic_limit": 1})
    TopicFactory(status="active")
    t = TopicFactory(title="One too many")
    # refused: the fragment offers to activate anyway
    response = client.post(reverse("topic-status", args=[t.pk]), {"status": "active"}, headers=HX)
    body = response.content.decode()
    assert 'data-testid="limit-refusal"' in body
    assert 'data-testid="force-activate"' in body
    t.refresh_from_db()
    assert t.status == "proposed"
    # full page (no HTMX): 409 with the same offer
    assert client.post(reverse("topic-status", args=[t.pk]), {"status": "active"}).status_code == 409
    # forced
    response = client.post(reverse("topic-status", args=[t.pk]), {"status": "active", "force": "on"}, headers=HX)
    body = response.content.decode()
    assert 'data-testid="topic-limit-warning"' in body
    t.refresh_from_db()
    assert t.status == "active"
    # the roadmap page warns too
    assert 'data-testid="topic-limit-warning"' in client.get(reverse("roadmap")).content.decode()


@pytest.mark.parametrize("role", ["kam", "controller", "viewer"])
def test_topic_management_denied(db, client, request, role):
    t = TopicFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("topic-limit"), {"topic_limit": 2}).status_code == 403
    assert client.post(reverse("topics-seed")).status_code == 403
    assert client.post(reverse("topic-status", args=[t.pk]), {"status": "active"}).status_code == 403
    assert client.post(reverse("topic-rating", args=[t.pk]), {"impact": 1, "effort": 1}).status_code == 403
    assert client.get(reverse("topic-delete", args=[t.pk])).status_code == 403


def test_topic_edit_and_delete(client, head):
    t = TopicFactory(title="Old")
    client.force_login(head)
    response = client.post(
        reverse("topic-edit", args=[t.pk]), {"field": "skills", "title": "New", "impact": 2, "effort": 2}
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.title, t.field) == ("New", "skills")
    client.post(reverse("topic-delete", args=[t.pk]))
    assert not Topic.objects.exists()


def test_german_pages(client, head, warned):
    TopicFactory(status="active")
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("roadmap"), headers={"Accept-Language": "de"}).content.decode()
    assert "Zeitplan" in body
    body = client.get(reverse("topics"), headers={"Accept-Language": "de"}).content.decode()
    assert "Verbesserungsthemen" in body


def test_seeding_the_one_missing_topic_says_one_topic(client, head):
    # given: the catalogue's topics are on the list but one
    client.force_login(head)
    client.post(reverse("topics-seed"), headers=HX)
    Topic.objects.order_by("-pk")[0].delete()

    # when
    response = client.post(reverse("topics-seed"), headers=HX)

    # then
    assert "1 topic taken over from the catalogue." in response.content.decode()


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "https://evil.example/programme/", "/\\evil.example"]
)
def test_status_change_never_redirects_off_site(client, head, warned, target):
    # given a status form whose hidden next field was changed to point to another site
    client.force_login(head)
    # when it is sent
    response = client.post(reverse("roadmap-initiative-status", args=[warned.pk]), {"status": "done", "next": target})
    # then the status is changed and the browser stays on this site (the initiative's page)
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap-initiative", args=[warned.pk])
    warned.refresh_from_db()
    assert warned.status == "done"


def test_status_change_redirects_to_a_next_page_on_this_site(client, head, warned):
    client.force_login(head)
    response = client.post(
        reverse("roadmap-initiative-status", args=[warned.pk]),
        {"status": "done", "next": "/programme/roadmap/?logic=tools"},
    )
    assert response["Location"] == "/programme/roadmap/?logic=tools"
