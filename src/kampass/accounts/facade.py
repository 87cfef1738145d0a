"""What other contexts (and the start page) may ask of the accounts context.

Returns frozen dataclasses only; callers never touch the models directly.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from kampass.accounts.models import Account as _Account
from kampass.accounts.models import KamStatus as _KamStatus
from kampass.accounts.models import TeamMember as _TeamMember
from kampass.accounts.models import TeamRole as _TeamRole
from kampass.common.search import SearchHit
from kampass.users.actors import Actor


@dataclass(frozen=True)
class AccountRef:
    id: int
    name: str
    kam_status: str
    kam_status_label: str
    path: str


@dataclass(frozen=True)
class GapRef:
    account: AccountRef
    contact_id: int
    contact_name: str
    influence: int
    kind: str


@dataclass(frozen=True)
class RecentChange:
    when: Any
    who: str
    account: AccountRef
    action: str


@dataclass(frozen=True)
class DashboardSummary:
    total_accounts: int
    by_status: list[tuple[str, str, int]]
    my_accounts: list[AccountRef]
    gaps: list[GapRef]
    recent: list[RecentChange]


def _ref(a: _Account) -> AccountRef:
    return AccountRef(a.pk, a.name, a.kam_status, str(a.get_kam_status_display()), a.path)


def account_ref(account_id: int) -> AccountRef | None:
    a = _Account.objects.filter(pk=account_id).first()
    return _ref(a) if a else None


def account_refs(account_ids: Iterable[int]) -> dict[int, AccountRef]:
    """``{id: AccountRef}`` of the existing accounts among ``account_ids``, in one query."""
    return {a.pk: _ref(a) for a in _Account.objects.filter(pk__in=list(account_ids))}


def subtree_account_ids(account_id: int) -> list[int]:
    """Ids of an account and all its descendants (for roll-ups in other contexts)."""
    a = _Account.objects.filter(pk=account_id).only("path").first()
    if a is None:
        return []
    if not a.path:  # stored without its path (made outside the services): itself, not every account
        return [account_id]
    return list(_Account.objects.filter(path__startswith=a.path).values_list("pk", flat=True))


#: up to this many subtrees are read by their paths; more by one pass over all accounts (private: a facade
#: hands out functions and frozen dataclasses only)
_FEW_SUBTREES = 20


def subtree_account_ids_of(account_ids: Iterable[int]) -> dict[int, list[int]]:
    """``{account_id: ids of the account and all its descendants}`` for every given existing account, each
    list as :func:`subtree_account_ids` gives it, from one pass over all accounts (for roll-ups of many accounts
    at once), or for at most :data:`_FEW_SUBTREES` accounts from their paths and the accounts below them."""
    wanted = set(account_ids)
    if not wanted:
        return {}
    if len(wanted) <= _FEW_SUBTREES:
        # a few subtrees (an account's cockpit): the database picks their accounts by path, instead of all
        # accounts (5,000 at a large supplier) being read and walked here
        roots = list(_Account.objects.filter(pk__in=wanted).values_list("pk", "path"))
        rows = list(
            _Account.objects.filter(
                functools.reduce(
                    operator.or_, (Q(path__startswith=path) if path else Q(pk=pk) for pk, path in roots), Q(pk=None)
                )
            ).values_list("pk", "path")
        )
    else:
        rows = list(_Account.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in rows}
    out: dict[int, list[int]] = {pk: [] for pk, _path in rows if pk in wanted}
    for pk, path in rows:  # in the accounts' order (by name); an account's ancestors are its path's prefixes
        cut = path.find("/")
        while cut != -1:
            ancestor = by_path.get(path[: cut + 1])
            if ancestor in out:
                out[ancestor].append(pk)
            cut = path.find("/", cut + 1)
    for pk, ids in out.items():
        if not ids:  # an account stored without its path (made outside the services) is its own subtree
            ids.append(pk)
    return out


def dashboard_summary(*, user: Actor) -> DashboardSummary:
    """Counts by KAM status, the user's own accounts with their coverage gaps, and recent changes."""
    from kampass.accounts.models import Contact
    from kampass.accounts.selectors import account_gaps

    counts = dict(_Account.objects.values("kam_status").annotate(n=Count("id")).values_list("kam_status", "n"))
    by_status = [(value, str(label), counts.get(value, 0)) for value, label in _KamStatus.choices]
    mine = (
        list(
            _Account.objects.filter(pk__in=_TeamMember.objects.filter(user_id=user.pk).values("account_id")).order_by(
                "name"
            )
        )
        if user.pk is not None
        else []
    )
    gaps: list[GapRef] = []
    for a in mine[:50]:
        for g in account_gaps(a):
            gaps.append(GapRef(_ref(a), g.contact_id, "", g.influence, g.kind.value))
    names = {c.pk: str(c) for c in Contact.objects.filter(pk__in=[g.contact_id for g in gaps])}
    gaps = [GapRef(g.account, g.contact_id, names.get(g.contact_id, ""), g.influence, g.kind) for g in gaps]
    gaps.sort(key=lambda g: -g.influence)
    recent = []
    for rec in _Account.history.select_related("history_user").order_by("-history_date")[:10]:
        acc = _Account.objects.filter(pk=rec.id).first()
        if acc is None:
            continue
        action = {"+": "created", "~": "changed", "-": "deleted"}[rec.history_type]
        recent.append(RecentChange(rec.history_date, str(rec.history_user or "–"), _ref(acc), action))
    return DashboardSummary(sum(counts.values()), by_status, [_ref(a) for a in mine], gaps[:15], recent)


_KEY_STATUSES = ("key_account", "strategic")


@dataclass(frozen=True)
class KamAssignment:
    """A user in the role of key account manager on one account's team."""

    user_id: int
    account_id: int
    account_name: str
    kam_status: str
    is_key_account: bool


@dataclass(frozen=True)
class AccountTreeRow:
    """One account with what the lead-unit check needs: where it sits, its country and lead unit."""

    id: int
    name: str
    path: str
    parent_id: int | None
    country: str
    kam_status: str
    lead_unit_id: int | None
    lead_unit_name: str


def kam_assignments() -> list[KamAssignment]:
    """Every (user, account) pair where the user is on the account team as key account manager."""
    rows = (
        _TeamMember.objects.filter(role=_TeamRole.KAM)
        .values_list("user_id", "account_id", "account__name", "account__kam_status")
        .order_by("user_id", "account__name")
    )
    return [KamAssignment(u, a, n, s, s in _KEY_STATUSES) for u, a, n, s in rows]


def key_account_refs() -> list[AccountRef]:
    """The key accounts (KAM status key account or strategic account), by name."""
    return [_ref(a) for a in _Account.objects.filter(kam_status__in=_KEY_STATUSES).order_by("name", "pk")]


def account_tree_rows() -> list[AccountTreeRow]:
    """All accounts with hierarchy path, country and lead unit (one query)."""
    rows = _Account.objects.values_list(
        "id", "name", "path", "parent_id", "country", "kam_status", "lead_unit_id", "lead_unit__name"
    ).order_by("path")
    return [AccountTreeRow(i, n, p, par, str(c or ""), s, lu, lun or "") for i, n, p, par, c, s, lu, lun in rows]


def programme_signals() -> dict[str, float | None]:
    """The accounts' facts for the programme's recommender and guardrails.

    * ``key_accounts`` (count): accounts with KAM status key account or strategic account;
    * ``kams_appointed`` (count): the distinct users in the team role key account manager on a key account;
    * ``accounts_with_team_share`` (share 0..1): key accounts with a key account manager on their team.

    (``account_heterogeneity`` is the screening context's: the dispersion of the key accounts over segments.)
    """
    keys = _Account.objects.filter(kam_status__in=_KEY_STATUSES)
    n = keys.count()
    kam_rows = _TeamMember.objects.filter(account__kam_status__in=_KEY_STATUSES, role=_TeamRole.KAM)
    with_team = kam_rows.values("account_id").distinct().count()
    return {
        "key_accounts": float(n),
        "kams_appointed": float(kam_rows.values("user_id").distinct().count()),
        "accounts_with_team_share": (with_team / n) if n else None,
    }


def team_account_ids(user: Any) -> set[int]:
    """Ids of the accounts on whose team ``user`` is (not their descendants); cached for one request."""
    from kampass.accounts.rules import team_account_ids as ids

    return ids(user)


def team_subtree_account_ids(user: Any) -> frozenset[int]:
    """Ids of the accounts on whose team ``user`` is and of every account below them (what a key account
    manager may see); read once per request."""
    from kampass.accounts.rules import team_subtree_account_ids as ids

    return ids(user)


def in_team_subtrees(user: Any, field: str = "account_id") -> Q:
    """A filter on ``field`` (an account's id, e.g. ``"opportunity__account_id"``) for the accounts of
    ``user``'s teams and below them: by their ids, read once per request (see
    :func:`kampass.accounts.rules.in_team_subtrees`)."""
    from kampass.accounts.rules import in_team_subtrees as q

    return q(user, field)


def org_unit_ids(user: Any) -> set[int]:
    """Ids of the org units (the supplier's teams) ``user`` works in: those their account-team memberships name."""
    from kampass.accounts.models import TeamMember

    if not getattr(user, "is_authenticated", False):
        return set()
    return set(TeamMember.objects.filter(user_id=user.pk, org_unit__isnull=False).values_list("org_unit_id", flat=True))


def org_unit_member_ids(org_unit_id: int) -> set[int]:
    """Ids of the users whose account-team memberships name org unit ``org_unit_id`` (the team's owners)."""
    from kampass.accounts.models import TeamMember

    return set(TeamMember.objects.filter(org_unit_id=org_unit_id).values_list("user_id", flat=True))


def is_on_team(user: Any, account: Any) -> bool:
    """True when ``user`` is on the team of ``account`` or of one of its ancestors (the rule that
    lets a key account manager work on an account)."""
    from kampass.accounts.rules import is_on_team as on_team

    return bool(on_team.test(user, account))


def is_executive_sponsor(user: Any, account: Any) -> bool:
    """True when ``user`` is the executive sponsor on the team of ``account`` (an ``Account`` or its id)
    or of one of its ancestors: the supplier's senior manager who may sign off the account's plan."""
    from kampass.accounts.models import Account, TeamMember, TeamRole

    if not getattr(user, "is_authenticated", False) or account is None:
        return False
    acc = account if isinstance(account, Account) else Account.objects.filter(pk=account).first()
    if acc is None:
        return False
    ids = [int(x) for x in acc.path.split("/") if x] or [acc.pk]
    return TeamMember.objects.filter(user_id=user.pk, account_id__in=ids, role=TeamRole.EXECUTIVE_SPONSOR).exists()


def executive_sponsor_ids(account: Any) -> set[int]:
    """Ids of the executive sponsors on the team of ``account`` (an ``Account`` or its id) or of one of
    its ancestors: the users who may sign off the account's plan besides the heads of KAM."""
    from kampass.accounts.models import Account, TeamMember, TeamRole

    acc = account if isinstance(account, Account) else Account.objects.filter(pk=account).first()
    if acc is None:
        return set()
    ids = [int(x) for x in acc.path.split("/") if x] or [acc.pk]
    return set(
        TeamMember.objects.filter(account_id__in=ids, role=TeamRole.EXECUTIVE_SPONSOR).values_list("user_id", flat=True)
    )


def key_account_ids() -> set[int]:
    """Ids of the accounts with KAM status key account or strategic account."""
    return set(_Account.objects.filter(kam_status__in=_KEY_STATUSES).values_list("pk", flat=True))


def buying_role_labels(roles: list[str]) -> list[str]:
    """The labels of buying-centre role keys, in the active language (unknown keys as they are)."""
    from kampass.accounts.models import buying_role_labels as labels

    return labels(roles)


def contact_link_authorize(*, actor: Actor, contact: Any) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may link ``contact`` (a ``Contact``) to
    something, e.g. to the buying centre of a project: the rule of the accounts context."""
    from kampass.accounts import services

    services.contact_link_authorize(actor=actor, contact=contact)


def contacts_linkable(*, user: Any) -> Any:
    """The ``Contact`` queryset ``user`` may link to an account or a project (for a picker);
    the same rule as ``contact_link_authorize``."""
    from kampass.accounts import selectors

    return selectors.contacts_linkable(user=user)


def accounts_in_subtrees(account_ids: Any) -> list[AccountRef]:
    """The given accounts and every account below them, by name (e.g. the accounts a key account
    manager may plan: those of their teams and below)."""
    from django.db.models import Q

    roots = list(_Account.objects.filter(pk__in=list(account_ids)).only("path"))
    if not roots:
        return []
    cond = Q()
    for root in roots:
        cond |= Q(path__startswith=root.path)
    return [_ref(a) for a in _Account.objects.filter(cond).order_by("name", "pk")]


def all_accounts() -> list[AccountRef]:
    """Every account, by name (for the pickers of users who may work on all accounts). The status labels
    are translated once, not once per account (thousands of accounts)."""
    labels = {value: str(label) for value, label in _KamStatus.choices}
    rows = _Account.objects.order_by("name", "pk").values_list("pk", "name", "kam_status", "path")
    return [AccountRef(pk, name, status, labels.get(status, str(status)), path) for pk, name, status, path in rows]


@dataclass(frozen=True)
class ItemRef:
    """Something of an account another context may cite (a contact): its id and a label."""

    id: int
    label: str


def contact_refs(account_ids: Any) -> list[ItemRef]:
    """The contacts holding a position at these accounts, by name (e.g. evidence cited in a plan)."""
    from kampass.accounts.models import Contact

    contacts = Contact.objects.filter(positions__account_id__in=list(account_ids)).distinct()
    return [ItemRef(c.pk, str(c)) for c in contacts.order_by("last_name", "first_name", "pk")]


@dataclass(frozen=True)
class DecisionMakerCoverage:
    """How well an account's decision makers are covered: ``decision_makers`` are the buying-centre
    members with influence at or above ``KAMPASS_HIGH_INFLUENCE`` (the contacts the coverage-gap analysis
    watches), ``covered`` those of them a team member reaches at the level that member targets
    (the others are the account's coverage gaps); ``share`` = covered / decision makers, ``None`` without any."""

    account_id: int
    decision_makers: int
    covered: int
    share: float | None


def decision_maker_coverage(
    account_ids: list[int], *, as_of: datetime.date | None = None
) -> dict[int, DecisionMakerCoverage]:
    """``{account_id: DecisionMakerCoverage}`` for every given existing account (a fixed number of queries,
    however many accounts). ``as_of`` a past day: the buying centre and the coverage as they stood at its
    end, from their change history; members and coverage without any recorded history (created in bulk)
    count as they are now."""
    from django.conf import settings

    from kampass.accounts.selectors import contact_nodes_of, contact_nodes_on
    from kampass.core.relationships import coverage_gaps

    ids = list(_Account.objects.filter(pk__in=list(account_ids)).values_list("pk", flat=True))
    nodes = contact_nodes_of(ids) if as_of is None else contact_nodes_on(ids, as_of)
    gaps = {
        a: coverage_gaps(members, links, high_influence=settings.KAMPASS_HIGH_INFLUENCE)
        for a, (members, links) in nodes.items()
    }
    high = {
        a: sum(1 for n in members if n.influence >= settings.KAMPASS_HIGH_INFLUENCE)
        for a, (members, _links) in nodes.items()
    }
    out: dict[int, DecisionMakerCoverage] = {}
    for pk in ids:
        n = high[pk]
        covered = n - len(gaps.get(pk, []))
        out[pk] = DecisionMakerCoverage(pk, n, covered, (covered / n) if n else None)
    return out


def contact_names(contact_ids: list[int]) -> dict[int, str]:
    """``{contact_id: name}`` of the given contacts (unknown ids left out)."""
    from kampass.accounts.models import Contact

    return {c.pk: str(c) for c in Contact.objects.filter(pk__in=list(contact_ids))}


@dataclass(frozen=True)
class KamRef:
    """A key account manager on an account's team, with the org unit (the supplier's team) named there."""

    account_id: int
    user_id: int
    name: str
    org_unit_id: int | None
    org_unit_name: str


def account_kams(account_ids: list[int]) -> dict[int, list[KamRef]]:
    """``{account_id: [KamRef]}``: the users in the team role KAM on each given account (accounts without
    one are left out), by name."""
    rows = (
        _TeamMember.objects.filter(account_id__in=list(account_ids), role=_TeamRole.KAM)
        .select_related("user", "org_unit")
        .order_by("account_id", "user__last_name", "user__username")
    )
    out: dict[int, list[KamRef]] = {}
    for m in rows:
        name = m.user.get_full_name() or m.user.username
        out.setdefault(m.account_id, []).append(
            KamRef(m.account_id, m.user_id, name, m.org_unit_id, m.org_unit.name if m.org_unit else "")
        )
    return out


def team_user_ids(account_id: int) -> list[int]:
    """Ids of the users on the team of the account or of one of its ancestors (who may own its work)."""
    a = _Account.objects.filter(pk=account_id).only("path").first()
    if a is None:
        return []
    ids = [int(x) for x in a.path.split("/") if x] or [a.pk]
    return sorted(set(_TeamMember.objects.filter(account_id__in=ids).values_list("user_id", flat=True)))


#: buying-centre roles that decide (the "decision makers" of the coverage KPI)
_DECIDING_ROLES = ("decider", "economic_buyer", "approver")


def decision_makers_covered(account_ids: list[int] | set[int] | tuple[int, ...]) -> dict[int, int]:
    """``{account_id: n}`` for every given account: how many of its buying-centre members with a deciding
    role (decider, economic buyer, approver) a team member covers at or above the relationship level aimed
    for (``Coverage.level_now >= level_target``). A contact counts once however many cover them. This is
    today's state (coverage keeps no dated history)."""
    from django.db.models import F

    from kampass.accounts.models import BuyingCentreMember, Coverage

    ids = sorted(set(account_ids))
    deciding: dict[int, set[int]] = {a: set() for a in ids}
    for account_id, contact_id, roles in BuyingCentreMember.objects.filter(account_id__in=ids).values_list(
        "account_id", "contact_id", "roles"
    ):
        if set(roles or ()) & set(_DECIDING_ROLES):
            deciding[account_id].add(contact_id)
    covered: dict[int, set[int]] = {a: set() for a in ids}
    for account_id, contact_id in Coverage.objects.filter(
        team_member__account_id__in=ids, level_now__gte=F("level_target")
    ).values_list("team_member__account_id", "contact_id"):
        if contact_id in deciding[account_id]:
            covered[account_id].add(contact_id)
    return {a: len(covered[a]) for a in ids}


@dataclass(frozen=True)
class StatusChangeRef:
    """A recorded change of an account's KAM status (the selection history of the account)."""

    id: int
    account_id: int
    from_status: str
    to_status: str
    reason: str
    effective_date: Any


def account_status_change(
    *, actor: Actor, account_id: int, status: str, reason: str, effective_date: Any = None
) -> StatusChangeRef:
    """Change the KAM status of an account with the actor and the reason (the accounts service checks
    the permission, validates and records the dated change in the account's history)."""
    from kampass.accounts.services import account_set_status

    account = _Account.objects.get(pk=account_id)
    c = account_set_status(actor=actor, account=account, status=status, reason=reason, effective_date=effective_date)
    return StatusChangeRef(c.pk, account.pk, c.from_status, c.to_status, c.reason, c.effective_date)


def account_create(
    *,
    actor: Actor,
    name: str,
    country: str = "",
    external_id: str = "",
    industry: str = "",
    parent_id: int | None = None,
) -> AccountRef:
    """Create an account (below ``parent_id`` when given) through the accounts service, which checks the
    permission, validates (the name unique among its siblings) and records the history."""
    from kampass.accounts.services import account_create as _create

    parent = _Account.objects.get(pk=parent_id) if parent_id is not None else None
    a = _create(
        actor=actor, name=name, parent=parent, country=country, external_id=external_id, industry=industry[:100]
    )
    return _ref(a)


def accounts_by_external_id(external_ids: Iterable[str]) -> dict[str, AccountRef]:
    """``{external id: AccountRef}`` of the accounts carrying one of ``external_ids`` (the shallowest wins)."""
    found: dict[str, AccountRef] = {}
    wanted = [i for i in set(external_ids) if i]
    for a in _Account.objects.filter(external_id__in=wanted).order_by("-depth", "pk"):
        found[a.external_id] = _ref(a)
    return found


def account_statuses(account_ids: Any = None) -> dict[int, str]:
    """``{account_id: KAM status}`` of the given accounts (all accounts for ``None``)."""
    qs = _Account.objects.all() if account_ids is None else _Account.objects.filter(pk__in=list(account_ids))
    return dict(qs.values_list("pk", "kam_status"))


def kam_status_choices() -> list[tuple[str, str]]:
    """The KAM statuses as (value, label in the active language)."""
    return [(v, str(label)) for v, label in _KamStatus.choices]


@dataclass(frozen=True)
class Firmographics:
    """What is known of an account besides its invoices (the screening context's wallet model reads it):
    where it sits in the hierarchy, its industry and country (empty when not recorded)."""

    id: int
    path: str
    industry: str
    country: str


def account_firmographics() -> list[Firmographics]:
    """All accounts with hierarchy path, industry and country (one query), by path."""
    rows = _Account.objects.values_list("id", "path", "industry", "country").order_by("path")
    return [Firmographics(i, p, str(ind or ""), str(c or "")) for i, p, ind, c in rows]


@dataclass(frozen=True)
class AccountProfile:
    """What the screening context groups accounts by besides their purchases: ``industry`` and ``country``
    (ISO code; ``""`` when not entered) and ``buying_centre``, the distinct contacts in the buying centres of
    the account and every account below it."""

    account_id: int
    industry: str
    country: str
    buying_centre: int


def account_profiles(account_ids: Iterable[int]) -> dict[int, AccountProfile]:
    """``{account_id: AccountProfile}`` for every given existing account."""
    from kampass.accounts.models import BuyingCentreMember

    accounts = list(_Account.objects.filter(pk__in=sorted(set(account_ids))).only("path", "industry", "country"))
    out: dict[int, AccountProfile] = {}
    for a in accounts:
        n = BuyingCentreMember.objects.filter(account__path__startswith=a.path).values("contact_id").distinct().count()
        out[a.pk] = AccountProfile(a.pk, a.industry or "", str(a.country or ""), n)
    return out


def search_accounts(*, user: Actor, q: str, limit: int) -> list[SearchHit]:
    """The global search's accounts (``kampass.common.search``): as the account list finds them."""
    from kampass.accounts import selectors

    labels = dict(_KamStatus.choices)
    hits = []
    for row in selectors.account_search(q=q, limit=limit):
        facts = [str(labels.get(row["kam_status"], row["kam_status"]))]
        if row["legal_name"] and row["legal_name"] != row["name"]:
            facts.append(row["legal_name"])
        if row["external_id"]:
            facts.append(row["external_id"])
        hits.append(
            SearchHit(title=row["name"], subtitle=" · ".join(facts), url=reverse("account-detail", args=[row["pk"]]))
        )
    return hits


def search_contacts(*, user: Actor, q: str, limit: int) -> list[SearchHit]:
    """The global search's contacts (``kampass.common.search``): those ``user`` may see, as the contact list
    finds them."""
    from kampass.accounts import selectors

    hits = []
    for row in selectors.contact_search(user=user, q=q, limit=limit):
        name = f"{row['first_name']} {row['last_name']}".strip()
        facts = [f for f in (row["company"], row["email"]) if f]
        hits.append(SearchHit(title=name, subtitle=" · ".join(facts), url=reverse("contact-detail", args=[row["pk"]])))
    return hits


@dataclass(frozen=True)
class CoverageGapAccount:
    """A key account of a user's team with decision makers the team does not cover (enough):
    ``uncovered`` nobody covers, ``below_target`` are covered below the level aimed for."""

    account: AccountRef
    decision_makers: int
    uncovered: int
    below_target: int


def my_coverage_gaps(user: Any) -> list[CoverageGapAccount]:
    """The key and strategic accounts on whose team ``user`` is that have coverage gaps among their decision
    makers (the high-influence buying-centre members), by name (a fixed number of queries)."""
    from kampass.accounts.selectors import account_gaps_of, my_key_accounts

    accounts = my_key_accounts(user=user)
    ids = [a.pk for a in accounts]
    gaps = account_gaps_of(ids)
    coverage = decision_maker_coverage(ids)
    out: list[CoverageGapAccount] = []
    for a in accounts:
        found = gaps.get(a.pk, [])
        if not found:
            continue
        uncovered = sum(1 for g in found if g.kind == "uncovered")
        dm = coverage[a.pk].decision_makers if a.pk in coverage else len(found)
        out.append(CoverageGapAccount(_ref(a), dm, uncovered, len(found) - uncovered))
    return out
