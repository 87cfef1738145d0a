"""Programme pages: dashboard (empty and filled), questionnaire autosave fragments, submission,
invitation links, rounds, results, phase and recommendations, PDF report jobs, and the denials."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.urls import reverse

from kampass.programme import services
from kampass.programme.models import Answer, AssessmentRound, Function, PhaseDecision, ReportJob, RoundStatus
from kampass.programme.tests.conftest import closed_round, fill, open_round_with

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def kam_round(head, kam, kam2):
    return open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM), (None, Function.SALES)])


def test_dashboard_empty_state(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("programme-dashboard"))
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()


def test_dashboard_with_a_closed_round_shows_phase_heatmap_and_profile(client, head, catalogue):
    closed_round(head, catalogue)
    client.force_login(head)
    html = client.get(reverse("programme-dashboard")).content.decode()
    assert 'data-testid="heatmap"' in html
    assert 'data-testid="phase-name"' in html
    assert 'id="tension-spec"' in html
    assert 'data-testid="pdf-de"' in html


def test_dashboard_hides_the_figures_of_a_round_below_its_minimum_of_respondents(client, head, catalogue):
    # given a closed round with two submitted questionnaires and a minimum of three
    round_ = closed_round(head, catalogue, respondents=2)
    round_.min_group_respondents = 3
    round_.save(update_fields=["min_group_respondents"])
    client.force_login(head)
    # when
    html = client.get(reverse("programme-dashboard")).content.decode()
    # then neither the maturity heatmap nor the tension profile is shown, and the page says why
    assert 'data-testid="heatmap"' not in html
    assert 'id="tension-spec"' not in html
    assert 'data-testid="results-hidden"' in html
    assert "3 respondents" in html


def test_dashboard_lists_my_open_questionnaire(client, kam, kam_round):
    client.force_login(kam)
    html = client.get(reverse("programme-dashboard")).content.decode()
    resp = kam_round.respondents.get(user=kam)
    assert reverse("programme-questionnaire", args=[resp.pk]) in html


def test_questionnaire_page_in_german(client, kam, kam_round, catalogue):
    kam.language = "de"
    kam.save()
    client.force_login(kam)
    resp = kam_round.respondents.get(user=kam)
    html = client.get(reverse("programme-questionnaire", args=[resp.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert catalogue.statements[0].text.de in html
    assert "Weiß nicht" in html


def test_autosave_returns_the_card_and_the_progress(client, kam, kam_round, catalogue):
    client.force_login(kam)
    resp = kam_round.respondents.get(user=kam)
    key = catalogue.statements[0].key
    # when
    response = client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": "4"}, **HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="s-{key}"' in html
    assert 'data-testid="saved"' in html
    assert 'hx-swap-oob="true"' in html
    assert f"1/{len(catalogue.statements)}" in html
    assert Answer.objects.get(respondent=resp, statement=key).rating == 4
    # "don't know" and clearing
    client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": "dk"}, **HTMX)
    assert Answer.objects.get(respondent=resp, statement=key).rating is None
    client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": ""}, **HTMX)
    assert not Answer.objects.filter(respondent=resp).exists()


def test_invalid_rating_is_refused_with_a_message(client, kam, kam_round, catalogue):
    client.force_login(kam)
    resp = kam_round.respondents.get(user=kam)
    key = catalogue.statements[0].key
    fragment = client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": "9"}, **HTMX)
    assert "A rating must be a whole number from 1 to 5" in fragment.content.decode()
    page = client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": "9"})
    assert page.status_code == 422
    assert not Answer.objects.exists()


def test_placement_autosave(client, kam, kam_round, catalogue):
    client.force_login(kam)
    resp = kam_round.respondents.get(user=kam)
    key = catalogue.tension_fields[0].key
    response = client.post(
        reverse("programme-placement", args=[resp.pk]), {"tension_field": key, "current": "-2", "target": ""}, **HTMX
    )
    assert response.status_code == 200
    p = resp.placements.get()
    assert (p.current, p.target) == (-2, None)
    bad = client.post(reverse("programme-placement", args=[resp.pk]), {"tension_field": key, "current": "5"})
    assert bad.status_code == 422


def test_nobody_opens_someone_elses_questionnaire(client, kam, kam2, viewer, kam_round, catalogue):
    resp = kam_round.respondents.get(user=kam)
    for intruder in (kam2, viewer):
        client.force_login(intruder)
        assert client.get(reverse("programme-questionnaire", args=[resp.pk])).status_code == 403
        post = client.post(
            reverse("programme-answer", args=[resp.pk]), {"statement": catalogue.statements[0].key, "rating": "3"}
        )
        assert post.status_code == 403
    assert not Answer.objects.exists()


def test_submit_incomplete_then_complete(client, kam, kam_round, catalogue):
    client.force_login(kam)
    resp = kam_round.respondents.get(user=kam)
    url = reverse("programme-submit", args=[resp.pk])
    refused = client.post(url)
    assert refused.status_code == 422
    assert "statements are not answered yet" in refused.content.decode()
    fill(resp, catalogue, random.Random(4))
    done = client.post(url)
    assert done.status_code == 302
    resp.refresh_from_db()
    assert resp.submitted


def test_external_respondent_answers_through_the_invitation_link(client, kam_round, catalogue):
    external = kam_round.respondents.get(user__isnull=True)
    base = reverse("programme-invitation", args=[external.token])
    assert client.get(base).status_code == 200  # no login
    response = client.post(base + "answer/", {"statement": catalogue.statements[0].key, "rating": "2"}, **HTMX)
    assert response.status_code == 200
    assert external.answers.get().rating == 2
    assert client.get(reverse("programme-invitation", args=["wrong-token"])).status_code == 404


def test_invitation_links_do_not_open_users_questionnaires(client, kam, kam_round):
    resp = kam_round.respondents.get(user=kam)
    assert client.get(reverse("programme-invitation", args=[resp.token])).status_code == 404


def test_head_creates_a_round_and_a_kam_may_not(client, head, kam):
    data = {"title": "Autumn", "starts": "2026-09-01", "min_respondents": "5", "min_group_respondents": "4"}
    client.force_login(kam)
    assert client.post(reverse("programme-rounds"), data).status_code == 403
    client.force_login(head)
    invalid = client.post(reverse("programme-rounds"), {"title": "", "starts": "x", "min_respondents": "0"})
    assert invalid.status_code == 422
    response = client.post(reverse("programme-rounds"), data)
    r = AssessmentRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programme-round", args=[r.pk])
    assert r.min_group_respondents == 4


def test_closing_with_too_few_shows_the_numbers(client, head, kam_round):
    client.force_login(head)
    response = client.post(reverse("programme-round-action", args=[kam_round.pk, "close"]))
    assert response.status_code == 422
    assert "0 of 3 invited respondents have submitted, but at least 2 are needed" in response.content.decode()
    kam_round.refresh_from_db()
    assert kam_round.status == RoundStatus.OPEN


def test_results_of_a_closed_round_for_readers_but_not_of_an_open_one(client, head, kam, viewer, catalogue, kam_round):
    r = closed_round(head, catalogue)
    client.force_login(viewer)
    html = client.get(reverse("programme-results", args=[r.pk])).content.decode()
    assert 'data-testid="heatmap"' in html
    assert 'data-testid="tension-table"' in html
    client.force_login(kam)
    assert client.get(reverse("programme-results", args=[kam_round.pk])).status_code == 403
    client.force_login(head)
    assert client.get(reverse("programme-results", args=[kam_round.pk])).status_code == 200


def test_phase_confirmation_in_the_ui_and_denied_to_a_viewer(client, head, viewer, catalogue):
    r = closed_round(head, catalogue)
    url = reverse("programme-recommendations") + f"?round={r.pk}"
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert 'data-testid="confirm-phase"' not in page
    assert client.post(url, {"form": "phase", "phase": "install", "note": "x"}).status_code == 403
    client.force_login(head)
    page = client.get(url).content.decode()
    assert 'data-testid="phase-proposal"' in page
    assert 'data-rule="' in page  # reasons keep their rule for tracing, out of sight
    # and show their inputs by name and value, never rule ids or input keys (accounts_with_team_share = 0.49)
    assert "<code>" not in page
    assert not re.search(r"\b[a-z]+(?:_[a-z]+)+ = ", page)
    response = client.post(url, {"form": "phase", "phase": "focus", "note": "Board decision"})
    assert response.status_code == 302
    assert PhaseDecision.objects.get().phase == "focus"


def test_pdf_report_runs_as_a_job(client, head, viewer, catalogue, django_capture_on_commit_callbacks):
    closed_round(head, catalogue)
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("programme-report-create"), {"lang": "en"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programme-report", args=[job.pk])
    assert len(callbacks) == 1
    assert 'hx-trigger="every 1s"' in client.get(response["Location"]).content.decode()
    # when the worker runs it
    services.report_job_run(str(job.pk))
    # then
    pdf = client.get(reverse("programme-report-download", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    client.force_login(viewer)
    assert client.get(reverse("programme-report-download", args=[job.pk])).status_code == 403


def test_accepting_recommendations_in_the_ui(client, head, kam, catalogue):
    r = closed_round(head, catalogue)
    url = reverse("programme-recommendations") + f"?round={r.pk}"
    client.force_login(head)
    page = client.get(url).content.decode()
    assert 'data-testid="accept"' in page
    from kampass.programme.selectors import programme_assessment

    pa = programme_assessment(assessment_round=r)
    assert pa is not None
    logic = pa.recommendations[0].logic
    client.force_login(kam)
    assert client.post(url, {"form": "accept", "logics": [logic]}).status_code == 403
    client.force_login(head)
    nothing = client.post(url, {"form": "accept"})
    assert nothing.status_code == 422
    response = client.post(url, {"form": "accept", "logics": [logic]})
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap")
    assert r.acceptances.get().logics == [logic]


@pytest.mark.parametrize(
    ("lang", "skipped_text", "none_text"),
    [
        ("en", "Not added, already on the roadmap:", "No new initiative"),
        ("de", "Nicht hinzugefügt, bereits auf der Roadmap:", "Keine neue Initiative"),
    ],
)
def test_accepting_a_logic_already_on_the_roadmap_says_so_and_adds_none(
    client, head, catalogue, lang, skipped_text, none_text
):
    # given: a closed round whose top logic the roadmap already pursues
    from kampass.programme.selectors import programme_assessment
    from kampass.roadmap.models import Initiative

    r = closed_round(head, catalogue)
    pa = programme_assessment(assessment_round=r)
    assert pa is not None
    logic = pa.recommendations[0].logic
    Initiative.objects.create(
        logic=logic, title="Under way", status="paused", guardrail_key="leakage_share", guardrail_threshold=0.08
    )
    head.language = lang
    head.save()
    client.force_login(head)
    url = reverse("programme-recommendations") + f"?round={r.pk}"
    # when
    response = client.post(url, {"form": "accept", "logics": [logic]}, follow=True, HTTP_ACCEPT_LANGUAGE=lang)
    # then
    html = response.content.decode()
    assert skipped_text in html
    assert "Under way" in html
    assert none_text in html
    assert Initiative.objects.filter(logic=logic).count() == 1


@pytest.mark.parametrize(("lang", "answer"), [("en", "Answer"), ("de", "Beantworten")])
def test_an_invited_kam_finds_the_open_round_in_the_list_on_its_page_and_on_the_dashboard(
    client, kam, kam_round, lang, answer
):
    # given
    kam.language = lang
    kam.save()
    client.force_login(kam)
    mine = kam_round.respondents.get(user=kam)
    questionnaire = reverse("programme-questionnaire", args=[mine.pk])
    # when / then: the round list shows the open round they are invited to
    listing = client.get(reverse("programme-rounds")).content.decode()
    assert kam_round.title in listing
    assert reverse("programme-round", args=[kam_round.pk]) in listing
    # the round page shows their own part only: their questionnaire, not the other respondents
    page = client.get(reverse("programme-round", args=[kam_round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="my-questionnaire"' in html
    assert questionnaire in html
    assert answer in html
    assert str(kam_round.respondents.get(user__isnull=True).display_name) not in html
    assert 'data-testid="invitation-link"' not in html
    # the dashboard offers the questionnaire
    dashboard = client.get(reverse("programme-dashboard")).content.decode()
    assert 'data-testid="my-invitations"' in dashboard
    assert questionnaire in dashboard


def test_a_round_someone_is_not_invited_to_stays_hidden(client, kam2, viewer, head):
    r = open_round_with(head, [(kam2, Function.KAM)])
    client.force_login(viewer)
    assert reverse("programme-round", args=[r.pk]) not in client.get(reverse("programme-rounds")).content.decode()
    assert client.get(reverse("programme-round", args=[r.pk])).status_code == 403


def test_the_head_cannot_answer_for_an_internal_user_in_the_ui(client, head, kam, kam_round, catalogue):
    # given
    resp = kam_round.respondents.get(user=kam)
    external = kam_round.respondents.get(user__isnull=True)
    client.force_login(head)
    # when / then: no "Enter answers" for the user, the questionnaire and every answer are refused
    page = client.get(reverse("programme-round", args=[kam_round.pk])).content.decode()
    assert reverse("programme-questionnaire", args=[resp.pk]) not in page
    assert reverse("programme-questionnaire", args=[external.pk]) in page  # externals stay allowed
    assert client.get(reverse("programme-questionnaire", args=[resp.pk])).status_code == 403
    key = catalogue.statements[0].key
    post = client.post(reverse("programme-answer", args=[resp.pk]), {"statement": key, "rating": "5"}, **HTMX)
    assert post.status_code == 403
    assert client.post(reverse("programme-submit", args=[resp.pk]), {"dont_know_rest": "1"}).status_code == 403
    assert not resp.answers.exists()


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "results hidden until 3 respondents in this group (privacy)"),
        ("de", "Ergebnisse verborgen, bis 3 Befragte dieser Gruppe geantwortet haben (Datenschutz)"),
    ],
)
def test_interim_results_hide_a_group_below_the_minimum(client, head, kam, kam_round, catalogue, lang, text):
    # given: one key account manager submitted in the open round (minimum per group: 3)
    resp = kam_round.respondents.get(user=kam)
    fill(resp, catalogue, random.Random(5))
    services.respondent_submit(actor=kam, respondent=resp)
    head.language = lang
    head.save()
    client.force_login(head)
    # when
    html = client.get(reverse("programme-results", args=[kam_round.pk])).content.decode()
    # then: no heatmap, no profile; the group is named as hidden
    assert text in html
    assert 'data-testid="results-hidden"' in html
    assert 'id="tension-spec"' not in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_invite_form_defaults_the_function_from_the_role(client, head, kam, lang):
    # given
    r = services.round_create(actor=head, title="Invite", starts=dt.date(2026, 5, 1))
    head.language = lang
    head.save()
    client.force_login(head)
    url = reverse("programme-round", args=[r.pk])
    # when: a user is invited without choosing a function, and an external person too
    ok = client.post(url, {"user": kam.pk, "name": "", "email": "", "function": ""})
    refused = client.post(url, {"user": "", "name": "Customer buyer", "email": "", "function": ""})
    # then
    assert ok.status_code == 302
    assert r.respondents.get().function == Function.KAM
    assert refused.status_code == 422
    assert r.respondents.count() == 1
