"""The solutions context's panels on other contexts' pages: the solutions in use at an account and
its subtree on the account page (the cockpit), and an opportunity's solutions on its page with
linking and unlinking for who may (and the denials)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.pipeline.tests.factories import make_opportunity
from kampass.solutions import services
from kampass.solutions.models import SolutionStatus, SolutionUse
from kampass.solutions.panels import account_solutions
from kampass.solutions.tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(kam):
    group = AccountFactory(name="Holding", kam_status="key_account")
    TeamMemberFactory(account=group, user=kam)
    return group


def test_the_account_page_lists_the_solutions_in_use_in_the_subtree_with_links(client, head, kam, group):
    # given uses at the group, at its subsidiary (for an opportunity) and at an unrelated account
    child = AccountFactory(name="Holding Nord", parent=group)
    other = AccountFactory(name="Elsewhere AG", kam_status="key_account")
    pool, portal, foreign = (SolutionFactory(name=n) for n in ("Spare-parts pool", "Ordering portal", "Foreign"))
    opportunity = make_opportunity(account=child, name="Retrofit line 2")
    services.solution_use_link(actor=head, solution=pool, account_id=group.pk, reference=True)
    services.solution_use_link(actor=head, solution=portal, account_id=child.pk, opportunity_id=opportunity.pk)
    services.solution_use_link(actor=head, solution=pool, account_id=child.pk)
    services.solution_use_link(actor=head, solution=foreign, account_id=other.pk)
    client.force_login(kam)

    # when the group's page is opened
    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()
    rows = account_solutions(group.pk)

    # then it lists the subtree's solutions (by name), each once, linked to the library and the uses
    assert [(r["name"], len(r["uses"])) for r in rows] == [("Ordering portal", 1), ("Spare-parts pool", 2)]
    assert 'data-testid="account-solutions"' in body
    assert reverse("solution", args=[pool.pk]) in body
    assert reverse("opportunity-detail", args=[opportunity.pk]) in body
    assert reverse("account-detail", args=[child.pk]) in body
    assert "Foreign" not in body
    assert account_solutions(child.pk)[0]["name"] == "Ordering portal"


def test_an_account_without_uses_says_so(client, kam, group):
    client.force_login(kam)

    body = client.get(reverse("account-detail", args=[group.pk])).content.decode()

    assert "No solution of the library is in use at this account yet." in body


def test_the_opportunity_page_shows_and_links_its_solutions(client, kam, group):
    pool = SolutionFactory(name="Spare-parts pool")
    SolutionFactory(name="Retired", status=SolutionStatus.RETIRED)
    opportunity = make_opportunity(account=group, name="Retrofit")
    client.force_login(kam)
    url = reverse("opportunity-solutions", args=[opportunity.pk])

    before = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    linked = client.post(url, {"op": "link", "solution_id": pool.pk})
    after = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()

    assert 'data-testid="opportunity-solutions"' in before
    assert 'data-testid="link-opportunity-solution"' in before
    assert ">Retired<" not in before  # a retired solution takes no new uses
    assert linked.status_code == 302
    use = SolutionUse.objects.get()
    assert (use.solution_id, use.account_id, use.opportunity_id) == (pool.pk, group.pk, opportunity.pk)
    assert reverse("solution", args=[pool.pk]) in after
    unlinked = client.post(url, {"op": "unlink", "use_id": use.pk})
    assert unlinked.status_code == 302
    assert not SolutionUse.objects.exists()


def test_the_library_lists_the_opportunity_where_the_solution_is_used(client, kam, group):
    pool = SolutionFactory(name="Spare-parts pool")
    opportunity = make_opportunity(account=group, name="Retrofit")
    client.force_login(kam)
    client.post(reverse("opportunity-solutions", args=[opportunity.pk]), {"op": "link", "solution_id": pool.pk})

    body = client.get(reverse("solution", args=[pool.pk])).content.decode()

    assert reverse("opportunity-detail", args=[opportunity.pk]) in body


def test_a_kam_off_the_team_and_a_viewer_cannot_link_or_unlink(client, head, kam2, viewer, group):
    pool = SolutionFactory(name="Spare-parts pool")
    opportunity = make_opportunity(account=group, name="Retrofit")
    use = services.solution_use_link(actor=head, solution=pool, account_id=group.pk, opportunity_id=opportunity.pk)
    url = reverse("opportunity-solutions", args=[opportunity.pk])

    for user in (kam2, viewer):
        client.force_login(user)
        assert client.post(url, {"op": "link", "solution_id": SolutionFactory().pk}).status_code == 403
        assert client.post(url, {"op": "unlink", "use_id": use.pk}).status_code == 403
    client.force_login(viewer)
    page = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    assert "Spare-parts pool" in page
    assert 'data-testid="link-opportunity-solution"' not in page
    assert SolutionUse.objects.count() == 1
