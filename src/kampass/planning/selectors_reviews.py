"""Reads of account reviews: the list a user sees (with filters, sort and the due/overdue flag), the
review facts per account for the health score and the programme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kampass.accounts import facade as accounts_facade
from kampass.core import kpis as core
from kampass.planning.models import AccountReview, AccountReviewCadence, ReviewStatus
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_reader

#: what the list can show: planned reviews due soon, overdue, still to come, held, cancelled, all
STATES = ("open", "due", "overdue", "upcoming", "held", "cancelled", "all")
SORTS = {
    "due": ("due_on", "pk"),
    "-due": ("-due_on", "-pk"),
    "account": ("account__name", "due_on", "pk"),
    "-account": ("-account__name", "due_on", "pk"),
    "held": ("held_on", "pk"),
    "-held": ("-held_on", "-pk"),
}


def reviews_visible(*, user: Actor) -> QuerySet[AccountReview]:
    """The reviews ``user`` may read: all for head, admin, controller and viewer; a KAM those of the
    accounts on whose team they are (or below)."""
    reviews = AccountReview.objects.select_related("account", "plan", "held_by")
    if is_admin(user) or is_head(user) or is_reader(user):
        return reviews
    return reviews.filter(accounts_facade.in_team_subtrees(user))


def review_list(
    *,
    user: Actor,
    today: dt.date,
    state: str = "open",
    kind: str = "",
    account_id: int | None = None,
    q: str = "",
    sort: str = "due",
) -> QuerySet[AccountReview]:
    """The visible reviews filtered by ``state`` (see :data:`STATES`; due = planned within 14 days or
    today, overdue = planned before today), ``kind``, account or account name ``q``, sorted by ``sort``."""
    return _filtered(
        reviews_visible(user=user), today=today, state=state, kind=kind, account_id=account_id, q=q, sort=sort
    )


def review_list_all(*, today: dt.date, state: str = "open", sort: str = "due") -> QuerySet[AccountReview]:
    """The reviews of every account filtered and sorted as :func:`review_list` does (for the CLI, which runs
    as the system)."""
    reviews = AccountReview.objects.select_related("account", "plan", "held_by")
    return _filtered(reviews, today=today, state=state, kind="", account_id=None, q="", sort=sort)


def _filtered(
    reviews: QuerySet[AccountReview],
    *,
    today: dt.date,
    state: str,
    kind: str,
    account_id: int | None,
    q: str,
    sort: str,
) -> QuerySet[AccountReview]:
    soon = today + dt.timedelta(days=core.DUE_SOON_DAYS)
    planned = Q(status=ReviewStatus.PLANNED)
    filters = {
        "open": planned,
        "due": planned & Q(due_on__gte=today, due_on__lte=soon),
        "overdue": planned & Q(due_on__lt=today),
        "upcoming": planned & Q(due_on__gt=soon),
        "held": Q(status=ReviewStatus.HELD),
        "cancelled": Q(status=ReviewStatus.CANCELLED),
        "all": Q(),
    }
    reviews = reviews.filter(filters.get(state, planned))
    if kind:
        reviews = reviews.filter(kind=kind)
    if account_id is not None:
        reviews = reviews.filter(account_id=account_id)
    if q:
        reviews = reviews.filter(account__name__icontains=q)
    return reviews.order_by(*SORTS.get(sort, SORTS["due"]))


def due_flag(review: AccountReview, today: dt.date) -> str:
    """``overdue``, ``due`` or ``upcoming`` for a planned review; its status otherwise."""
    if review.status != ReviewStatus.PLANNED:
        return str(review.status)
    return core.due_state(review.due_on, today)


def cadence_of(account_id: int) -> str:
    """The account's check-in cadence (its own, else the default)."""
    from kampass.planning.services_reviews import default_cadence

    own = AccountReviewCadence.objects.filter(account_id=account_id).values_list("cadence", flat=True).first()
    return own or default_cadence()


def held_counts(account_ids: Iterable[int], *, since: dt.date, until: dt.date | None = None) -> dict[int, int]:
    """``{account_id: n}``: reviews of each account held on or after ``since`` (and on or before
    ``until`` when given) (0 for none)."""
    ids = sorted(set(account_ids))
    counts = dict.fromkeys(ids, 0)
    held = AccountReview.objects.filter(account_id__in=ids, status=ReviewStatus.HELD, held_on__gte=since)
    if until is not None:
        held = held.filter(held_on__lte=until)
    for account_id in held.values_list("account_id", flat=True):
        counts[account_id] += 1
    return counts


@dataclass(frozen=True)
class ReviewFacts:
    """The review side of one account as of a day: the last review held, the next one planned, how many
    planned reviews are overdue and how many were held in the last 12 months."""

    account_id: int
    last_held_on: dt.date | None
    days_since_last_held: int | None
    next_due_on: dt.date | None
    overdue: int
    held_last_12_months: int
    cadence: str


def review_facts(account_ids: Iterable[int], today: dt.date) -> dict[int, ReviewFacts]:
    """``{account_id: ReviewFacts}`` for every given account."""
    from kampass.planning.services_reviews import default_cadence

    ids = sorted(set(account_ids))
    since = today - dt.timedelta(days=365)
    last: dict[int, dt.date] = {}
    nxt: dict[int, dt.date] = {}
    overdue = dict.fromkeys(ids, 0)
    held = dict.fromkeys(ids, 0)
    for account_id, status, due_on, held_on in AccountReview.objects.filter(account_id__in=ids).values_list(
        "account_id", "status", "due_on", "held_on"
    ):
        if status == ReviewStatus.HELD and held_on is not None and held_on <= today:
            last[account_id] = max(held_on, last.get(account_id, held_on))
            if held_on >= since:
                held[account_id] += 1
        elif status == ReviewStatus.PLANNED:
            nxt[account_id] = min(due_on, nxt.get(account_id, due_on))
            if due_on < today:
                overdue[account_id] += 1
    cadences = dict(AccountReviewCadence.objects.filter(account_id__in=ids).values_list("account_id", "cadence"))
    default = default_cadence()
    return {
        a: ReviewFacts(
            a,
            last.get(a),
            (today - last[a]).days if a in last else None,
            nxt.get(a),
            overdue[a],
            held[a],
            cadences.get(a, default),
        )
        for a in ids
    }


def reviews_due_for(*, user: Actor, today: dt.date) -> list[AccountReview]:
    """The planned reviews ``user`` should see to ("My work"): those due within
    :data:`~kampass.core.kpis.DUE_SOON_DAYS` days or overdue, of the accounts on the user's teams (or
    below; head and administrator: of all accounts), the most overdue first. Readers (controller,
    viewer) hold no reviews and get none."""
    if is_reader(user) and not (is_admin(user) or is_head(user)):
        return []
    soon = today + dt.timedelta(days=core.DUE_SOON_DAYS)
    qs = reviews_visible(user=user).filter(status=ReviewStatus.PLANNED, due_on__lte=soon)
    return list(qs.order_by("due_on", "pk"))
