"""No lost updates in the pipeline: a stale edit of an opportunity, its stage, a qualification element
or a risk (form or API) is refused, the change saved in the meantime survives and the user sees both."""

from __future__ import annotations

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats

from kampass.accounts.tests.factories import PositionFactory
from kampass.pipeline import services
from kampass.pipeline.models import Opportunity, OpportunityContact, Qualification, Risk, Stage
from kampass.pipeline.tests.factories import make_opportunity


def _risk(opportunity: Opportunity, actor) -> Risk:
    return services.risk_create(
        actor=actor, opportunity=opportunity, title="Late delivery", category="delivery", likelihood=2, impact=3
    )


def _another_open_stage(opportunity: Opportunity) -> Stage:
    return opportunity.stage_set.stages.exclude(pk=opportunity.stage_id).filter(kind="open")[0]


# ---------------------------------------------------------------- forms


def test_stale_opportunity_edit_answers_409_and_keeps_the_other_change(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group, name="Retrofit")
    client.force_login(kam)
    url = reverse("opportunity-edit", args=[opportunity.pk])
    mine = conflicts.loaded_form(client, url, amount="150000")
    services.opportunity_update(actor=admin_user, opportunity=opportunity, amount="99000")
    saved = Opportunity.objects.get(pk=opportunity.pk).amount
    # both amounts as the page formats numbers (the database may give 99000 or 99000.00)
    conflicts.assert_conflict_page(client.post(url, mine), formats.localize(Decimal("150000")), formats.localize(saved))
    assert saved == 99000


def test_stale_stage_change_form_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    client.force_login(kam)
    url = reverse("opportunity-stage", args=[opportunity.pk])
    target = _another_open_stage(opportunity)
    mine = conflicts.loaded_form(client, url, stage=str(target.pk))
    services.opportunity_update(actor=admin_user, opportunity=opportunity, description="meanwhile")
    conflicts.assert_conflict_page(client.post(url, mine))
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == opportunity.stage_id


def test_stale_board_move_answers_409_with_both_versions_and_moves_on_request(client, kam, admin_user, group):
    # given a KAM who loaded the board (the card carries its version)
    opportunity = make_opportunity(account=group, name="Retrofit", amount="100000")
    target = _another_open_stage(opportunity)
    client.force_login(kam)
    board = client.get(reverse("pipeline-board")).content.decode()
    assert f'id="opp-{opportunity.pk}"' in board
    assert 'data-version="1"' in board
    # and an administrator who changed the card's amount in the meantime
    services.opportunity_update(actor=admin_user, opportunity=opportunity, amount="99000")
    # when the KAM drops the card on another stage (HTMX)
    url = reverse("opportunity-move", args=[opportunity.pk])
    response = client.post(url, {"stage": target.pk, "version": 1}, headers={"HX-Request": "true"})
    # then nothing moved, and both versions are shown: the stage dropped on, the card as saved now
    assert (response.status_code, response["Kampass-Conflict"]) == (409, "1")
    body = response.content.decode()
    assert 'data-testid="move-conflict"' in body
    assert "<html" not in body
    conflict = response.context["move_conflict"]
    assert (conflict["mine_stage"], conflict["current"].stage, conflict["changed_by"]) == (
        target,
        opportunity.stage,
        admin_user,
    )
    panel = body[body.index('data-testid="move-conflict"') : body.index("</section>")]
    assert target.name in panel
    assert opportunity.stage.name in panel
    assert floatformat(Decimal("99000"), "2g") in panel  # as the page formats amounts
    assert str(admin_user) in panel
    assert "Move it to" in panel
    assert "Keep the saved version" in panel
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == opportunity.stage_id
    # when the KAM applies the move anyway (the panel's form carries the saved version)
    assert 'name="version" value="2"' in panel
    moved = client.post(url, {"stage": target.pk, "version": 2}, headers={"HX-Request": "true"})
    # then the card moves and keeps the amount saved by the other
    saved = Opportunity.objects.get(pk=opportunity.pk)
    assert (moved.status_code, saved.stage_id, saved.amount) == (200, target.pk, Decimal("99000"))


def test_stale_board_move_without_htmx_answers_the_board_page_with_both_versions(client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    target = _another_open_stage(opportunity)
    services.opportunity_update(actor=admin_user, opportunity=opportunity, description="meanwhile")
    client.force_login(kam)
    response = client.post(reverse("opportunity-move", args=[opportunity.pk]), {"stage": target.pk, "version": 1})
    assert response.status_code == 409
    body = response.content.decode()
    assert "<html" in body
    assert 'data-testid="move-conflict"' in body
    assert 'data-testid="move-anyway"' in body
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == opportunity.stage_id


def test_board_move_conflict_reads_in_german(client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    target = _another_open_stage(opportunity)
    services.opportunity_update(actor=admin_user, opportunity=opportunity, description="meanwhile")
    kam.language = "de"
    kam.save()
    client.force_login(kam)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"stage": target.pk, "version": 1},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "Jemand anderes hat diese Karte inzwischen geändert" in body
    assert "Gespeicherte Fassung behalten" in body


def test_stale_qualification_edit_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    services.qualification_set(
        actor=admin_user, opportunity=opportunity, element="metrics", status="partial", evidence="first"
    )
    client.force_login(kam)
    url = reverse("opportunity-qualification", args=[opportunity.pk, "metrics"])
    mine = conflicts.loaded_form(client, url, form_key="q_form", status="confirmed", evidence="mine: signed")
    services.qualification_set(
        actor=admin_user, opportunity=opportunity, element="metrics", status="partial", evidence="theirs: call"
    )
    conflicts.assert_conflict_page(
        client.post(url, mine, headers={"HX-Request": "true"}), "mine: signed", "theirs: call"
    )
    assert Qualification.objects.get(opportunity=opportunity, element="metrics").evidence == "theirs: call"


def test_stale_risk_edit_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    risk = _risk(opportunity, admin_user)
    client.force_login(kam)
    url = reverse("opportunity-risk-edit", args=[opportunity.pk, risk.pk])
    mine = conflicts.loaded_form(client, url, mitigation="mine: buffer stock")
    services.risk_update(actor=admin_user, risk=risk, mitigation="theirs: second supplier")
    conflicts.assert_conflict_page(client.post(url, mine), "mine: buffer stock", "theirs: second supplier")
    assert Risk.objects.get(pk=risk.pk).mitigation == "theirs: second supplier"


def test_stale_buying_centre_link_edit_answers_409_with_both_versions(conflicts, client, kam, admin_user, group):
    # given a KAM who opened the edit form of a contact's roles in this project
    opportunity = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    link = services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["coach"], notes="old"
    )
    client.force_login(kam)
    detail = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    assert f"?link={link.pk}" in detail
    url = reverse("opportunity-contact-add", args=[opportunity.pk]) + f"?link={link.pk}"
    mine = conflicts.loaded_form(client, url, notes="mine: signs the order")
    assert mine["version"] == "1"
    # and an administrator who changed the link in the meantime
    services.opportunity_contact_set(
        actor=admin_user, opportunity=opportunity, contact=contact, roles=["decider"], notes="theirs: user only"
    )
    # when the KAM saves, then nothing is written and both versions are shown
    conflicts.assert_conflict_page(client.post(url, mine), "mine: signs the order", "theirs: user only")
    assert OpportunityContact.objects.get(pk=link.pk).notes == "theirs: user only"


def test_linking_a_contact_who_was_linked_meanwhile_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    client.force_login(kam)
    url = reverse("opportunity-contact-add", args=[opportunity.pk])
    mine = conflicts.loaded_form(client, url, contact=str(contact.pk), roles=["coach"], notes="mine")
    assert mine["version"] == "0"
    services.opportunity_contact_set(actor=admin_user, opportunity=opportunity, contact=contact, roles=["decider"])
    conflicts.assert_conflict_page(client.post(url, mine), "mine")
    assert OpportunityContact.objects.get(opportunity=opportunity, contact=contact).roles == ["decider"]


# ---------------------------------------------------------------- API


def test_opportunity_patch_stale_answers_412_and_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group, name="Retrofit")
    path = f"/opportunities/{opportunity.pk}"
    got = conflicts.api_call(client, kam, "get", path)
    assert (got["ETag"], got.json()["version"]) == ('W/"1"', 1)
    services.opportunity_update(actor=admin_user, opportunity=opportunity, name="Retrofit 2")
    header = conflicts.api_call(client, kam, "patch", path, {"name": "Mine"}, if_match=got["ETag"])
    body = conflicts.api_call(client, kam, "patch", path, {"name": "Mine", "version": 1})
    assert (header.status_code, body.status_code) == (412, 409)
    assert header.json()["name"] == "Retrofit 2"
    assert header["ETag"] == 'W/"2"'
    assert Opportunity.objects.get(pk=opportunity.pk).name == "Retrofit 2"


def test_stage_change_by_api_with_a_stale_version_answers_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    services.opportunity_update(actor=admin_user, opportunity=opportunity, description="meanwhile")
    target = _another_open_stage(opportunity)
    path = f"/opportunities/{opportunity.pk}/stage"
    assert conflicts.api_call(client, kam, "post", path, {"stage_id": target.pk, "version": 1}).status_code == 409
    assert conflicts.api_call(client, kam, "post", path, {"stage_id": target.pk}, if_match='W/"1"').status_code == 412
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == opportunity.stage_id


def test_qualification_put_stale_answers_412_and_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    path = f"/opportunities/{opportunity.pk}/qualification/metrics"
    first = conflicts.api_call(client, kam, "put", path, {"status": "partial", "evidence": "first"})
    assert (first.status_code, first["ETag"]) == (200, 'W/"1"')
    services.qualification_set(
        actor=admin_user, opportunity=opportunity, element="metrics", status="partial", evidence="theirs"
    )
    mine = {"status": "confirmed", "evidence": "mine"}
    assert conflicts.api_call(client, kam, "put", path, mine, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, kam, "put", path, {**mine, "version": 1})
    assert stale.status_code == 409
    assert next(r for r in stale.json() if r["element"] == "metrics")["evidence"] == "theirs"
    assert Qualification.objects.get(opportunity=opportunity, element="metrics").evidence == "theirs"


def test_risk_patch_stale_answers_412_and_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    risk = _risk(opportunity, admin_user)
    assert conflicts.api_call(client, kam, "get", f"/risks/{risk.pk}")["ETag"] == 'W/"1"'
    services.risk_update(actor=admin_user, risk=risk, mitigation="theirs")
    path = f"/risks/{risk.pk}"
    assert conflicts.api_call(client, kam, "patch", path, {"mitigation": "mine"}, if_match='W/"1"').status_code == 412
    assert conflicts.api_call(client, kam, "patch", path, {"mitigation": "mine", "version": 1}).status_code == 409
    assert Risk.objects.get(pk=risk.pk).mitigation == "theirs"
    fresh = conflicts.api_call(client, kam, "patch", path, {"mitigation": "mine", "version": 2})
    assert (fresh.status_code, fresh.json()["version"]) == (200, 3)


def test_an_import_that_changes_an_opportunity_makes_an_open_edit_form_stale(conflicts, client, admin_user, tmp_path):
    # given an imported opportunity whose edit form a user opened
    from kampass.accounts.tests.factories import AccountFactory
    from kampass.pipeline.importing import import_opportunities

    AccountFactory(name="Acme", external_id="A1")
    header = "Id,OpportunityName,AccountId,AccountName,Amount,CloseDate,StageName,CreatedDate\n"
    path = tmp_path / "opps.csv"
    path.write_text(header + "O1,Retrofit,A1,Acme,1000,2030-01-31,Negotiation,2029-01-02\n", encoding="utf-8")
    import_opportunities(actor=admin_user, path=path)
    opportunity = Opportunity.objects.get(external_id="O1")
    client.force_login(admin_user)
    url = reverse("opportunity-edit", args=[opportunity.pk])
    mine = conflicts.loaded_form(client, url, description="mine")
    # when a re-import changes its amount, then the user saves
    path.write_text(header + "O1,Retrofit,A1,Acme,2000,2030-01-31,Negotiation,2029-01-02\n", encoding="utf-8")
    import_opportunities(actor=admin_user, path=path)
    # then the imported amount survives
    conflicts.assert_conflict_page(client.post(url, mine))
    assert Opportunity.objects.get(pk=opportunity.pk).amount == 2000


def test_buying_centre_link_put_stale_answers_412_and_409(conflicts, client, kam, admin_user, group):
    opportunity = make_opportunity(account=group)
    contact = PositionFactory(account=group).contact
    path = f"/opportunities/{opportunity.pk}/contacts/{contact.pk}"
    first = conflicts.api_call(client, kam, "put", path, {"roles": ["coach"], "version": 0})
    assert (first.status_code, first.json()["version"], first["ETag"]) == (200, 1, 'W/"1"')
    services.opportunity_contact_set(actor=admin_user, opportunity=opportunity, contact=contact, roles=["decider"])
    assert conflicts.api_call(client, kam, "put", path, {"roles": ["user"]}, if_match='W/"1"').status_code == 412
    stale = conflicts.api_call(client, kam, "put", path, {"roles": ["user"], "version": 1})
    assert (stale.status_code, stale.json()["roles"], stale["ETag"]) == (409, ["decider"], 'W/"2"')
    assert OpportunityContact.objects.get(opportunity=opportunity, contact=contact).roles == ["decider"]
