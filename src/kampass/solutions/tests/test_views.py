"""Pages of the solutions context: library, solution page, forms, board, and the denials."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import TeamMemberFactory
from kampass.solutions import services
from kampass.solutions.models import Initiative, Solution, SolutionUse, StageChange
from kampass.solutions.tests.factories import SolutionFactory, key_account, make_initiative

pytestmark = pytest.mark.django_db


def test_library_searches_filters_sorts_and_shows_where_each_is_used(client, viewer, head):
    # given
    pool = SolutionFactory(name="Spare-parts pool", segments="Machinery")
    SolutionFactory(name="Ordering portal", segments="Hospitality")
    services.solution_use_link(actor=head, solution=pool, account_id=key_account("Globex").pk)
    client.force_login(viewer)
    # when
    page = client.get(reverse("solution-library"), {"segment": "Machinery", "sort": "name"})
    fragment = client.get(reverse("solution-library"), {"q": "portal"}, headers={"HX-Request": "true"})
    # then
    body = page.content.decode()
    assert page.status_code == 200
    assert ("Spare-parts pool" in body, "Globex" in body, "Ordering portal" in body) == (True, True, False)
    assert 'data-testid="new-solution"' not in body  # a viewer adds nothing
    assert "Ordering portal" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_kam_creates_and_edits_a_solution(client, kam):
    client.force_login(kam)
    created = client.post(reverse("solution-create"), {"name": "Pool", "segments": "Food", "status": "active"})
    s = Solution.objects.get()
    assert (created.status_code, created["Location"]) == (302, reverse("solution", args=[s.pk]))
    edited = client.post(
        reverse("solution-edit", args=[s.pk]), {"name": "Pool 2", "status": "active", "version": s.version}
    )
    assert edited.status_code == 302
    assert Solution.objects.get().name == "Pool 2"


def test_a_stale_edit_shows_the_conflict_page(client, head, conflicts):
    s = SolutionFactory(name="Pool")
    client.force_login(head)
    data = conflicts.loaded_form(client, reverse("solution-edit", args=[s.pk]), problem="mine")
    services.solution_update(actor=head, solution=s, problem="theirs")
    conflicts.assert_conflict_page(client.post(reverse("solution-edit", args=[s.pk]), data), "mine", "theirs")


@pytest.mark.parametrize("role", ["viewer", "controller"])
def test_readers_cannot_open_forms_or_post(client, request, role):
    s = SolutionFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("solution-create")).status_code == 403
    assert client.post(reverse("solution-edit", args=[s.pk]), {"name": "X", "status": "active"}).status_code == 403
    assert client.post(reverse("solution-retire", args=[s.pk])).status_code == 403
    assert client.get(reverse("co-creation-initiative-create")).status_code == 403
    assert Solution.objects.get(pk=s.pk).status == "active"


def test_a_kam_links_on_the_solution_page_only_at_their_accounts(client, kam):
    # given
    mine, other = key_account("Mine"), key_account("Other")
    TeamMemberFactory(account=mine, user=kam)
    s = SolutionFactory()
    client.force_login(kam)
    # when
    client.post(reverse("solution-use-link", args=[s.pk]), {"account": mine.pk, "note": "pilot"})
    denied = client.post(reverse("solution-use-link", args=[s.pk]), {"account": other.pk})
    # then
    assert denied.status_code == 403
    assert list(SolutionUse.objects.values_list("account__name", "note")) == [("Mine", "pilot")]
    page = client.get(reverse("solution", args=[s.pk])).content.decode()
    assert "Mine" in page
    assert "pilot" in page


def test_board_shows_columns_and_moves_a_card_with_select_and_button(client, head):
    # given
    i = make_initiative(accounts=[key_account("Globex")], actor=head, name="Portal pilot")
    client.force_login(head)
    # when
    board = client.get(reverse("initiative-board")).content.decode()
    moved = client.post(
        reverse("co-creation-initiative-move", args=[i.pk]), {"stage": "pilot", "version": i.version, "from": "board"}
    )
    # then
    assert "Portal pilot" in board
    assert f'data-testid="move-{i.pk}"' in board
    assert "Integrated into the standard offering" in board
    assert (moved.status_code, moved["Location"]) == (302, reverse("initiative-board"))
    assert Initiative.objects.get().stage == "pilot"
    assert StageChange.objects.filter(to_stage="pilot", on=timezone.localdate()).exists()


def test_a_viewer_sees_the_board_without_move_buttons_and_cannot_move(client, head, viewer):
    i = make_initiative(accounts=[key_account()], actor=head)
    client.force_login(viewer)
    board = client.get(reverse("initiative-board")).content.decode()
    assert f'data-testid="move-{i.pk}"' not in board
    assert client.post(reverse("co-creation-initiative-move", args=[i.pk]), {"stage": "pilot"}).status_code == 403
    assert Initiative.objects.get().stage == "idea"


def test_initiative_form_creates_and_the_page_shows_revenue_and_stages(client, head):
    a = key_account("Globex")
    client.force_login(head)
    answer = client.post(
        reverse("co-creation-initiative-create"),
        {
            "name": "Pool",
            "stage": "pilot",
            "accounts": [a.pk],
            "starts": "2026-01-05",
            "effort_hours": "10",
            "effort_cost": "1000",
            "currency": "EUR",
        },
    )
    i = Initiative.objects.get()
    assert answer.status_code == 302
    page = client.get(reverse("co-creation-initiative", args=[i.pk])).content.decode()
    assert ('data-testid="realised-revenue"' in page, "Globex" in page, "Pilot" in page) == (True, True, True)


def test_the_library_is_in_german(client, head):
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("solution-library"), headers={"Accept-Language": "de"}).content.decode()
    assert "Lösungsbibliothek" in body
