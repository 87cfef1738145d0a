"""End to end: a key account manager comments on an account and mentions a colleague, picking them from the
suggestions after "@" with the keyboard; the comment appears without a page load. The colleague (who reads
kampass in German) logs in, sees the bell's count, opens the notification and lands at the comment; the
account's activity timeline lists it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_mention_reaches_the_colleague_and_leads_to_the_comment(
    live_server: Any, new_page: Any, make_user: Any, login: Any
) -> None:
    from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory

    kam = make_user("kam_e2e", "kam")
    colleague = make_user("colleague_e2e", "kam", language="de")
    make_user("colleague_outsider", "kam")  # on no team of the account: never suggested
    account = AccountFactory(name="Kestrel AG", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    TeamMemberFactory(account=account, user=colleague)
    base = live_server.url

    # the key account manager writes a comment, choosing the colleague from the suggestions
    page = new_page()
    login(page, "kam_e2e")
    page.goto(f"{base}/accounts/{account.pk}/")
    panel = page.locator("[data-testid=comments]")
    expect(panel.locator("[data-testid=comments-empty]")).to_be_visible()
    field = panel.locator("textarea[name=body]")
    field.click()
    page.keyboard.type("Please call the buyer, @coll")
    suggestions = page.locator("[data-testid=mention-suggestions] [role=option]")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text("@colleague_e2e")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Please call the buyer, @colleague_e2e ")
    page.keyboard.type("today.")
    url_before = page.url
    panel.locator("[data-testid=comment-submit]").click()

    comment = page.locator("[data-testid=comment]")
    expect(comment).to_have_count(1)
    expect(comment.locator(".mention")).to_have_text("@colleague_e2e")
    assert page.url == url_before  # added by HTMX, no page load

    # the colleague sees the bell's count, opens the notification and lands at the comment
    other = new_page()
    login(other, "colleague_e2e")
    expect(other.locator("[data-testid=unread-count]")).to_have_text("1")
    other.locator("[data-testid=notification-bell]").click()
    row = other.locator("[data-testid=notification-row]")
    expect(row).to_contain_text("hat Sie in einem Kommentar zu Kestrel AG erwähnt")
    row.locator("[data-testid=open-notification]").click()
    expect(other).to_have_url(f"{base}/accounts/{account.pk}/#comment-{_comment_id()}")
    target = other.locator(f"#comment-{_comment_id()}")
    expect(target).to_be_visible()
    expect(target).to_contain_text("Please call the buyer")
    expect(other.locator("[data-testid=comments] h2")).to_have_text("Kommentare")
    expect(other.locator("[data-testid=unread-count]")).to_have_count(0)

    # the account's timeline lists the comment
    other.locator("[data-testid=activity-link]").click()
    expect(other.locator("[data-testid=activity]")).to_contain_text("Kestrel AG: Please call the buyer")


def _comment_id() -> int:
    from kampass.common.models import Comment

    return Comment.objects.get().pk
