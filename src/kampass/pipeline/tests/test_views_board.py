"""The pipeline board: columns per stage with totals, cards, filters, moving cards (drag and drop and
the keyboard select post to the same view), the lost-reason rule and the permissions."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome
from kampass.pipeline.tests.factories import make_opportunity, stage

HX = {"HX-Request": "true"}


def test_board_shows_open_stages_with_cards_and_totals(client, head, group, site):
    # given two opportunities in the same stage and one in another
    make_opportunity(account=group, name="Retrofit Zug", amount=Decimal("100000"), owner_probability=40)
    make_opportunity(account=site, name="Service contract", amount=Decimal("50000"), owner_probability=20)
    make_opportunity(account=group, name="Modernisation", amount="250000", stage_name="Negotiation/Review")
    client.force_login(head)
    # when the head of KAM opens the board
    response = client.get(reverse("pipeline-board"))
    # then every open stage is a column and the cards sit in their stages with the column totals
    assert response.status_code == 200
    body = response.content.decode()
    board = response.context["board"]
    assert [c.stage.name for c in board.columns][:2] == ["Prospecting", "Qualification"]
    assert all(c.stage.kind == "open" for c in board.columns)
    first = board.columns[0]
    assert first.count == 2
    assert first.amounts == {"EUR": Decimal("150000.00")}
    assert "Retrofit Zug" in body
    assert "Service contract" in body
    assert "Modernisation" in body
    assert 'draggable="true"' in body
    assert 'data-testid="card-stage"' in body  # the keyboard alternative on each card
    assert "150,000 EUR" in body
    assert 'id="lost-dialog"' in body
    assert "pipeline/board.js" in body


def test_board_is_empty_with_a_hint_when_there_are_no_opportunities(client, head):
    client.force_login(head)
    response = client.get(reverse("pipeline-board"))
    assert response.status_code == 200
    assert 'data-testid="board-empty"' in response.content.decode()


def test_board_filters_by_search_owner_and_account_subtree(client, head, kam, group, site, other):
    make_opportunity(account=group, name="Group deal", owner=kam)
    make_opportunity(account=site, name="Site deal")
    make_opportunity(account=other, name="Kone deal")
    client.force_login(head)

    def names(query):
        response = client.get(reverse("pipeline-board") + query, headers=HX)
        assert response.status_code == 200
        assert "<html" not in response.content.decode()  # the HTMX fragment
        return {o.name for c in response.context["board"].columns for o in c.opportunities}

    assert names("?q=kone") == {"Kone deal"}
    assert names(f"?owner=u:{kam.pk}") == {"Group deal"}
    assert names(f"?account={group.pk}") == {"Group deal"}
    assert names(f"?account={group.pk}&subtree=1") == {"Group deal", "Site deal"}


def test_the_account_filter_reads_a_suggestion_an_id_or_part_of_a_name(client, head, group, site, other):
    # given deals of a group, its site and another account
    make_opportunity(account=group, name="Group deal")
    make_opportunity(account=site, name="Site deal")
    make_opportunity(account=other, name="Kone deal")
    client.force_login(head)

    def names(account):
        response = client.get(reverse("pipeline-board"), {"account": account, "subtree": "1"}, headers=HX)
        return {o.name for c in response.context["board"].columns for o in c.opportunities}

    # when / then: a chosen suggestion ("Name (#id)") is that account (with its subsidiaries when ticked)
    assert names(f"Schindler Group (#{group.pk})") == {"Group deal", "Site deal"}
    # an id from a link too; any other text filters the accounts whose name contains it
    assert names(str(other.pk)) == {"Kone deal"}
    assert names("ebikon") == {"Site deal"}
    assert names("schindler") == {"Group deal", "Site deal"}
    # and the field shows the chosen account as its suggestion
    page = client.get(reverse("pipeline-board"), {"account": str(group.pk)})
    assert f'value="Schindler Group (#{group.pk})"' in page.content.decode()


def test_the_account_suggestions_are_the_visible_accounts_matching_the_text(client, head, kam, group, site, other):
    # given a group without deals of its own above a site with one, and another team's account
    make_opportunity(account=site, name="Site deal")
    make_opportunity(account=other, name="Kone deal")
    url = reverse("pipeline-account-choices")
    # when the head of KAM types "schind": the site with deals, and its group to choose with the subsidiaries
    client.force_login(head)
    body = client.get(url, {"account": "schind"}).content.decode()
    assert f'<option value="Schindler Ebikon (#{site.pk})">' in body
    assert f'<option value="Schindler Group (#{group.pk})">' in body
    assert "Kone" not in body
    # and the board no longer lists every account in the page (the suggestions come as one types)
    board = client.get(reverse("pipeline-board")).content.decode()
    assert "Kone Oyj" not in board.split('id="board"')[0]
    # when the KAM asks: nothing of the other team's accounts
    client.force_login(kam)
    assert "Kone" not in client.get(url, {"account": "ko"}).content.decode()
    assert f"(#{site.pk})" in client.get(url).content.decode()


def test_kam_sees_only_the_opportunities_of_their_accounts(client, kam, group, other):
    make_opportunity(account=group, name="Mine")
    make_opportunity(account=other, name="Foreign")
    client.force_login(kam)
    body = client.get(reverse("pipeline-board")).content.decode()
    assert "Mine" in body
    assert "Foreign" not in body


def test_moving_a_card_changes_the_stage_and_returns_the_board(client, kam, group):
    # given an opportunity of kam's account in the first stage
    opportunity = make_opportunity(account=group, name="Retrofit")
    target = stage("Needs Analysis")
    client.force_login(kam)
    # when kam drops the card on another column (HTMX post)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]) + "?q=Retro", {"stage": target.pk}, headers=HX
    )
    # then the stage changed, the history recorded it, and the board fragment shows the card there
    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.stage == target
    assert OpportunityStageChange.objects.filter(opportunity=opportunity, to_stage=target, changed_by=kam).exists()
    body = response.content.decode()
    assert "<html" not in body
    assert "moved to Needs Analysis" in body
    assert response.context["filters"].q == "Retro"  # the board keeps its filters
    column = next(c for c in response.context["board"].columns if c.stage == target)
    assert [o.pk for o in column.opportunities] == [opportunity.pk]
    assert "data-focus" in body


def test_moving_to_lost_without_a_reason_is_refused_and_the_card_stays(client, kam, group):
    opportunity = make_opportunity(account=group, name="Retrofit")
    before = opportunity.stage
    client.force_login(kam)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]), {"stage": stage("Closed Lost").pk}, headers=HX
    )
    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.stage == before
    assert opportunity.outcome == Outcome.OPEN
    body = response.content.decode()
    assert "was not moved" in body
    assert "Say why the opportunity was lost." in body


def test_moving_to_lost_with_a_reason_closes_the_opportunity(client, kam, group):
    opportunity = make_opportunity(account=group, name="Retrofit")
    client.force_login(kam)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"stage": stage("Closed Lost").pk, "reason": "Competitor was cheaper"},
        headers=HX,
    )
    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.outcome == Outcome.LOST
    assert opportunity.outcome_reason == "Competitor was cheaper"


def test_move_without_htmx_redirects_to_the_board(client, kam, group):
    opportunity = make_opportunity(account=group)
    client.force_login(kam)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]) + "?account=1", {"stage": stage("Qualification").pk}
    )
    assert response.status_code == 302
    assert response.url == reverse("pipeline-board") + "?account=1"


def test_move_to_a_stage_of_another_process_or_garbage_is_refused(client, kam, group):
    opportunity = make_opportunity(account=group)
    client.force_login(kam)
    response = client.post(reverse("opportunity-move", args=[opportunity.pk]), {"stage": "x"}, headers=HX)
    assert response.status_code == 200
    assert "Choose a stage" in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == opportunity.stage


def test_viewer_may_not_move_a_card(client, viewer, group):
    opportunity = make_opportunity(account=group)
    client.force_login(viewer)
    body = client.get(reverse("pipeline-board")).content.decode()
    assert 'draggable="true"' not in body
    assert 'data-testid="card-stage"' not in body
    response = client.post(reverse("opportunity-move", args=[opportunity.pk]), {"stage": stage("Qualification").pk})
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).stage == opportunity.stage


def test_kam_may_not_move_a_card_of_a_foreign_account(client, kam, other):
    opportunity = make_opportunity(account=other)
    client.force_login(kam)
    response = client.post(reverse("opportunity-move", args=[opportunity.pk]), {"stage": stage("Qualification").pk})
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).stage == opportunity.stage


def test_board_can_show_closed_stages(client, head, group):
    make_opportunity(account=group, name="Won it", stage_name="Closed Won")
    client.force_login(head)
    assert "Won it" not in client.get(reverse("pipeline-board")).content.decode()
    response = client.get(reverse("pipeline-board") + "?closed=1")
    assert "Won it" in response.content.decode()
    assert any(c.stage.kind == "lost" and c.stage.name == "Closed Lost" for c in response.context["board"].columns)
    assert 'data-needs-reason="1"' in response.content.decode()


def test_board_in_german(client, head, group):
    make_opportunity(account=group, name="Retrofit")
    head.language = "de"
    head.save()
    client.force_login(head)
    client.cookies["django_language"] = "de"
    try:
        body = client.get(reverse("pipeline-board"), headers={"Accept-Language": "de"}).content.decode()
    finally:
        translation.deactivate()  # leave no German behind for the tests that follow
    assert "Verschieben" in body


def test_late_stage_flags_on_cards_follow_the_checklist(client, head, group, django_assert_max_num_queries):
    from kampass.pipeline.services import qualification_set
    from kampass.pipeline.tests.factories import admin_actor

    late = make_opportunity(account=group, name="Late deal", stage_name="Negotiation/Review")
    make_opportunity(account=group, name="Early deal")
    for i in range(10):
        make_opportunity(account=group, name=f"Late {i}", stage_name="Proposal/Price Quote")
    qualification_set(actor=admin_actor(), opportunity=late, element="economic_buyer", status="confirmed",
                      evidence="CFO signs")  # fmt: skip
    client.force_login(head)
    with django_assert_max_num_queries(40):  # not one query per card
        response = client.get(reverse("pipeline-board"))
    badges = {
        card.pk: [text for _, text in card.badges] for col in response.context["columns"] for card in col["cards"]
    }
    assert badges[late.pk] == ["no champion"]
    assert sum(v == ["no economic buyer", "no champion"] for k, v in badges.items() if k != late.pk) == 10
    assert sum(bool(v) for v in badges.values()) == 11  # the early deal is not in a late stage


def test_a_long_column_shows_twenty_cards_and_links_the_rest_with_the_filters(client, head, kam, group, other):
    # given 22 deals of kam's in the first stage and one of another owner
    for i in range(22):
        make_opportunity(account=group, name=f"Deal {i:02d}", owner=kam)
    make_opportunity(account=other, name="Foreign deal")
    client.force_login(head)
    # when the board is filtered by the owner
    response = client.get(reverse("pipeline-board"), {"owner": f"u:{kam.pk}"})
    # then the column counts 22, shows 20 cards and links the other 2 in the list with the same filters
    first = response.context["board"].columns[0]
    assert (first.count, len(first.opportunities), first.more) == (22, 20, 2)
    body = response.content.decode()
    link = f'?stage={first.stage.pk}&owner=u%3A{kam.pk}" data-testid="col-more">2 more</a>'
    assert link in body
    listed = client.get(reverse("opportunity-list"), {"stage": first.stage.pk, "owner": f"u:{kam.pk}"})
    assert listed.context["page"].paginator.count == 22


def test_each_card_links_to_its_deal_and_moves_with_the_boards_filters(client, kam, group):
    # the addresses are reversed once for all cards (common.reversing): each card still gets its own
    first = make_opportunity(account=group, name="Retrofit A", owner=kam)
    second = make_opportunity(account=group, name="Retrofit B", owner=kam)
    client.force_login(kam)
    body = client.get(reverse("pipeline-board") + "?q=Retro").content.decode()
    for o in (first, second):
        move = reverse("opportunity-move", args=[o.pk]) + "?q=Retro"
        assert f'data-move-url="{move}"' in body
        assert f'action="{move}"' in body
        assert f'<a href="{reverse("opportunity-detail", args=[o.pk])}" title="{o.name}">' in body
    plain = client.get(reverse("pipeline-board")).content.decode()
    assert f'action="{reverse("opportunity-move", args=[first.pk])}"' in plain  # no "?" without filters


def test_a_cards_fixed_words_are_translated_once_for_the_board_and_shown_on_every_card(client, kam, group):
    make_opportunity(account=group, name="Retrofit A", owner=kam, owner_probability=30)
    make_opportunity(account=group, name="Retrofit B", owner=kam)
    kam.language = "de"
    kam.save(update_fields=["language"])
    client.force_login(kam)
    client.cookies["django_language"] = "de"
    with translation.override("de"):
        body = client.get(reverse("pipeline-board"), headers={"Accept-Language": "de"}).content.decode()
    assert body.count('data-testid="card-move">Verschieben</button>') == 2
    assert body.count('title="Wahrscheinlichkeit der/des Verantwortlichen"') == 2
    assert body.count(f"<span>{kam}</span>") == 2  # the owner's name, from the fields a card reads
