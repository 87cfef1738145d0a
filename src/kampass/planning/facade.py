"""What other contexts may ask of the planning context.

* :func:`account_plan_facts`: per account, its plan in force, when it was signed off and whether
  it counts as current (the scorecard's plan freshness);
* :func:`programme_signals`: the navigator's facts (Tools logic):

  - ``accounts_with_plan_share`` (share 0..1): key accounts (status key or strategic account) with a
    signed-off plan (approved or active) approved no longer than ``KAMPASS_PLAN_MAX_AGE_MONTHS``
    (default 12) ago, of all key accounts; ``None`` without key accounts;
  - ``tool_usage_share`` (share 0..1): key account managers (users in the team role KAM on a key
    account) who changed a plan, a plan section, a SWOT item, an objective, a review or an action in the
    last 30 days, of all of them;
    ``None`` without such managers;
  - ``reviews_held`` (count): account reviews held in the last 12 months (:func:`reviews_held_signal`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kampass.common.search import SearchHit


@dataclass(frozen=True)
class PlanFacts:
    """The plan side of one account: its newest signed-off plan (if any) and whether it is current."""

    account_id: int
    plan_id: int | None
    status: str
    approved_on: dt.date | None
    age_months: float | None
    current: bool


def account_plan_facts(account_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, PlanFacts]:
    """``{account_id: PlanFacts}`` for every given account (``plan_id`` None without a signed-off plan).

    For a past ``today`` the facts are those of that day: the newest plan signed off (approved) on or
    before it, also when it has been superseded since (it was the plan in force then); plans approved
    later do not count."""
    from kampass.planning import selectors

    ids = sorted(set(account_ids))
    day = today or timezone.localdate()
    past = day < timezone.localdate()
    newest = selectors.newest_signed_off(ids, as_of=day if past else None)
    facts: dict[int, PlanFacts] = {}
    for account_id in ids:
        plan = newest.get(account_id)
        if plan is None or plan.approved_at is None:
            facts[account_id] = PlanFacts(account_id, None, "", None, None, False)
            continue
        approved_on = timezone.localtime(plan.approved_at).date()
        facts[account_id] = PlanFacts(
            account_id,
            plan.pk,
            plan.status,
            approved_on,
            selectors.plan_age_months(approved_on, day),
            selectors.plan_is_current(plan, today=day, signed_off_then=past),
        )
    return facts


def programme_signals() -> dict[str, float | None]:
    """The planning context's facts for the programme navigator (see the module docstring)."""
    from kampass.accounts import facade as accounts_facade
    from kampass.planning.models import AccountPlan, AccountReview, Objective, PlanAction, PlanSection, SwotItem

    today = timezone.localdate()
    keys = sorted(accounts_facade.key_account_ids())
    with_plan = sum(1 for f in account_plan_facts(keys, today=today).values() if f.current)
    kams = {k.user_id for k in accounts_facade.kam_assignments() if k.is_key_account}
    since = timezone.now() - dt.timedelta(days=30)
    active: set[int] = set()
    for model in (AccountPlan, PlanSection, SwotItem, Objective, AccountReview, PlanAction):
        active |= set(
            model.history.filter(history_date__gte=since, history_user_id__in=kams)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
    return {
        "accounts_with_plan_share": (with_plan / len(keys)) if keys else None,
        "tool_usage_share": (len(active) / len(kams)) if kams else None,
        "reviews_held": reviews_held_signal(today=today),
    }


# ---- reviews (objectives, KPIs and reviews of the account workspace) ---------------------------------


def reviews_held(account_ids: Iterable[int], *, since: dt.date, until: dt.date | None = None) -> dict[int, int]:
    """``{account_id: n}``: how many reviews of each given account were held on or after ``since`` and,
    when given, on or before ``until`` (0 for none); for the health score."""
    from kampass.planning.selectors_reviews import held_counts

    return held_counts(account_ids, since=since, until=until)


def review_facts(account_ids: Iterable[int], today: dt.date) -> dict[int, Any]:
    """``{account_id: ReviewFacts}`` (frozen): the last review held (and days since), the next planned,
    the number of overdue planned reviews, the reviews held in the 12 months up to ``today`` and the
    account's check-in cadence; for the health score."""
    from kampass.planning.selectors_reviews import review_facts as _facts

    return dict(_facts(account_ids, today))


def reviews_held_signal(*, today: dt.date | None = None) -> float:
    """The programme's ``reviews_held`` signal (a count): account reviews held in the 12 months up to
    ``today`` (365 days), of any account."""
    from kampass.planning.models import AccountReview, ReviewStatus

    day = today or timezone.localdate()
    since = day - dt.timedelta(days=365)
    return float(AccountReview.objects.filter(status=ReviewStatus.HELD, held_on__gte=since, held_on__lte=day).count())


def account_kpi_values(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, dict[str, Any]]:
    """``{account_id: {kpi key: KpiValue}}`` (frozen): the KPI catalogue's values of each account (a
    group: its subtree) as of ``as_of`` in the reporting currency (see :func:`kampass.planning.kpis.account_kpis`)."""
    from kampass.planning.kpis import account_kpis

    return account_kpis(account_ids, as_of=as_of)


def relationship_ranks(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, int | None]:
    """``{account_id: rank}``: the rank (1 exploratory .. 5 integrated; ``None`` disintegrating or never
    assessed) of each account's newest relationship stage recorded on or before ``as_of``."""
    from kampass.planning.kpis import relationship_ranks as _ranks

    return _ranks(account_ids, as_of=as_of)


def search_plans(*, user: Any, q: str, limit: int) -> list[SearchHit]:
    """The global search's account plans (``kampass.common.search``): the versions ``user`` may read, as the
    plan list finds them (by the account's name); the subtitle names the period, the version and the status."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from kampass.planning.models import PlanStatus
    from kampass.planning.selectors import plan_search

    statuses = dict(PlanStatus.choices)
    hits = []
    for row in plan_search(user=user, q=q, limit=limit):
        subtitle = gettext("%(start)s – %(end)s · version %(number)s · %(status)s") % {
            "start": date_format(row["period_start"], "SHORT_DATE_FORMAT"),
            "end": date_format(row["period_end"], "SHORT_DATE_FORMAT"),
            "number": row["number"],
            "status": statuses.get(row["status"], row["status"]),
        }
        hits.append(
            SearchHit(title=row["account__name"], subtitle=subtitle, url=reverse("plan-detail", args=[row["pk"]]))
        )
    return hits


# ---- "My work": the user's open actions and the reviews due ------------------------------------------


@dataclass(frozen=True)
class WorkAction:
    """An open action of a user's "My work": what, of which account's plan, due when and whether overdue."""

    id: int
    title: str
    plan_id: int
    account_id: int
    account_name: str
    due_date: dt.date | None
    status: str
    status_label: str
    overdue: bool


@dataclass(frozen=True)
class WorkReview:
    """A planned account review due within 14 days or overdue (``overdue``: its due date has passed)."""

    id: int
    account_id: int
    account_name: str
    kind_label: str
    due_on: dt.date
    overdue: bool


def my_open_actions(user: Any, *, today: dt.date) -> list[WorkAction]:
    """The open actions ``user`` owns of current plan versions, the overdue first (a fixed number of queries)."""
    from kampass.planning.action_selectors import my_open_actions as _actions

    return [
        WorkAction(
            a.pk,
            a.title,
            a.plan_id,
            a.plan.account_id,
            a.plan.account.name,
            a.due_date,
            a.status,
            str(a.get_status_display()),
            a.is_overdue(today),
        )
        for a in _actions(user)
    ]


def reviews_due(user: Any, *, today: dt.date) -> list[WorkReview]:
    """The planned reviews due within 14 days or overdue of the accounts on ``user``'s teams (head and
    administrator: of all accounts), the most overdue first (a fixed number of queries)."""
    from kampass.planning.selectors_reviews import reviews_due_for

    return [
        WorkReview(r.pk, r.account_id, r.account.name, str(r.get_kind_display()), r.due_on, r.due_on < today)
        for r in reviews_due_for(user=user, today=today)
    ]
