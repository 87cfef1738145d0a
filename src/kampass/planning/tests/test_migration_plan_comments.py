"""The data migration that moves the old plan comments (``planning.PlanComment``) into ``common.Comment``:
run for real, from the schema before it (rows written with the historical model) to the schema after it
(the old table dropped)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.models import Comment
from kampass.planning.tests.factories import make_plan

BEFORE = [("planning", "0007_plan_export_jobs")]
AFTER = [("planning", "0009_remove_plancomment")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_plan_comments_become_plan_comments_of_the_common_store(kam, kam2):
    # given: a plan, and the schema as it was before the migration, with old comments on a section and on
    # the whole plan (one mentioning a colleague, one whose author was deleted since)
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    plan = make_plan(account=account, actor=kam)
    existing = set(Comment.objects.values_list("pk", flat=True))  # e.g. the remarks of the life-cycle moves
    old_apps = _migrate(BEFORE)
    try:
        PlanComment = old_apps.get_model("planning", "PlanComment")
        written = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
        on_section = PlanComment.objects.create(
            plan_id=plan.pk, section_key="situation", author_id=kam.pk, body="Figures? @KAM2_T"
        )
        on_plan = PlanComment.objects.create(plan_id=plan.pk, section_key="", author_id=None, body="Sent back")
        PlanComment.objects.filter(pk=on_section.pk).update(created_at=written)
        PlanComment.objects.filter(pk=on_plan.pk).update(created_at=written + dt.timedelta(days=1))

        # when
        _migrate(AFTER)
    finally:
        _migrate(AFTER)  # the database as the other tests expect it, also when the test fails

    # then: two comments of the kind "plan" on the plan's account, with author, text and time kept
    moved = Comment.objects.exclude(pk__in=existing).order_by("created_at")
    assert [(c.target_kind, c.target_id, c.target_key, c.account_id) for c in moved] == [
        ("plan", plan.pk, "situation", account.pk),
        ("plan", plan.pk, "", account.pk),
    ]
    assert [(c.author_id, c.body, c.created_at) for c in moved] == [
        (kam.pk, "Figures? @KAM2_T", written),
        (None, "Sent back", written + dt.timedelta(days=1)),
    ]
    assert [list(c.mentions.all()) for c in moved] == [[kam2], []]
    # and the old table is gone
    assert "planning_plancomment" not in connection.introspection.table_names()
