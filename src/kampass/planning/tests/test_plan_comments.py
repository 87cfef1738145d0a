"""Comments on account plans live in the one comment store (``common.Comment``, target kind ``"plan"``):
the plan's comment endpoint, the remark that goes with a life-cycle move and the plan page all use it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.cli import _SystemActor
from kampass.common.models import Comment, Notification
from kampass.planning.models import AccountPlan, PlanStatus
from kampass.planning.services import plan_comment_add, plan_transition
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam, kam2):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    TeamMemberFactory(account=account, user=kam2)
    return account


def test_a_section_comment_is_a_plan_comment_of_the_common_store_and_notifies_the_mentioned(kam, kam2, account):
    plan = make_plan(account=account, actor=kam)

    comment = plan_comment_add(actor=kam, plan=plan, body="@kam2_t check the drivers", section_key="situation")

    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.target_kind, stored.target_id, stored.target_key) == ("plan", plan.pk, "situation")
    assert (stored.account_id, stored.author) == (account.pk, kam)
    assert list(stored.mentions.all()) == [kam2]
    told = Notification.objects.get(recipient=kam2, kind="mention")
    assert told.link.endswith(f"#comment-{stored.pk}")


def test_an_unknown_section_or_an_empty_text_is_refused_and_nothing_is_written(kam, account):
    plan = make_plan(account=account, actor=kam)
    before = Comment.objects.count()

    with pytest.raises(ValidationError) as exc:
        plan_comment_add(actor=kam, plan=plan, body="  ", section_key="nonsense")

    assert set(exc.value.message_dict) == {"body", "section_key"}
    assert Comment.objects.count() == before


def test_sending_back_with_a_remark_writes_a_comment_on_the_whole_plan_shown_on_the_page(client, kam, head, account):
    plan = make_plan(account=account, actor=kam, status=PlanStatus.IN_REVIEW)

    plan_transition(actor=head, plan=plan, target=PlanStatus.DRAFT, comment="  Add the risks ")

    remark = Comment.objects.filter(target_kind="plan", target_id=plan.pk, target_key="").latest("pk")
    assert (remark.body, remark.author, remark.account_id) == ("Add the risks", head, account.pk)
    client.force_login(kam)
    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    whole_plan = page[page.index('data-testid="plan-comments"') :]
    assert "Add the risks" in whole_plan
    assert f'id="comment-{remark.pk}"' in whole_plan


def test_a_move_by_the_command_line_operator_keeps_its_remark_without_an_author(kam, account):
    plan = make_plan(account=account, actor=kam, status=PlanStatus.IN_REVIEW)

    plan_transition(actor=_SystemActor(), plan=plan, target=PlanStatus.DRAFT, comment="Reopened by the import")

    remark = Comment.objects.filter(target_kind="plan", target_id=plan.pk).latest("pk")
    assert (remark.body, remark.author) == ("Reopened by the import", None)


def test_a_remark_too_long_for_a_comment_refuses_the_whole_move(kam, head, account):
    plan = make_plan(account=account, actor=kam, status=PlanStatus.IN_REVIEW)

    with pytest.raises(ValidationError) as exc:
        plan_transition(actor=head, plan=plan, target=PlanStatus.DRAFT, comment="x" * 4001)

    assert "comment" in exc.value.message_dict
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW


def test_the_section_panel_shows_its_comments_once(client, kam, account):
    plan = make_plan(account=account, actor=kam)
    plan_comment_add(actor=kam, plan=plan, body="Quantify the ambition", section_key="objectives")
    client.force_login(kam)

    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()

    shown = 'class="comment-body">Quantify the ambition</div>'
    assert page.count(shown) == 1
    section = page[page.index('data-testid="section-objectives"') :]
    assert shown in section[: section.index("</section>", section.index("comment-plan-"))]
