"""The solutions an account plan uses: linked from the library through the solutions facade (stored
as uses with the plan's id, visible in the library's "where used"), only while the plan is editable
and by who may change it; carried over to a new version; the plan page's section, the API and the
denials."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.models import PlanStatus
from kampass.planning.services import plan_new_version
from kampass.planning.services_solutions import plan_solution_link, plan_solution_unlink
from kampass.planning.tests.factories import make_plan
from kampass.solutions import facade as solutions_facade
from kampass.solutions.models import SolutionStatus, SolutionUse
from kampass.solutions.tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


@pytest.fixture
def plan(account, kam):
    return make_plan(account=account, actor=kam, filled=False)


@pytest.fixture
def pool():
    return SolutionFactory(name="Spare-parts pool", problem="Unplanned stops", segments="Machinery")


# ---------------------------------------------------------------- service


def test_a_kam_links_and_unlinks_a_solution_of_the_library(kam, plan, pool):
    plan_solution_link(actor=kam, plan=plan, solution_id=pool.pk)
    plan_solution_link(actor=kam, plan=plan, solution_id=pool.pk)  # twice keeps one

    use = SolutionUse.objects.get()
    assert (use.solution_id, use.account_id, use.plan_id, use.opportunity_id) == (
        pool.pk,
        plan.account_id,
        plan.pk,
        None,
    )
    assert [s.name for s in solutions_facade.solutions_for_plan(plan.pk)] == ["Spare-parts pool"]

    plan_solution_unlink(actor=kam, plan=plan, solution_id=pool.pk)
    assert not SolutionUse.objects.exists()


def test_a_signed_off_plan_and_a_retired_solution_are_refused(kam, account, pool):
    approved = make_plan(account=account, actor=kam, status=PlanStatus.APPROVED)
    retired = SolutionFactory(name="Old portal", status=SolutionStatus.RETIRED)
    draft = make_plan(account=account, actor=kam, period_start=approved.period_start.replace(year=2028),
                      period_end=approved.period_end.replace(year=2028))  # fmt: skip

    with pytest.raises(ValidationError, match="no longer editable"):
        plan_solution_link(actor=kam, plan=approved, solution_id=pool.pk)
    with pytest.raises(ValidationError, match="retired"):
        plan_solution_link(actor=kam, plan=draft, solution_id=retired.pk)
    with pytest.raises(ValidationError, match="no solution"):
        plan_solution_link(actor=kam, plan=draft, solution_id=999999)
    assert not SolutionUse.objects.exists()


@pytest.mark.parametrize("role", ["kam2", "viewer", "controller"])
def test_who_may_not_change_the_plan_may_not_link(request, plan, pool, role):
    with pytest.raises(PermissionDenied):
        plan_solution_link(actor=request.getfixturevalue(role), plan=plan, solution_id=pool.pk)
    assert not SolutionUse.objects.exists()


def test_a_new_version_uses_the_solutions_of_the_version_it_starts_from(kam, head, account, pool):
    plan = make_plan(account=account, actor=kam)
    plan_solution_link(actor=kam, plan=plan, solution_id=pool.pk)
    retired = SolutionFactory(name="Old portal")
    plan_solution_link(actor=kam, plan=plan, solution_id=retired.pk)
    retired.status = SolutionStatus.RETIRED
    retired.save()
    from kampass.planning.services import plan_transition

    for target in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
        plan = plan_transition(actor=head, plan=plan, target=target, comment="ok")

    new = plan_new_version(actor=kam, plan=plan)

    assert [s.name for s in solutions_facade.solutions_for_plan(new.pk)] == ["Spare-parts pool"]
    assert [s.name for s in solutions_facade.solutions_for_plan(plan.pk)] == ["Old portal", "Spare-parts pool"]


# ---------------------------------------------------------------- pages


def test_the_plan_page_loads_the_solutions_section(client, kam, plan, pool):
    plan_solution_link(actor=kam, plan=plan, solution_id=pool.pk)
    client.force_login(kam)

    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    fragment = client.get(reverse("plan-solutions", args=[plan.pk]), headers=HX)

    assert 'data-testid="solutions-card"' in page
    assert reverse("plan-solutions", args=[plan.pk]) in page
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'data-testid="linked-solution"' in body
    assert "Spare-parts pool" in body
    assert f'data-testid="unlink-solution-{pool.pk}"' in body


def test_the_section_searches_the_library_and_links_by_button(client, kam, plan, pool):
    SolutionFactory(name="Ordering portal", problem="Slow ordering", segments="Retail")
    SolutionFactory(name="Retired thing", status=SolutionStatus.RETIRED)
    client.force_login(kam)

    searched = client.get(reverse("plan-solutions", args=[plan.pk]), {"q": "stops"}, headers=HX)
    linked = client.post(reverse("plan-solutions", args=[plan.pk]), {"op": "link", "solution_id": pool.pk}, headers=HX)
    plain = client.post(reverse("plan-solutions", args=[plan.pk]), {"op": "unlink", "solution_id": pool.pk})

    candidates = [s.name for s in searched.context["candidates"]]
    assert candidates == ["Spare-parts pool"]  # by problem; neither the other one nor a retired one
    assert [s.name for s in linked.context["linked"]] == ["Spare-parts pool"]
    assert linked.context["candidates"] == [] or pool.pk not in {s.id for s in linked.context["candidates"]}
    assert plain.status_code == 302
    assert plain["Location"].endswith("#section-solutions")
    assert not SolutionUse.objects.exists()


def test_a_refused_link_shows_its_message_in_the_section(client, kam, plan):
    retired = SolutionFactory(name="Old portal", status=SolutionStatus.RETIRED)
    client.force_login(kam)

    response = client.post(
        reverse("plan-solutions", args=[plan.pk]), {"op": "link", "solution_id": retired.pk}, headers=HX
    )

    assert 'data-testid="solutions-error"' in response.content.decode()
    assert "retired" in response.content.decode()


def test_a_kam_off_the_team_and_a_viewer_are_denied(client, kam2, viewer, plan, pool):
    client.force_login(kam2)
    assert client.get(reverse("plan-solutions", args=[plan.pk])).status_code == 403
    assert (
        client.post(reverse("plan-solutions", args=[plan.pk]), {"op": "link", "solution_id": pool.pk}).status_code
        == 403
    )
    client.force_login(viewer)
    read = client.get(reverse("plan-solutions", args=[plan.pk]), headers=HX)
    assert read.status_code == 200
    assert 'data-testid="solution-search"' not in read.content.decode()  # a reader sees, does not pick
    assert (
        client.post(reverse("plan-solutions", args=[plan.pk]), {"op": "link", "solution_id": pool.pk}).status_code
        == 403
    )
    assert not SolutionUse.objects.exists()


def test_the_library_shows_the_plan_where_the_solution_is_used(client, kam, plan, pool):
    plan_solution_link(actor=kam, plan=plan, solution_id=pool.pk)
    client.force_login(kam)

    detail = client.get(reverse("solution", args=[pool.pk])).content.decode()
    library = client.get(reverse("solution-library")).content.decode()

    assert reverse("plan-detail", args=[plan.pk]) in detail
    assert reverse("plan-detail", args=[plan.pk]) in library


# ---------------------------------------------------------------- API


def test_the_api_lists_links_and_unlinks_a_plans_solutions(api, kam, plan, pool):
    linked = api(kam, "post", f"/plans/{plan.pk}/solutions", {"solution_id": pool.pk})
    listed = api(kam, "get", f"/plans/{plan.pk}/solutions")
    removed = api(kam, "delete", f"/plans/{plan.pk}/solutions/{pool.pk}")

    assert linked.status_code == 201, linked.content
    assert listed.json() == {
        "items": [{"id": pool.pk, "name": "Spare-parts pool", "status": "active", "problem": "Unplanned stops",
                   "segments": ["Machinery"]}],
        "count": 1,
    }  # fmt: skip
    assert removed.status_code == 204
    assert not SolutionUse.objects.exists()


def test_the_api_refuses_a_kam_off_the_team_and_a_signed_off_plan(api, kam, kam2, account, pool):
    approved = make_plan(account=account, actor=kam, status=PlanStatus.APPROVED)

    denied = api(kam2, "post", f"/plans/{approved.pk}/solutions", {"solution_id": pool.pk})
    refused = api(kam, "post", f"/plans/{approved.pk}/solutions", {"solution_id": pool.pk})

    assert denied.status_code == 403
    assert refused.status_code == 422
    assert "no longer editable" in refused.content.decode()
    assert not SolutionUse.objects.exists()


# ---------------------------------------------------------------- demo


def test_the_demo_links_plans_and_an_open_opportunity_to_the_accounts_solutions(head, kam, account, pool):
    from kampass.pipeline.tests.factories import make_opportunity
    from kampass.planning.demo_solutions import demo_plan_solutions_load
    from kampass.solutions import services as solution_services

    # given an approved plan (immutable for the service), a solution used at the account, an open opportunity
    approved = make_plan(account=account, actor=kam, status=PlanStatus.APPROVED)
    solution_services.solution_use_link(actor=head, solution=pool, account_id=account.pk)
    opportunity = make_opportunity(account=account, name="Retrofit")

    # when the demo loads its plan and opportunity uses, twice
    first = demo_plan_solutions_load()
    again = demo_plan_solutions_load()

    # then the plan and the opportunity use the account's solution, once
    assert (first, again) == (2, 0)
    assert [s.name for s in solutions_facade.solutions_for_plan(approved.pk)] == ["Spare-parts pool"]
    assert [s.name for s in solutions_facade.solutions_for_opportunity(opportunity.pk)] == ["Spare-parts pool"]
