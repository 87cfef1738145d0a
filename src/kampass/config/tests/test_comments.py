"""Comments with @mentions on accounts, opportunities and plan sections (kampass.common.comments), their
panel (HTMX) and the account timeline that merges the entries of several contexts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from kampass.common import comments
from kampass.common.models import Comment, Notification
from kampass.common.notifications import notification_text
from kampass.pipeline import services as pipeline_services
from kampass.pipeline.tests.factories import make_opportunity
from kampass.planning.action_services import action_create
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam, kam2):
    """A key account whose team has both key account managers."""
    a = AccountFactory(kam_status="key_account", name="Kone")
    TeamMemberFactory(account=a, user=kam)
    TeamMemberFactory(account=a, user=kam2)
    return a


def _outsider(username: str = "outsider"):
    """A key account manager on no team of the account."""
    return UserFactory(username=username, first_name="Outsider", last_name="Tester")


def _mentions(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="mention"))


# ---------------------------------------------------------------- services


def test_a_mentioned_colleague_who_sees_the_account_is_notified_once_with_a_link_to_the_comment(kam, kam2, account):
    # when
    out = comments.comment_add(
        actor=kam, kind="account", target_id=account.pk, body="@kam2_t please call, @KAM2_T again, @kam_t me"
    )

    # then
    [n] = _mentions(kam2)
    assert notification_text(n) == "Kam_T Tester mentioned you in a comment on Kone."
    assert n.link == f"{reverse('account-detail', args=[account.pk])}#comment-{out.comment.pk}"
    assert _mentions(kam) == []  # never the author
    assert out.notified == [kam2.pk]
    assert set(out.comment.mentions.all()) == {kam, kam2}
    assert out.comment.account_id == account.pk


def test_a_mentioned_user_who_cannot_see_the_target_is_not_told_and_the_author_learns_who(kam, account, db):
    # given: a key account manager of another account
    outsider = _outsider()

    # when
    out = comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="ask @outsider")

    # then
    assert _mentions(outsider) == []
    assert out.not_visible == ["Outsider Tester"]


def test_editing_notifies_only_the_newly_mentioned(kam, kam2, head, account):
    # given
    out = comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="@kam2_t look")

    # when
    comments.comment_edit(actor=kam, comment=out.comment, body="@kam2_t look, and @head_t too")

    # then
    assert len(_mentions(kam2)) == 1
    assert len(_mentions(head)) == 1
    out.comment.refresh_from_db()
    assert out.comment.edited_at is not None


def test_only_the_author_edits_and_the_author_or_an_administrator_deletes(kam, kam2, admin_user, account):
    out = comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="mine")

    with pytest.raises(PermissionDenied):
        comments.comment_edit(actor=kam2, comment=out.comment, body="theirs now")
    with pytest.raises(PermissionDenied):
        comments.comment_delete(actor=kam2, comment=out.comment)

    comments.comment_delete(actor=admin_user, comment=out.comment)
    assert not Comment.objects.exists()


def test_a_user_who_cannot_see_the_account_cannot_comment_on_it(kam, account):
    outsider = _outsider()
    with pytest.raises(PermissionDenied):
        comments.comment_add(actor=outsider, kind="account", target_id=account.pk, body="hello")
    with pytest.raises(LookupError):
        comments.comment_add(actor=kam, kind="account", target_id=account.pk + 999, body="hello")


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001, "bad \u202e text", "nul \x00"])
def test_empty_overlong_and_control_character_texts_are_refused(kam, account, body):
    with pytest.raises(ValidationError) as refused:
        comments.comment_add(actor=kam, kind="account", target_id=account.pk, body=body)
    assert "body" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_comments_on_an_opportunity_and_a_plan_section_belong_to_the_account(kam, kam2, account):
    opp = make_opportunity(account=account, name="Retrofit")
    plan = make_plan(account=account)
    key = plan.template.specs()[0].key

    o = comments.comment_add(actor=kam, kind="opportunity", target_id=opp.pk, body="@kam2_t price?").comment
    p = comments.comment_add(actor=kam, kind="plan", target_id=plan.pk, key=key, body="section note").comment

    assert (o.account_id, p.account_id, p.target_key) == (account.pk, account.pk, key)
    [n] = _mentions(kam2)
    assert n.link == f"{reverse('opportunity-detail', args=[opp.pk])}#comment-{o.pk}"
    with pytest.raises(LookupError):
        comments.comment_add(actor=kam, kind="plan", target_id=plan.pk, key="no-such-section", body="x")


def test_mention_suggestions_are_the_users_who_may_see_the_target(kam, kam2, head, account):
    _outsider("kamx_outsider")
    target = comments.find_target("account", account.pk)
    assert target is not None

    names = [u.username for u in comments.mention_candidates(kam, target, "ka")]

    assert names == ["kam2_t"]  # not the author, not the outsider
    assert [u.username for u in comments.mention_candidates(kam, target, "he")] == ["head_t"]


# ---------------------------------------------------------------- the panel


def test_the_account_page_shows_the_panel_and_htmx_adds_a_comment_without_reload(client, kam, kam2, account):
    client.force_login(kam)
    page = client.get(reverse("account-detail", args=[account.pk]))
    assert 'data-testid="comments"' in page.content.decode()
    assert "No comments yet." in page.content.decode()

    answer = client.post(
        reverse("comments", args=["account", account.pk]),
        {"body": "<b>bold</b> @kam2_t"},
        headers={"HX-Request": "true"},
    )

    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.lstrip().startswith('<section id="comment-account-')
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold" not in html
    assert '<span class="mention">@kam2_t</span>' in html
    assert len(_mentions(kam2)) == 1


def test_without_htmx_the_post_returns_to_the_page_at_the_comment(client, kam, account):
    client.force_login(kam)
    answer = client.post(reverse("comments", args=["account", account.pk]), {"body": "plain"})
    c = Comment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('account-detail', args=[account.pk])}#comment-{c.pk}"


def test_the_panel_refuses_outsiders_and_unknown_targets(client, kam, account):
    client.force_login(_outsider())
    assert client.post(reverse("comments", args=["account", account.pk]), {"body": "x"}).status_code == 403
    assert client.get(reverse("comment-mentions", args=["account", account.pk]) + "?q=k").status_code == 403
    assert 'data-testid="comments"' not in client.get(reverse("account-detail", args=[account.pk])).content.decode()
    client.force_login(kam)
    assert client.get(reverse("comments", args=["nothing", 1])).status_code == 404
    assert client.get(reverse("comments", args=["account", account.pk + 999])).status_code == 404
    assert not Comment.objects.exists()


def test_edit_and_delete_through_the_panel(client, kam, kam2, account):
    c = comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="first").comment
    client.force_login(kam2)
    assert client.post(reverse("comment-edit", args=[c.pk]), {"body": "hijack"}).status_code == 403
    assert client.post(reverse("comment-delete", args=[c.pk])).status_code == 403

    client.force_login(kam)
    edited = client.post(reverse("comment-edit", args=[c.pk]), {"body": "second"}, headers={"HX-Request": "true"})
    assert edited.status_code == 200
    assert "second" in edited.content.decode()
    deleted = client.post(reverse("comment-delete", args=[c.pk]), headers={"HX-Request": "true"})
    assert deleted.status_code == 200
    assert "No comments yet." in deleted.content.decode()


def test_an_invalid_comment_is_shown_again_with_its_error(client, kam, account):
    client.force_login(kam)
    answer = client.post(
        reverse("comments", args=["account", account.pk]), {"body": "  "}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 422
    assert "Write a comment." in answer.content.decode()


# ---------------------------------------------------------------- the timeline


def test_the_timeline_merges_comments_opportunities_plans_actions_and_team_newest_first(client, kam, kam2, account):
    # given: things happen on the account in several contexts, in this order
    opp = make_opportunity(account=account, name="Retrofit", actor=kam)
    plan = make_plan(account=account, actor=kam)
    action_create(actor=kam, plan=plan, title="Call buyer", owner_id=kam2.pk)
    pipeline_services.opportunity_change_stage(
        actor=kam, opportunity=opp, stage=opp.stage_set.stages.exclude(pk=opp.stage_id).order_by("order")[0]
    )
    comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="Latest word")

    # when
    client.force_login(kam)
    page = client.get(reverse("account-activity", args=[account.pk]))

    # then
    assert page.status_code == 200
    entries = page.context["page"].object_list
    kinds = [e.kind for e in entries]
    assert {"comment", "opportunity", "plan", "action", "team", "account"} <= set(kinds)
    assert kinds[0] == "comment"
    whens = [e.when for e in entries]
    assert whens == sorted(whens, reverse=True)
    texts = " | ".join(e.text for e in entries)
    assert "Opportunity “Retrofit” opened" in texts
    assert "Action “Call buyer” created" in texts
    assert "Opportunity “Retrofit”: stage" in texts

    only = client.get(reverse("account-activity", args=[account.pk]) + "?kind=opportunity")
    assert {e.kind for e in only.context["page"].object_list} == {"opportunity"}


def test_the_timeline_shows_subsidiaries_only_when_asked(client, head, account):
    child = AccountFactory(parent=account, name="Kone Lifts")
    comments.comment_add(actor=head, kind="account", target_id=child.pk, body="child note")
    client.force_login(head)

    without = client.get(reverse("account-activity", args=[account.pk]) + "?kind=comment")
    with_children = client.get(reverse("account-activity", args=[account.pk]) + "?kind=comment&subtree=1")

    assert [e.text for e in without.context["page"].object_list] == []
    assert [e.text for e in with_children.context["page"].object_list] == ["Kone Lifts: child note"]


def test_a_user_who_cannot_read_the_account_gets_no_timeline(client, account):
    client.force_login(_outsider())
    assert client.get(reverse("account-activity", args=[account.pk])).status_code == 403
    assert client.get(reverse("account-activity", args=[account.pk + 999])).status_code == 404


def test_the_timeline_since_a_moment_leaves_out_older_entries(kam, account):
    from kampass.common.activity import account_activity

    comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="old")
    later = timezone.now() + dt.timedelta(seconds=1)

    assert account_activity([account.pk], user=kam, since=later) == []


# ---------------------------------------------------------------- the API


def test_the_api_lists_and_adds_comments_and_notifies_the_mentioned(api, kam, kam2, account):
    # when
    added = api(kam, "post", f"/comments/account/{account.pk}", {"body": "@kam2_t see the API"})
    listed = api(kam2, "get", f"/comments/account/{account.pk}")

    # then
    assert added.status_code == 201, added.content
    assert added.json()["notified"] == [kam2.pk]
    assert added.json()["comment"]["mentions"] == ["kam2_t"]
    assert listed.status_code == 200
    assert [c["body"] for c in listed.json()["items"]] == ["@kam2_t see the API"]
    assert len(_mentions(kam2)) == 1


def test_the_api_refuses_outsiders_unknown_targets_and_blank_texts(api, kam, account):
    outsider = _outsider()
    assert api(outsider, "get", f"/comments/account/{account.pk}").status_code == 403
    assert api(outsider, "post", f"/comments/account/{account.pk}", {"body": "hi"}).status_code == 403
    assert api(kam, "get", "/comments/nothing/1").status_code == 404
    assert api(kam, "post", f"/comments/account/{account.pk}", {"body": "   "}).status_code == 422
    assert api(None, "get", f"/comments/account/{account.pk}").status_code == 401
    assert not Comment.objects.exists()


def test_the_api_gives_the_account_activity_to_its_readers_only(api, kam, account):
    comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="for the timeline")

    mine = api(kam, "get", f"/accounts/{account.pk}/activity?kind=comment")
    theirs = api(_outsider(), "get", f"/accounts/{account.pk}/activity")
    wrong = api(kam, "get", f"/accounts/{account.pk}/activity?kind=gossip")

    assert mine.status_code == 200
    assert [(a["kind"], a["text"]) for a in mine.json()["items"]] == [("comment", "Kone: for the timeline")]
    assert theirs.status_code == 403
    assert wrong.status_code == 422


def test_each_plan_section_has_its_panel_and_a_comment_lands_on_its_section(client, kam, kam2, account):
    plan = make_plan(account=account)
    key = plan.template.specs()[0].key
    client.force_login(kam)

    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    answer = client.post(
        reverse("comments", args=["plan", plan.pk]),
        {"body": "@kam2_t figures?", "key": key},
        headers={"HX-Request": "true"},
    )

    # one panel per section and one on the whole plan (its remarks, e.g. why it was sent back)
    assert page.count('data-testid="comments"') == len(plan.template.specs()) + 1
    assert f'id="comment-plan-{plan.pk}"' in page
    assert f'id="comment-plan-{plan.pk}-{key}"' in page
    assert answer.status_code == 200
    c = Comment.objects.get()
    assert (c.target_kind, c.target_key) == ("plan", key)
    [n] = _mentions(kam2)
    assert n.link == f"{reverse('plan-detail', args=[plan.pk])}#comment-{c.pk}"


def test_the_opportunity_page_shows_the_panel_to_its_readers(client, kam, account):
    opp = make_opportunity(account=account, name="Retrofit")
    comments.comment_add(actor=kam, kind="opportunity", target_id=opp.pk, body="Deal note")
    client.force_login(kam)

    page = client.get(reverse("opportunity-detail", args=[opp.pk])).content.decode()

    assert f'id="comment-opportunity-{opp.pk}"' in page
    assert "Deal note" in page


def test_deleting_the_target_deletes_its_comments(kam, account):
    opp = make_opportunity(account=account, name="Retrofit")
    comments.comment_add(actor=kam, kind="opportunity", target_id=opp.pk, body="on the deal")
    kept = comments.comment_add(actor=kam, kind="account", target_id=account.pk, body="on the account").comment

    opp.delete()

    assert list(Comment.objects.all()) == [kept]


def test_the_timeline_counts_a_run_of_saves_of_one_section_as_one_edit(kam, account):
    from kampass.common.activity import account_activity
    from kampass.planning.services import plan_section_save

    plan = make_plan(account=account, filled=False)
    spec = plan.template.specs()[0]
    field = spec.fields[0].key
    start = timezone.now()

    for text in ("We", "We sell", "We sell pumps"):  # the editor saves as one types
        version = plan.sections.filter(key=spec.key).values_list("version", flat=True).first()
        plan_section_save(actor=kam, plan=plan, key=spec.key, content={field: text}, version=version)

    edits = [a for a in account_activity([account.pk], user=kam, since=start, kinds={"plan"}) if "section" in a.text]
    assert len(edits) == 1
    assert spec.label("en") in edits[0].text
    assert edits[0].who == "Kam_T Tester"
