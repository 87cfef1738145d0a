"""The optimism analysis: owners' probabilities against outcomes (and the model's) per owner, team or account."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Count, Max

from kampass.accounts.models import Account, TeamMember
from kampass.common.permissions import authorize
from kampass.common.process_memo import ProcessMemo
from kampass.common.request_memo import memoised
from kampass.pipeline.models import ModelVersion, Opportunity, Outcome
from kampass.pipeline.selectors.lists import OpportunityFilters, opportunity_list
from kampass.users.actors import Actor
from kampass.users.models import OrgUnit

#: Bias (mean probability minus win rate) beyond which a group's numbers read as optimistic
#: (above) or sandbagging (below), in percentage points.
OPTIMISM_THRESHOLD_POINTS = 5


def bias_leaning(bias: float | None) -> str:
    """``"optimistic"``, ``"sandbagging"`` or ``""`` for a bias given as a fraction (0.07 = 7 points)."""
    if bias is None:
        return ""
    if bias * 100 > OPTIMISM_THRESHOLD_POINTS:
        return "optimistic"
    if bias * 100 < -OPTIMISM_THRESHOLD_POINTS:
        return "sandbagging"
    return ""


@dataclass(frozen=True)
class OptimismReport:
    """Owners' probabilities vs outcomes (and the model's) per owner, team or account, over the
    visible closed opportunities. ``rows`` are core ``CalibrationRow`` records; the model's
    probability of a deal is the score stored while it was open, else its out-of-fold
    probability from the active model version's cross-validation."""

    by: str
    rows: list[Any]
    deals: int
    with_owner_probability: int
    with_model_probability: int
    model_version: str | None
    pooling: Any = None  # core ``Pooling``: each group's owner bias shrunk towards its team's (or the overall)

    def pooled(self, group: str) -> Any:
        """The ``PooledBias`` of ``group`` (``None`` without pooling)."""
        return self.pooling.row(group) if self.pooling is not None else None

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "deals": self.deals,
            "with_owner_probability": self.with_owner_probability,
            "with_model_probability": self.with_model_probability,
            "model_version": self.model_version,
            "shrinkage": None
            if self.pooling is None
            else {
                "k": self.pooling.k,
                "k_source": self.pooling.k_source,
                "sigma2": self.pooling.sigma2,
                "tau2": self.pooling.tau2,
                "towards": "team" if self.by == "owner" else "all",
            },
            "rows": [
                {
                    "group": r.group,
                    "deals": r.owner_deals,
                    "closed_deals": r.deals,
                    "win_rate": r.win_rate,
                    "owner_win_rate": r.owner_win_rate,
                    "model_win_rate": r.model_win_rate,
                    "owner_mean": r.owner_mean,
                    "owner_bias": r.owner_bias,
                    "owner_bias_shrunk": p.shrunk if (p := self.pooled(r.group)) else None,
                    "owner_bias_prior": p.prior if p else None,
                    "shrinkage_weight": p.weight if p else None,
                    "small_sample": p.small_sample if p else r.owner_deals == 0,
                    "owner_brier": r.owner_brier,
                    "model_mean": r.model_mean,
                    "model_bias": r.model_bias,
                    "model_brier": r.model_brier,
                }
                for r in self.rows
            ],
        }


def _owner_units(records: list[tuple[Any, ...]]) -> dict[tuple[int, int], str]:
    """Org unit of (owner, account) from the account teams (on the account or an ancestor)."""
    from kampass.core.hierarchy import path_ids

    owners = {r[1] for r in records if r[1]}
    members = TeamMember.objects.filter(user_id__in=owners, org_unit__isnull=False).values_list(
        "user_id", "account_id", "org_unit__name"
    )
    unit_of: dict[tuple[int, int], str] = {(u, a): n for u, a, n in members}
    fallback: dict[int, str] = {}
    for u, _a, n in members:
        fallback.setdefault(u, n)
    out = {}
    for r in records:
        if not r[1]:
            continue
        name = next((unit_of[(r[1], a)] for a in reversed(path_ids(r[2]) or []) if (r[1], a) in unit_of), None)
        out[(r[1], r[0])] = name or fallback.get(r[1], "")
    return out


#: the columns of :func:`closed_deal_records`, in their order
CLOSED_DEAL_COLUMNS = (
    "pk", "owner_id", "account__path", "outcome", "owner_probability", "probability", "scored_at", "closed_on",
    "owner__first_name", "owner__last_name", "owner__username", "owner_name", "account__name",
)  # fmt: skip


T = TypeVar("T")

#: what was derived from the closed deals (their rows, the optimism reports, the reliability bins), kept
#: in the process under :func:`closed_deals_stamp`: the forecast page reads tens of thousands of closed
#: deals at the size of a large supplier, and they change rarely
_derived: ProcessMemo[Any] = ProcessMemo(size=64)


def closed_deals_stamp() -> tuple[Any, ...]:
    """Equal while everything the closed-deal figures are derived from stays the same (once per page request):
    the opportunities (count, highest id, last change, last history record: a bulk import writes history),
    the accounts and account teams (paths, names, who sees what), the users' names, roles, view currencies and
    groups, the org units' names and the active model version. A few small aggregate queries instead of reading
    every closed deal."""

    def read() -> tuple[Any, ...]:
        users = hashlib.blake2b(digest_size=16)
        User = get_user_model()
        for rows in (
            User.objects.order_by("pk").values_list(
                "pk", "first_name", "last_name", "username", "is_active", "is_superuser", "role", "view_currency"
            ),
            User.groups.through.objects.order_by("pk").values_list("user_id", "group_id"),
            OrgUnit.objects.order_by("pk").values_list("pk", "name"),
        ):
            users.update(repr(list(rows)).encode())
        active = ModelVersion.objects.filter(active=True).order_by("-trained_at")
        model = active.values_list("pk", "trained_at").first()
        return (
            # one aggregate per query: a lone MAX is read off its index (together they scan every deal)
            Opportunity.objects.count(),
            Opportunity.objects.aggregate(m=Max("id"))["m"],
            Opportunity.objects.aggregate(u=Max("updated_at"))["u"],
            Opportunity.history.aggregate(h=Max("history_id"))["h"],
            tuple(Account.objects.aggregate(n=Count("id"), u=Max("updated_at")).values()),
            Account.history.aggregate(h=Max("history_id"))["h"],
            tuple(TeamMember.objects.aggregate(n=Count("id"), m=Max("id")).values()),
            TeamMember.history.aggregate(h=Max("history_id"))["h"],
            users.hexdigest(),
            model,
        )

    return memoised("pipeline.closed_deals_stamp", read)


def derived_from_closed_deals(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the process (and in the page request) while :func:`closed_deals_stamp` holds;
    ``key`` names everything else it depends on (the user, the filters, the grouping)."""
    full = (key, closed_deals_stamp())
    return _derived.for_request(full, compute)


def closed_deal_records(*, user: Actor, filters: OpportunityFilters | None = None) -> list[tuple[Any, ...]]:
    """The visible closed opportunities in ``filters`` as rows of :data:`CLOSED_DEAL_COLUMNS`: read once while
    they stay the same (the forecast page's optimism analysis and its reliability chart both read them).
    The list is shared: callers must not change it."""

    def read() -> list[tuple[Any, ...]]:
        qs = opportunity_list(user=user, filters=filters).exclude(outcome=Outcome.OPEN)
        return list(qs.values_list(*CLOSED_DEAL_COLUMNS))

    return derived_from_closed_deals(("records", getattr(user, "pk", None), filters), read)


def active_holdout() -> tuple[str | None, dict[str, float]]:
    """The active model version and its out-of-fold probabilities by opportunity id (read once per version;
    the dict is shared: callers must not change it)."""

    def read() -> tuple[str | None, dict[str, float]]:
        active = ModelVersion.objects.filter(active=True).order_by("-trained_at").only("version", "holdout").first()
        return (active.version, active.holdout or {}) if active else (None, {})

    return derived_from_closed_deals("holdout", read)


def model_probability(record: tuple[Any, ...], holdout: dict[str, float]) -> float | None:
    """The model's probability of a closed deal (a row of :func:`closed_deal_records`): its score stored while
    it was open, else its out-of-fold probability from the active model version's cross-validation."""
    pk, p, scored_at, closed_on = record[0], record[5], record[6], record[7]
    scored_open = p is not None and scored_at is not None and (closed_on is None or scored_at.date() <= closed_on)
    return p if scored_open else holdout.get(str(pk))


def optimism(*, user: Actor, by: str = "owner", filters: OpportunityFilters | None = None) -> OptimismReport:
    """How optimistic owners' numbers are per owner, team (the owner's org unit) or account,
    compared with outcomes and with the model (core ``owner_calibration``); each group's owner bias
    also shrunk towards its team's (per owner; per team or account: towards the overall bias) with
    the small-sample mark (core ``pooled_biases``). Kept while :func:`closed_deals_stamp` holds."""
    authorize(user, "pipeline.view_pipeline")
    if by not in ("owner", "team", "account"):
        by = "owner"
    return derived_from_closed_deals(
        ("optimism", getattr(user, "pk", None), by, filters), lambda: _optimism(user=user, by=by, filters=filters)
    )


def _optimism(*, user: Actor, by: str, filters: OpportunityFilters | None) -> OptimismReport:
    from kampass.core.forecasting import owner_calibration
    from kampass.core.forecasting.shrinkage import pooled_biases

    records = closed_deal_records(user=user, filters=filters)
    version, holdout = active_holdout()
    units = _owner_units([(r[0], r[1], r[2]) for r in records]) if by in ("team", "owner") else {}
    owner_ps: list[float | None] = []
    model_ps: list[float | None] = []
    outcomes: list[int] = []
    groups: list[str] = []
    for r in records:
        owner_ps.append(None if r[4] is None else r[4] / 100)
        model_ps.append(model_probability(r, holdout))
        outcomes.append(1 if r[3] == Outcome.WON else 0)
        if by == "owner":
            groups.append((f"{r[8]} {r[9]}".strip() or r[10]) if r[1] else (r[11] or "–"))
        elif by == "team":
            groups.append(units.get((r[1], r[0]), "") or "–")
        else:
            groups.append(r[12])
    rows = owner_calibration(owner_ps, model_ps, outcomes, groups) if records else []
    teams: list[str | None] = [None] * len(records)
    if by == "owner":
        team_of_group = _main_unit(groups, [units.get((r[1], r[0]), "") for r in records])
        teams = [team_of_group.get(g) or None for g in groups]
    pooling = pooled_biases(owner_ps, outcomes, groups, teams) if records else None
    return OptimismReport(
        by=by,
        rows=list(rows),
        deals=len(records),
        with_owner_probability=sum(p is not None for p in owner_ps),
        with_model_probability=sum(p is not None for p in model_ps),
        model_version=version,
        pooling=pooling,
    )


def _main_unit(groups: list[str], units: list[str]) -> dict[str, str]:
    """The org unit most of a group's deals name (ties: the first by name): the owner's team."""
    from collections import Counter

    counts: dict[str, Counter[str]] = {}
    for g, u in zip(groups, units, strict=True):
        if u:
            counts.setdefault(g, Counter())[u] += 1
    return {g: min(c, key=lambda u: (-c[u], u)) for g, c in counts.items()}
