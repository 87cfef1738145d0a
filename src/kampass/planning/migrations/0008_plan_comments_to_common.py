"""Move the old plan comments (``planning.PlanComment``) into the one comment store, ``common.Comment``.

A plan comment becomes a comment on the target kind ``"plan"`` that the planning context registers in
``kampass.common.comments`` (``planning.activity.comment_target``): the plan's id as ``target_id``, the
section's key as ``target_key`` (empty: on the whole plan) and the plan's account as ``account_id``, with
its author, text and time of writing kept. The ``@usernames`` in the text are recorded as its mentions
(nobody is notified again), so that editing it later notifies only the users the edit newly mentions.

Reversing leaves the comments in ``common.Comment`` (the code before this migration shows them there too,
in the sections' comment panels): nothing is lost and nothing is shown twice.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

#: the ``@username`` pattern of ``kampass.common.comments.MENTION`` as of this migration
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*[\w+-])")


def _mentioned(apps: Any, body: str) -> list[Any]:
    from django.db.models import Q

    names = {n.lower() for n in MENTION.findall(body)}
    if not names:
        return []
    User = apps.get_model("users", "User")
    query = Q()
    for name in sorted(names):
        query |= Q(username__iexact=name)
    return list(User.objects.filter(query, is_active=True))


def plan_comments_to_common(apps: Any, schema_editor: Any) -> None:
    PlanComment = apps.get_model("planning", "PlanComment")
    Comment = apps.get_model("common", "Comment")
    for old in PlanComment.objects.select_related("plan").order_by("created_at", "pk").iterator():
        new = Comment.objects.create(
            target_kind="plan",
            target_id=old.plan_id,
            target_key=old.section_key,
            account_id=old.plan.account_id,
            author_id=old.author_id,
            body=old.body,
        )
        # ``created_at`` is set on creation (auto_now_add): the time of writing is put back afterwards
        Comment.objects.filter(pk=new.pk).update(created_at=old.created_at)
        mentioned = _mentioned(apps, old.body)
        if mentioned:
            new.mentions.set(mentioned)
    PlanComment.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0007_plan_export_jobs"),
        ("common", "0006_comment"),
        ("users", "__first__"),
    ]

    operations = [
        migrations.RunPython(plan_comments_to_common, migrations.RunPython.noop),
    ]
