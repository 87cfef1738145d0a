"""Which opportunities a user sees, the list filters and sorting, the owners to filter by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from kampass.accounts.facade import in_team_subtrees, team_account_ids
from kampass.accounts.models import Account
from kampass.pipeline.models import Opportunity, Outcome
from kampass.users.actors import Actor
from kampass.users.rules import is_admin, is_head, is_kam, is_reader

CENT = Decimal("0.01")


#: the model version's large columns, never needed next to an opportunity
MODEL_BLOBS = ("model_version__model", "model_version__holdout", "model_version__reliability")


def visible_q(user: Actor, prefix: str = "") -> Q | None:
    """A filter for what ``user`` may see (``None``: everything). ``prefix`` leads to the
    opportunity (e.g. ``"opportunity__"`` for risks). A key account manager's accounts are named by
    their ids, read once per request (:func:`kampass.accounts.facade.in_team_subtrees`)."""
    if is_admin(user) or is_head(user) or is_reader(user):
        return None
    return in_team_subtrees(user, f"{prefix}account_id")


def visible_opportunities(user: Actor) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.all()
    q = visible_q(user)
    return qs if q is None else qs.filter(q)


@dataclass(frozen=True)
class OpportunityFilters:
    """Filters of the board, the list and the forecast (all optional)."""

    q: str = ""
    owner: int | None = None  # user id
    owner_name: str = ""  # an imported owner without a user
    account: int | None = None
    account_name: str = ""  # without ``account``: accounts whose name contains it
    subtree: bool = False  # with ``account``: the account and everything below it
    stage: int | None = None
    stage_set: int | None = None
    outcome: str = ""  # open | won | lost
    forecast_category: str = ""
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    sort: str = "close"
    descending: bool = False


SORTS: dict[str, Any] = {
    "close": F("expected_close_date"),
    "name": Lower("name"),  # text sorts ignore case ("acme" next to "Acme", not after "Zeta")
    "amount": F("amount"),
    "probability": F("probability"),
    "owner_probability": F("owner_probability"),
    "stage": F("stage__order"),
    "account": Lower("account__name"),
    "owner": Lower("owner_name"),
    "updated": F("updated_at"),
    "created": F("created_on"),
}


def opportunity_list(*, user: Actor, filters: OpportunityFilters | None = None) -> QuerySet[Opportunity]:
    """Visible opportunities matching ``filters``, sorted (``filters.sort`` in ``SORTS``; missing values last)."""
    f = filters or OpportunityFilters()
    # the model version's name and date only: its pickled model (megabytes) would be read for every row
    qs = visible_opportunities(user).select_related("account", "stage", "owner", "model_version").defer(*MODEL_BLOBS)
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q)
            | Q(account__name__icontains=f.q)
            | Q(owner_name__icontains=f.q)
            | Q(external_id__iexact=f.q)
        )
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.owner_name:
        qs = qs.filter(owner_name=f.owner_name)
    if f.account_name and not f.account:
        qs = qs.filter(account__name__icontains=f.account_name)
    if f.account:
        if f.subtree:
            root = Account.objects.filter(pk=f.account).values_list("path", flat=True).first()
            qs = qs.filter(account__path__startswith=root) if root else qs.none()
        else:
            qs = qs.filter(account_id=f.account)
    if f.stage:
        qs = qs.filter(stage_id=f.stage)
    if f.stage_set:
        qs = qs.filter(stage_set_id=f.stage_set)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.forecast_category:
        qs = qs.filter(forecast_category=f.forecast_category)
    if f.close_from:
        qs = qs.filter(expected_close_date__gte=f.close_from)
    if f.close_to:
        qs = qs.filter(expected_close_date__lte=f.close_to)
    order = SORTS.get(f.sort, SORTS["close"])
    order = order.desc(nulls_last=True) if f.descending else order.asc(nulls_last=True)
    return qs.order_by(order, "pk")


def opportunity_search(*, user: Actor, q: str, limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` opportunities ``user`` may see for the global search, found as the opportunity list
    finds them by name, account name or exact external id: an exact external id or a name beginning with
    ``q`` first, then an account name beginning with it, then the rest; by name within each. One query
    (besides the user's team paths), reading only the columns shown: never the model version's blobs."""
    rank = Case(
        When(Q(external_id__iexact=q) | Q(name__istartswith=q), then=Value(0)),
        When(account__name__istartswith=q, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        visible_opportunities(user)
        .filter(Q(name__icontains=q) | Q(account__name__icontains=q) | Q(external_id__iexact=q))
        .annotate(rank=rank)
        .order_by("rank", Lower("name"), "pk")
        .values("pk", "name", "account__name", "stage__name", "outcome")[:limit]
    )


def may_add_opportunities(user: Actor) -> bool:
    """Whether ``user`` may add an opportunity to some account: head of KAM and administrators
    anywhere, a key account manager on the accounts of their teams."""
    return bool(is_admin(user) or is_head(user) or (is_kam(user) and team_account_ids(user)))


def owner_options(*, user: Actor) -> list[tuple[str, str]]:
    """Owners of visible opportunities as (filter value, label): ``"u:<id>"`` for users, ``"n:<name>"`` for names."""
    from kampass.users.models import USER_NAME_FIELDS, User, user_name

    visible = visible_q(user)
    qs = Opportunity.objects.all() if visible is None else Opportunity.objects.filter(visible)
    fields = ("pk", *USER_NAME_FIELDS)
    if visible is None:
        # whoever sees every deal: per user whether they own one (an index probe each), instead of making the
        # owners of 100,000 deals distinct
        users = User.objects.filter(Exists(Opportunity.objects.filter(owner=OuterRef("pk")))).values_list(*fields)
    else:  # the deals of the user's accounts are few: their owners
        users = User.objects.filter(pk__in=qs.filter(owner__isnull=False).values("owner_id")).values_list(*fields)
    out = [(f"u:{pk}", user_name(*parts)) for pk, *parts in users]
    names = (
        qs.filter(owner__isnull=True).exclude(owner_name="").values_list("owner_name", flat=True).order_by().distinct()
    )
    out += [(f"n:{n}", n) for n in names]
    return sorted(out, key=lambda o: o[1].lower())


def ensure_visible(user: Actor, opportunity: Opportunity) -> None:
    if not user.has_perm("pipeline.view_opportunity", opportunity):
        raise PermissionDenied


def overdue_deals_of(user: Actor, *, today: dt.date) -> list[Opportunity]:
    """The open opportunities ``user`` owns whose expected close date has passed, the oldest first ("My work")."""
    qs = Opportunity.objects.filter(
        owner_id=getattr(user, "pk", None), outcome=Outcome.OPEN, expected_close_date__lt=today
    )
    return list(qs.select_related("account").order_by("expected_close_date", "pk"))
