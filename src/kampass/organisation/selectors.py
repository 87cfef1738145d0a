"""Read operations of the organisation context."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.organisation.competence_gap import GapRow, effective_targets, mean_positive_gap
from kampass.organisation.models import (
    OPEN_STATUSES,
    Competence,
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    ProfileRole,
    RaciAssignment,
    StructureSettings,
)
from kampass.organisation.raci import ActivityCheck, check_codes, check_matrix
from kampass.users.actors import Actor
from kampass.users.models import Role, User

# ---------------------------------------------------------------- function diagram


@dataclass(frozen=True)
class RaciMatrix:
    """The function diagram of the active activities and roles."""

    activities: list[ProcessActivity]
    roles: list[FunctionRole]
    cells: dict[tuple[int, int], str]
    checks: dict[int, ActivityCheck]
    versions: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def conflict_count(self) -> int:
        """Number of activities with at least one conflict."""
        return sum(1 for c in self.checks.values() if c.conflicts)

    def code(self, activity_id: int, role_id: int) -> str:
        return self.cells.get((activity_id, role_id), "")

    def version(self, activity_id: int, role_id: int) -> int:
        """The version of a cell (0: empty), which a change of it is based on."""
        return self.versions.get((activity_id, role_id), 0)


def raci_matrix() -> RaciMatrix:
    """The function diagram with the check of every active activity (inactive roles do not count)."""
    activities = list(ProcessActivity.objects.filter(active=True))
    roles = list(FunctionRole.objects.filter(active=True))
    rows = RaciAssignment.objects.filter(activity__active=True, role__active=True).values_list(
        "activity_id", "role_id", "code", "version"
    )
    cells = {(a, r): c for a, r, c, _v in rows}
    versions = {(a, r): v for a, r, _c, v in rows}
    checks = check_matrix([a.pk for a in activities], [(a, r, c) for (a, r), c in cells.items()])
    return RaciMatrix(activities, roles, cells, checks, versions)


def raci_cell(activity: ProcessActivity, role: FunctionRole) -> RaciAssignment | None:
    """The saved cell of ``activity`` and ``role`` (``None``: empty)."""
    return RaciAssignment.objects.filter(activity=activity, role=role).first()


def activity_check(activity: ProcessActivity) -> ActivityCheck:
    """The check of one activity (its cells in active roles)."""
    codes = RaciAssignment.objects.filter(activity=activity, role__active=True).values_list("code", flat=True)
    return check_codes(activity.pk, list(codes))


# ---------------------------------------------------------------- workload and lead units


def structure_settings() -> StructureSettings:
    """The stored settings, or the defaults when none are stored yet."""
    return StructureSettings.objects.order_by("pk").first() or StructureSettings()


@dataclass(frozen=True)
class WorkloadRow:
    """How many accounts one key account manager looks after (as KAM on the account team)."""

    user_id: int
    name: str
    role: str
    accounts: int
    key_accounts: int
    over_threshold: bool


def workload(*, threshold: int | None = None) -> list[WorkloadRow]:
    """Accounts per key account manager, most loaded first.

    Lists every active user with the role key account manager (also those without
    accounts) and everybody else who is key account manager on some account team.
    ``over_threshold`` flags more accounts than ``threshold`` (default: the settings).
    """
    limit = structure_settings().max_accounts_per_kam if threshold is None else threshold
    per_user: dict[int, list[accounts_facade.KamAssignment]] = defaultdict(list)
    for a in accounts_facade.kam_assignments():
        per_user[a.user_id].append(a)
    users = User.objects.filter(Q(role=Role.KAM, is_active=True) | Q(pk__in=list(per_user)))
    rows = [
        WorkloadRow(
            u.pk,
            str(u),
            u.role,
            len(per_user[u.pk]),
            sum(1 for a in per_user[u.pk] if a.is_key_account),
            len(per_user[u.pk]) > limit,
        )
        for u in users
    ]
    rows.sort(key=lambda r: (-r.accounts, -r.key_accounts, r.name.lower()))
    return rows


@dataclass(frozen=True)
class KamLoad:
    """The figures of the ``kams_appointed`` and ``accounts_per_kam`` signals."""

    appointed: int
    mean_accounts: float | None


def kam_load() -> KamLoad:
    """Users with the role key account manager who are KAM on at least one account team, and their mean load."""
    kam_ids = set(User.objects.filter(role=Role.KAM).values_list("pk", flat=True))
    counts: dict[int, int] = defaultdict(int)
    for a in accounts_facade.kam_assignments():
        if a.user_id in kam_ids:
            counts[a.user_id] += 1
    if not counts:
        return KamLoad(0, None)
    return KamLoad(len(counts), sum(counts.values()) / len(counts))


@dataclass(frozen=True)
class InternationalAccount:
    """A top-level account whose subtree spans several countries, with its lead unit."""

    account_id: int
    name: str
    kam_status: str
    countries: tuple[str, ...]
    accounts: int
    lead_unit_id: int | None
    lead_unit_name: str

    @property
    def lead_unit_missing(self) -> bool:
        return self.lead_unit_id is None


def international_accounts(*, only_missing: bool = False) -> list[InternationalAccount]:
    """Top-level accounts with accounts in two or more countries in their subtree; those without lead unit first."""
    tree = accounts_facade.account_tree_rows()
    roots = {r.id: r for r in tree if r.parent_id is None}
    countries: dict[int, set[str]] = defaultdict(set)
    sizes: dict[int, int] = defaultdict(int)
    for r in tree:
        first = r.path.split("/", 1)[0]
        root_id = int(first) if first.isdigit() else r.id
        sizes[root_id] += 1
        if r.country:
            countries[root_id].add(r.country)
    result = [
        InternationalAccount(
            root.id,
            root.name,
            root.kam_status,
            tuple(sorted(countries[root.id])),
            sizes[root.id],
            root.lead_unit_id,
            root.lead_unit_name,
        )
        for root in roots.values()
        if len(countries[root.id]) > 1
    ]
    if only_missing:
        result = [r for r in result if r.lead_unit_missing]
    result.sort(key=lambda r: (not r.lead_unit_missing, r.name.lower()))
    return result


# ---------------------------------------------------------------- competence profiles


def profile_people() -> QuerySet[User]:
    """Everybody with a competence profile: active key account managers and heads of KAM."""
    return User.objects.filter(role__in=ProfileRole.values, is_active=True).order_by(
        Lower("last_name"), Lower("first_name"), "username"
    )


def visible_profile_people(*, user: Actor) -> QuerySet[User]:
    """The profiles ``user`` may read: all for head of KAM and administrators, else only their own."""
    people = profile_people()
    if user.has_perm("organisation.view_all_profiles"):
        return people
    return people.filter(pk=user.pk) if user.pk is not None else people.none()


@dataclass(frozen=True)
class ProfileLine:
    """One competence in a profile."""

    competence: Competence
    row: GapRow
    note: str
    version: int = 0  # of the rating (0: none yet), carried by edit forms and the API


@dataclass(frozen=True)
class Profile:
    """A person's competence profile: rating, self-assessment, target and gap per active competence."""

    person: User
    lines: list[ProfileLine]

    @property
    def rated(self) -> int:
        return sum(1 for line in self.lines if line.row.level is not None)

    @property
    def mean_gap(self) -> float | None:
        return mean_positive_gap(line.row for line in self.lines)


def _targets_for(people: list[User], competence_ids: list[int]) -> dict[int, dict[int, int | None]]:
    role_targets: dict[str, dict[int, int]] = defaultdict(dict)
    personal: dict[int, dict[int, int]] = defaultdict(dict)
    for t in CompetenceTarget.objects.filter(competence_id__in=competence_ids):
        if t.user_id is None:
            role_targets[t.role][t.competence_id] = t.level
        else:
            personal[t.user_id][t.competence_id] = t.level
    return {
        p.pk: effective_targets(competence_ids, role_targets.get(p.role, {}), personal.get(p.pk, {})) for p in people
    }


def profiles(people: list[User]) -> list[Profile]:
    """The profiles of ``people`` over the active competences (three queries whatever the number)."""
    competences = list(Competence.objects.filter(active=True))
    ids = [c.pk for c in competences]
    targets = _targets_for(people, ids)
    ratings = {
        (r.user_id, r.competence_id): r for r in CompetenceRating.objects.filter(user__in=people, competence_id__in=ids)
    }
    result = []
    for p in people:
        lines = []
        for c in competences:
            r = ratings.get((p.pk, c.pk))
            lines.append(
                ProfileLine(
                    c,
                    GapRow(c.pk, r.level if r else None, r.self_level if r else None, targets[p.pk][c.pk]),
                    r.note if r else "",
                    r.version if r else 0,
                )
            )
        result.append(Profile(p, lines))
    return result


def mean_gap_per_competence(profiles: list[Profile]) -> list[tuple[str, float]]:
    """Per competence (in the order of the profiles' lines), its label and the mean positive gap over
    the people rated on it with a target (``mean_positive_gap``); competences without any are left out."""
    if not profiles:
        return []
    out = []
    for i, line in enumerate(profiles[0].lines):
        mean = mean_positive_gap(p.lines[i].row for p in profiles)
        if mean is not None:
            out.append((line.competence.label, mean))
    return out


def profile(person: User) -> Profile:
    return profiles([person])[0]


def role_targets() -> dict[tuple[str, int], int]:
    """The role-wide targets as ``{(role, competence_id): level}``."""
    return {(t.role, t.competence_id): t.level for t in CompetenceTarget.objects.filter(user__isnull=True)}


def role_target_versions() -> dict[tuple[str, int], int]:
    """The version of every role-wide target as ``{(role, competence_id): version}``."""
    rows = CompetenceTarget.objects.filter(user__isnull=True).values_list("role", "competence_id", "version")
    return {(role, cid): version for role, cid, version in rows}


def personal_targets(person: Any) -> tuple[dict[int, int], dict[int, int]]:
    """The personal targets of ``person``: ``{competence_id: level}`` and ``{competence_id: version}``."""
    rows = CompetenceTarget.objects.filter(user=person).values_list("competence_id", "level", "version")
    return {cid: level for cid, level, _v in rows}, {cid: version for cid, _l, version in rows}


# ---------------------------------------------------------------- development actions


@dataclass(frozen=True)
class ActionFilters:
    q: str = ""
    person: int | None = None
    status: str = ""
    open_only: bool = False
    blocked: bool | None = None
    cause: str = ""
    competence: int | None = None
    sort: str = "due"
    descending: bool = False


ACTION_SORTS: dict[str, str | Lower] = {
    "due": "due_date",
    "title": Lower("title"),
    "person": Lower("person__last_name"),
    "status": "status",
    "competence": "competence__order",
    "updated": "updated_at",
}


def action_list(*, user: Actor, filters: ActionFilters | None = None) -> QuerySet[DevelopmentAction]:
    """The development actions ``user`` may read (head of KAM and administrators: all; others: their own
    and those they own), filtered and sorted."""
    f = filters or ActionFilters()
    qs = DevelopmentAction.objects.select_related("person", "owner", "competence")
    if not user.has_perm("organisation.view_all_profiles"):
        qs = qs.filter(Q(person=user) | Q(owner=user))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(notes__icontains=f.q) | Q(blocked_note__icontains=f.q))
    if f.person is not None:
        qs = qs.filter(person_id=f.person)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.blocked is not None:
        qs = qs.filter(blocked=f.blocked)
    if f.cause:
        qs = qs.filter(blocked_cause=f.cause)
    if f.competence is not None:
        qs = qs.filter(competence_id=f.competence)
    key = ACTION_SORTS.get(f.sort, ACTION_SORTS["due"])
    expr = F(key) if isinstance(key, str) else key
    order = expr.desc(nulls_last=True) if f.descending else expr.asc(nulls_last=True)
    return qs.order_by(order, "pk")


@dataclass(frozen=True)
class ActionCounts:
    """Development actions over everybody: open ones, blocked open ones by cause, overdue open ones."""

    total: int
    open: int
    blocked: int
    overdue: int
    blocked_by_cause: dict[str, int]


def action_counts() -> ActionCounts:
    today = timezone.localdate()
    agg = DevelopmentAction.objects.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        blocked=Count("pk", filter=Q(status__in=OPEN_STATUSES, blocked=True)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
    )
    causes = dict(
        DevelopmentAction.objects.filter(status__in=OPEN_STATUSES, blocked=True)
        .values("blocked_cause")
        .annotate(n=Count("pk"))
        .values_list("blocked_cause", "n")
    )
    return ActionCounts(agg["total"], agg["open"], agg["blocked"], agg["overdue"], causes)


def open_actions_per_person(people: list[User]) -> dict[int, tuple[int, int]]:
    """``{person_id: (open actions, blocked open actions)}``."""
    rows = (
        DevelopmentAction.objects.filter(person__in=people, status__in=OPEN_STATUSES)
        .values("person_id")
        .annotate(n=Count("pk"), b=Count("pk", filter=Q(blocked=True)))
    )
    return {r["person_id"]: (r["n"], r["b"]) for r in rows}
