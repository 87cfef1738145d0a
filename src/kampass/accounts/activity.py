"""The accounts context's part of an account's timeline (registered in :mod:`kampass.common.activity`):
changes of the account's own fields, of its team and of its buying centre (contacts added, removed or
given other roles), from the change history; and the commentable target ``account`` (registered in
:mod:`kampass.common.comments`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kampass.accounts.models import Account, BuyingCentreMember, Contact, TeamMember, buying_role_labels
from kampass.accounts.selectors import _history_entries
from kampass.common.activity import Activity
from kampass.common.comments import Target


def _readable(user: Any, account_ids: Sequence[int]) -> dict[int, Account]:
    accounts = Account.objects.filter(pk__in=list(account_ids))
    return {a.pk: a for a in accounts if user.has_perm("accounts.view_account_details", a)}


def account_activity(
    account_ids: Sequence[int], *, user: Any, since: dt.datetime | None = None, limit: int = 500
) -> list[Activity]:
    """Field changes of the accounts and changes of their teams, newest first, on the accounts whose
    details ``user`` may read."""
    readable = _readable(user, account_ids)
    out: list[Activity] = []
    for acc_id in readable:
        accounts = Account.history.filter(id=acc_id).select_related("history_user")
        team = TeamMember.history.filter(account_id=acc_id).select_related("history_user", "user")
        if since is not None:
            accounts, team = accounts.filter(history_date__gte=since), team.filter(history_date__gte=since)
        link = reverse("account-detail", args=[acc_id])
        for e in _history_entries(list(accounts.order_by("-history_date")[:limit]), "account", lambda r: r.name):
            if e.action == "created":
                text = _("Account “%(name)s” created") % {"name": e.object_label}
            else:
                text = "; ".join(f"{f}: {old or '–'} → {new or '–'}" for f, old, new in e.changes)
            out.append(Activity(e.when, str(e.who or "–"), "account", text, link, acc_id))
        for e in _history_entries(list(team.order_by("-history_date")[:limit]), "team", lambda r: str(r.user)):
            if e.action == "created":
                text = _("%(user)s joined the team") % {"user": e.object_label}
            elif e.action == "deleted":
                text = _("%(user)s left the team") % {"user": e.object_label}
            else:
                changes = "; ".join(f"{f}: {old or '–'} → {new or '–'}" for f, old, new in e.changes)
                text = f"{e.object_label}: {changes}"
            out.append(Activity(e.when, str(e.who or "–"), "team", text, link, acc_id))
    out += _buying_centre_activity(list(readable), since)
    out.sort(key=lambda a: a.when, reverse=True)
    return out[:limit]


def _roles(roles: Any) -> str:
    return ", ".join(buying_role_labels(list(roles or []))) or "–"


def _buying_centre_activity(account_ids: list[int], since: dt.datetime | None) -> list[Activity]:
    """Contacts added to or removed from the buying centres of ``account_ids`` and their roles changed: one
    query for the history (with the record before ``since`` of each member changed since) and one for the
    contacts' names, however many entries."""
    records = BuyingCentreMember.history.filter(account_id__in=account_ids).select_related("history_user")
    if since is not None:
        records = records.filter(id__in=records.filter(history_date__gte=since).values("id"))
    ordered = list(records.order_by("id", "history_date", "history_id"))
    names = {c.pk: str(c) for c in Contact.objects.filter(pk__in={r.contact_id for r in ordered})}
    out: list[Activity] = []
    previous: Any = None
    for r in ordered:
        prev = previous if previous is not None and previous.id == r.id else None
        previous = r
        if since is not None and r.history_date < since:
            continue
        contact = names.get(r.contact_id, f"#{r.contact_id}")
        if r.history_type == "+" or prev is None:
            text = _("%(contact)s added to the buying centre (roles: %(roles)s)") % {
                "contact": contact,
                "roles": _roles(r.roles),
            }
        elif r.history_type == "-":
            text = _("%(contact)s removed from the buying centre") % {"contact": contact}
        elif sorted(r.roles or []) != sorted(prev.roles or []):
            text = _("%(contact)s: buying-centre roles %(old)s → %(new)s") % {
                "contact": contact,
                "old": _roles(prev.roles),
                "new": _roles(r.roles),
            }
        else:
            continue
        link = reverse("account-detail", args=[r.account_id])
        out.append(Activity(r.history_date, str(r.history_user or "–"), "buying_centre", text, link, r.account_id))
    return out


def comment_target(target_id: int, key: str) -> Target | None:
    """The account ``target_id`` as a commentable target (no key)."""
    account = Account.objects.filter(pk=target_id).first()
    if account is None or key:
        return None
    return Target(
        "account", account.pk, "", account.pk, account.name, reverse("account-detail", args=[account.pk]), account
    )


def may_view_comments(user: Any, target: Target) -> bool:
    """The readers of the account's details (its team, head of KAM, administrators, controllers, viewers)."""
    return bool(user.has_perm("accounts.view_account_details", target.obj))


#: the most entries the timeline merges (newest first; older ones are not shown)
TIMELINE_LIMIT = 1000


def account_timeline(
    *, user: Any, account: Account, with_subsidiaries: bool = False, kinds: Sequence[str] = ()
) -> list[Activity]:
    """What happened on ``account`` (and its subsidiaries), from every context, newest first (``kinds``:
    only those; empty: all). The caller checks that ``user`` may read the account's details."""
    from kampass.accounts.facade import subtree_account_ids
    from kampass.common.activity import account_activity as merged

    ids = subtree_account_ids(account.pk) if with_subsidiaries else [account.pk]
    return merged(ids, user=user, kinds=list(kinds) or None, limit=TIMELINE_LIMIT)
