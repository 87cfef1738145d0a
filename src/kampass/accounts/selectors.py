"""Read operations of the accounts context."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.utils import timezone

from kampass.accounts.models import (
    Account,
    AccountStatusChange,
    BuyingCentreMember,
    Contact,
    Coverage,
    KamStatus,
    Position,
    TeamMember,
    TeamRole,
)
from kampass.core.hierarchy import TreeNode, TreeRow, flatten_tree, path_ids, roll_up_distinct
from kampass.core.relationships import ContactNode, CoverageGap, CoverageLink, coverage_gaps
from kampass.users.actors import Actor
from kampass.users.history import FieldChange, field_changes

ACCOUNT_SORTS: dict[str, str | Lower] = {
    "name": Lower("name"),
    "status": "kam_status",
    "industry": Lower("industry"),
    "country": "country",
    "kam": Lower("kam_last_name"),
    "updated": "updated_at",
    "children": "children_count",
}


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    status: str = ""
    industry: str = ""
    country: str = ""
    owner: int | None = None
    top_level: bool = False
    sort: str = "name"
    descending: bool = False


def account_list(*, user: Actor, filters: AccountFilters) -> QuerySet[Account]:
    """Accounts matching ``filters``, annotated with the key account manager and the number of children.

    Every user may list accounts (master data); what they may see inside an account
    is decided on the account page.
    """
    kam = TeamMember.objects.filter(account=OuterRef("pk"), role=TeamRole.KAM).order_by("pk")
    qs = Account.objects.annotate(
        kam_last_name=Subquery(kam.values("user__last_name")[:1]),
        kam_first_name=Subquery(kam.values("user__first_name")[:1]),
        # a correlated sub-query, not a JOIN + GROUP BY over all accounts: only the rows of the page pay for it
        children_count=Coalesce(
            Subquery(
                Account.objects.filter(parent=OuterRef("pk"))
                .order_by()
                .values("parent")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(legal_name__icontains=filters.q) | Q(external_id__iexact=filters.q)
        )
    if filters.status:
        qs = qs.filter(kam_status=filters.status)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.owner:
        qs = qs.filter(pk__in=TeamMember.objects.filter(user_id=filters.owner).values("account_id"))
    if filters.top_level:
        qs = qs.filter(parent__isnull=True)
    order = ACCOUNT_SORTS.get(filters.sort, ACCOUNT_SORTS["name"])
    if isinstance(order, str):
        return qs.order_by(("-" if filters.descending else "") + order, "pk")
    # accounts without a KAM sort last; other sort keys are never NULL (and so can use the name index)
    nulls_last = True if filters.sort == "kam" else None
    return qs.order_by(
        order.desc(nulls_last=nulls_last) if filters.descending else order.asc(nulls_last=nulls_last), "pk"
    )


def account_filter_options() -> dict[str, list[Any]]:
    """Distinct industries and countries in use, and the users on account teams, for filter menus."""
    from django_countries import countries

    industries = list(
        Account.objects.exclude(industry="").order_by("industry").values_list("industry", flat=True).distinct()
    )
    codes = set(Account.objects.exclude(country="").order_by().values_list("country", flat=True).distinct())
    country_opts = sorted(((c, str(countries.name(c))) for c in codes), key=lambda t: t[1])
    from kampass.users.models import USER_NAME_FIELDS, User, user_name

    # (id, name) of each: the menu lists every key account manager (200 at a large supplier), without a user
    # object each
    kams = User.objects.filter(account_teams__role=TeamRole.KAM).distinct().order_by("last_name", "first_name", "pk")
    owners = [(pk, user_name(*parts)) for pk, *parts in kams.values_list("pk", *USER_NAME_FIELDS)]
    return {"industries": industries, "countries": country_opts, "owners": owners}


def account_ancestors(account: Account) -> list[Account]:
    ids = path_ids(account.path)[:-1]
    by_id = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class SubtreeRow:
    row: TreeRow
    account: Account
    contacts_total: int
    team_total: int


def account_subtree(account: Account) -> list[SubtreeRow]:
    """The account and all its descendants in display order, with the rolled-up number of distinct
    contacts and of distinct people on the account teams (someone on the teams of two subsidiaries,
    or a contact with positions at both, counts once for their parent)."""
    accounts = list(Account.objects.filter(path__startswith=account.path).order_by("path"))
    rows = flatten_tree([TreeNode(a.pk, a.parent_id, a.name) for a in accounts], account.pk)
    ids = [a.pk for a in accounts]
    contacts: dict[int, list[int]] = {}
    for account_id, contact_id in Position.objects.filter(account_id__in=ids).values_list("account_id", "contact_id"):
        contacts.setdefault(account_id, []).append(contact_id)
    team: dict[int, list[int]] = {}
    for account_id, user_id in TeamMember.objects.filter(account_id__in=ids).values_list("account_id", "user_id"):
        team.setdefault(account_id, []).append(user_id)
    c_total, t_total = roll_up_distinct(rows, contacts), roll_up_distinct(rows, team)
    by_id = {a.pk: a for a in accounts}
    return [SubtreeRow(r, by_id[r.id], c_total.get(r.id, 0), t_total.get(r.id, 0)) for r in rows]


@dataclass(frozen=True)
class BuyingCentreRow:
    member: BuyingCentreMember
    position: Position | None
    coverage: list[Coverage]
    gap: CoverageGap | None


@dataclass(frozen=True)
class Cockpit:
    """Everything the account page shows about one account."""

    account: Account
    ancestors: list[Account]
    subtree: list[SubtreeRow]
    details_visible: bool
    positions: list[Position] = field(default_factory=list)
    buying_centre: list[BuyingCentreRow] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    status_changes: list[AccountStatusChange] = field(default_factory=list)
    contacts_by_id: dict[int, Contact] = field(default_factory=dict)

    @property
    def bc_by_contact(self) -> dict[int, BuyingCentreRow]:
        return {row.member.contact_id: row for row in self.buying_centre}

    @property
    def coverage_below_target(self) -> set[int]:
        """Ids of the coverage links whose relationship is still below its target (the core's rule)."""
        return {c.pk for c in self.coverage if CoverageLink(c.contact_id, "", c.level_now, c.level_target).below_target}

    @property
    def coverage_by_contact(self) -> dict[int, list[Coverage]]:
        out: dict[int, list[Coverage]] = {}
        for c in self.coverage:
            out.setdefault(c.contact_id, []).append(c)
        return out


def contact_nodes_of(account_ids: list[int]) -> dict[int, tuple[list[ContactNode], list[CoverageLink]]]:
    """The buying centre of each of the accounts as core objects (for gap analysis and the map), from
    three queries however many accounts: ``{account_id: (nodes, links)}``, every given id present."""
    out: dict[int, tuple[list[ContactNode], list[CoverageLink]]] = {a: ([], []) for a in account_ids}
    positions = {(p.account_id, p.contact_id): p for p in Position.objects.filter(account_id__in=account_ids)}
    for m in BuyingCentreMember.objects.filter(account_id__in=account_ids).select_related("contact"):
        p = positions.get((m.account_id, m.contact_id))
        out[m.account_id][0].append(
            ContactNode(
                id=m.contact_id,
                name=str(m.contact),
                title=p.title if p else "",
                roles=tuple(m.roles),
                influence=m.influence,
                attitude=m.attitude,
                reports_to=p.reports_to_id if p else None,
            )
        )
    for c in Coverage.objects.filter(team_member__account_id__in=account_ids).select_related("team_member__user"):
        out[c.team_member.account_id][1].append(
            CoverageLink(c.contact_id, str(c.team_member.user), c.level_now, c.level_target)
        )
    return out


def _state_on(model: Any, rows_now: QuerySet[Any], history_filter: Q, end: dt.datetime) -> list[Any]:
    """The rows of ``model`` as they stood at ``end``: per object its last historical record before
    ``end`` (left out when that record is a deletion), and the current row of an object that has no
    recorded history at all (created in bulk, e.g. by an import or the scale data set, so its past is
    unknown and its present is the best knowledge). An object whose history begins after ``end`` did
    not exist then. Two queries, however many accounts."""
    last: dict[int, Any] = {}
    recorded: set[int] = set()
    for h in model.history.filter(history_filter).order_by("id", "history_date", "history_id"):
        recorded.add(h.id)
        if h.history_date < end:
            last[h.id] = h
    state = [h for h in last.values() if h.history_type != "-"]
    state.extend(r for r in rows_now if r.pk not in recorded)
    return state


def contact_nodes_on(account_ids: list[int], day: dt.date) -> dict[int, tuple[list[ContactNode], list[CoverageLink]]]:
    """:func:`contact_nodes_of` as it stood at the end of ``day`` (installation's time zone): the buying
    centre members and the coverage with their influence and levels then, from their change history
    (see :func:`_state_on` for objects without one). Names and titles are today's (they do not change
    a coverage figure)."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    out: dict[int, tuple[list[ContactNode], list[CoverageLink]]] = {a: ([], []) for a in account_ids}
    members = _state_on(
        BuyingCentreMember,
        BuyingCentreMember.objects.filter(account_id__in=account_ids),
        Q(account_id__in=account_ids),
        end,
    )
    for m in members:
        out[m.account_id][0].append(
            ContactNode(m.contact_id, "", "", tuple(m.roles or ()), m.influence, m.attitude, None)
        )
    team_account = dict(TeamMember.objects.filter(account_id__in=account_ids).values_list("pk", "account_id"))
    team_account.update(
        TeamMember.history.filter(account_id__in=account_ids).values_list("id", "account_id").distinct()
    )
    covered = _state_on(
        Coverage,
        Coverage.objects.filter(team_member_id__in=list(team_account)),
        Q(team_member_id__in=list(team_account)),
        end,
    )
    for c in covered:
        out[team_account[c.team_member_id]][1].append(
            CoverageLink(c.contact_id, str(c.team_member_id), c.level_now, c.level_target)
        )
    return out


def contact_nodes(account: Account) -> tuple[list[ContactNode], list[CoverageLink]]:
    """The buying centre of ``account`` as core objects (for gap analysis and the map)."""
    return contact_nodes_of([account.pk])[account.pk]


def account_gaps_of(account_ids: list[int]) -> dict[int, list[CoverageGap]]:
    """``{account_id: coverage gaps}`` of the accounts (a fixed number of queries, see :func:`contact_nodes_of`)."""
    return {
        a: coverage_gaps(nodes, links, high_influence=settings.KAMPASS_HIGH_INFLUENCE)
        for a, (nodes, links) in contact_nodes_of(account_ids).items()
    }


def account_gaps(account: Account) -> list[CoverageGap]:
    return account_gaps_of([account.pk])[account.pk]


def account_cockpit(*, user: Actor, account: Account) -> Cockpit:
    """Assemble the account page; details (people, team, history) only for users allowed to see them."""
    details = user.has_perm("accounts.view_account_details", account)
    base: dict[str, Any] = {
        "account": account,
        "ancestors": account_ancestors(account),
        "subtree": account_subtree(account),
    }
    if not details:
        return Cockpit(details_visible=False, **base)
    positions = list(
        Position.objects.filter(account=account)
        .select_related("contact", "reports_to")
        .order_by("contact__last_name", "contact__first_name")
    )
    pos_by_contact = {p.contact_id: p for p in positions}
    coverage = list(
        Coverage.objects.filter(team_member__account=account).select_related("team_member__user", "contact")
    )
    gaps = account_gaps(account)
    gap_by_contact = {g.contact_id: g for g in gaps}
    members = list(BuyingCentreMember.objects.filter(account=account).select_related("contact"))
    bc = [
        BuyingCentreRow(
            member=m,
            position=pos_by_contact.get(m.contact_id),
            coverage=[c for c in coverage if c.contact_id == m.contact_id],
            gap=gap_by_contact.get(m.contact_id),
        )
        for m in members
    ]
    return Cockpit(
        details_visible=True,
        positions=positions,
        buying_centre=bc,
        team=list(TeamMember.objects.filter(account=account).select_related("user", "org_unit").order_by("role")),
        coverage=coverage,
        gaps=gaps,
        status_changes=list(account.status_changes.select_related("changed_by")),
        contacts_by_id={p.contact_id: p.contact for p in positions},
        **base,
    )


def contact_match(q: str) -> Q:
    """Contacts whose first, last or full name, email or the name of an account they work at contain ``q``
    (any case)."""
    return (
        Q(full_name__icontains=q)
        | Q(email__icontains=q)
        | Q(pk__in=Position.objects.filter(account__name__icontains=q).values("contact_id"))
    )


def _with_full_name(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    return qs.annotate(full_name=Concat("first_name", Value(" "), "last_name", output_field=CharField()))


def visible_contacts(user: Actor) -> QuerySet[Contact]:
    """The contacts ``user`` may see: all for administrators, heads of KAM and read-only roles; for others
    those at accounts of their teams (or below them) and those without any position."""
    from kampass.accounts.rules import in_team_subtrees, is_admin, is_head, is_reader, team_account_ids

    if is_admin(user) or is_head(user) or is_reader(user):
        return Contact.objects.all()
    conditions = []
    # Contacts without a position are looked for only when there are some (two counts along indexes, 3 ms
    # at 50,000 contacts): finding them takes a pass over every contact, and with it in the condition the
    # planner also walked all contacts for the few at the user's accounts (a key account manager's 91 of
    # 50,000: 18 ms to count them, 17 ms for a page; without it 2 ms each).
    if Contact.objects.count() > Position.objects.values("contact_id").distinct().count():
        conditions.append(~Q(pk__in=Position.objects.values("contact_id")))
    if team_account_ids(user):
        # the positions at the user's accounts, named by id (read once per request)
        conditions.append(Q(pk__in=Position.objects.filter(in_team_subtrees(user)).values("contact_id")))
    if not conditions:
        return Contact.objects.none()
    return Contact.objects.filter(reduce(operator.or_, conditions))


def contact_list(*, user: Actor, q: str = "") -> QuerySet[Contact]:
    """Contacts ``user`` may see (:func:`visible_contacts`), searched by name, email or account
    (:func:`contact_match`)."""
    qs = visible_contacts(user)
    if q:
        qs = _with_full_name(qs).filter(contact_match(q))
    # the positions counted per contact shown (a correlated sub-query), not grouped over every contact first
    positions = Position.objects.filter(contact=OuterRef("pk")).order_by().values("contact").annotate(n=Count("pk"))
    return qs.annotate(position_count=Coalesce(Subquery(positions.values("n")), 0)).order_by(
        Lower("last_name"), Lower("first_name"), "pk"
    )


def account_search(*, q: str, limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` accounts for the global search, as the account list finds them (name or legal name
    containing ``q`` in any case, or the exact external id; every user may list accounts): an exact external
    id or a name beginning with ``q`` first, then by name. One query; only the columns shown are read."""
    first = Q(external_id__iexact=q) | Q(name__istartswith=q)
    return list(
        Account.objects.filter(Q(name__icontains=q) | Q(legal_name__icontains=q) | Q(external_id__iexact=q))
        .annotate(rank=Case(When(first, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("rank", Lower("name"), "pk")
        .values("pk", "name", "legal_name", "external_id", "kam_status")[:limit]
    )


def contact_search(*, user: Actor, q: str, limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` contacts ``user`` may see for the global search, as the contact list finds them
    (:func:`contact_match`): those whose last, first or full name begins with ``q`` first, then by name; each
    with the account of its first position (``company``). One query; only the columns shown are read."""
    first = Q(last_name__istartswith=q) | Q(first_name__istartswith=q) | Q(full_name__istartswith=q)
    company = Position.objects.filter(contact=OuterRef("pk")).order_by("pk").values("account__name")[:1]
    return list(
        _with_full_name(visible_contacts(user))
        .filter(contact_match(q))
        .annotate(
            rank=Case(When(first, then=Value(0)), default=Value(1), output_field=IntegerField()),
            company=Subquery(company),
        )
        .order_by("rank", Lower("last_name"), Lower("first_name"), "pk")
        .values("pk", "first_name", "last_name", "email", "company")[:limit]
    )


def contacts_linkable(*, user: Actor) -> QuerySet[Contact]:
    """Contacts ``user`` may link to an account or a project (``accounts.link_contact``): every
    contact for administrators and heads of KAM; for a key account manager those at accounts of
    their teams (or below them) and those without any position; nobody for read-only roles."""
    from kampass.accounts.rules import is_admin, is_head, is_kam

    if is_admin(user) or is_head(user):
        return Contact.objects.all()
    if not is_kam(user):
        return Contact.objects.none()
    return Contact.objects.filter(pk__in=visible_contacts(user).values("pk"))


@dataclass(frozen=True)
class HistoryEntry:
    when: Any
    who: Any
    kind: str
    object_label: str
    action: str
    changes: list[FieldChange]


def _history_entries(records: list[Any], kind: str, label: Any) -> list[HistoryEntry]:
    out: list[HistoryEntry] = []
    # the previous version of each record, from the fetched records where possible (no query per record)
    by_object: dict[Any, list[Any]] = {}
    for rec in sorted(records, key=lambda r: r.history_date):
        by_object.setdefault(rec.id, []).append(rec)
    prev_of: dict[int, Any] = {}
    for versions in by_object.values():
        for older, newer in pairwise(versions):
            prev_of[newer.history_id] = older
    for rec in records:
        changes: list[FieldChange] = []
        prev = (
            prev_of.get(rec.history_id)
            if rec.history_id in prev_of
            else (rec.prev_record if rec.history_type == "~" else None)
        )
        if rec.history_type == "~" and prev is not None:
            changes = field_changes(rec, prev)
        action = {"+": "created", "~": "changed", "-": "deleted"}[rec.history_type]
        if action == "changed" and not changes:
            continue
        out.append(HistoryEntry(rec.history_date, rec.history_user, kind, label(rec), action, changes))
    return out


def account_history(account: Account, *, limit: int = 200) -> list[HistoryEntry]:
    """Who changed what and when on the account, its positions, buying centre, team and coverage."""
    from django.utils.translation import gettext as _

    def recent(qs: Any) -> list[Any]:
        return list(qs.select_related("history_user").order_by("-history_date")[:limit])

    positions = recent(Position.history.filter(account_id=account.pk))
    members = recent(BuyingCentreMember.history.filter(account_id=account.pk))
    team = recent(TeamMember.history.filter(account_id=account.pk).select_related("user"))
    tm_ids = TeamMember.history.filter(account_id=account.pk).values("id")
    coverage = recent(Coverage.history.filter(team_member_id__in=tm_ids))
    contact_ids = {r.contact_id for r in (*positions, *members, *coverage)}
    names = {c.pk: str(c) for c in Contact.objects.filter(pk__in=contact_ids)}

    def contact_label(r: Any) -> str:
        return names.get(r.contact_id, f"#{r.contact_id}")

    entries: list[HistoryEntry] = []
    entries += _history_entries(recent(Account.history.filter(id=account.pk)), str(_("Account")), lambda r: r.name)
    entries += _history_entries(positions, str(_("Position")), contact_label)
    entries += _history_entries(members, str(_("Buying centre")), contact_label)
    entries += _history_entries(team, str(_("Team")), lambda r: str(r.user))
    entries += _history_entries(coverage, str(_("Coverage")), contact_label)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def contact_history(contact: Contact, *, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what and when on the contact and its positions."""
    from django.utils.translation import gettext as _

    records = list(
        Contact.history.filter(id=contact.pk).select_related("history_user").order_by("-history_date")[:limit]
    )
    positions = list(Position.history.filter(contact_id=contact.pk).select_related("history_user")[:limit])
    names = dict(Account.objects.filter(pk__in={p.account_id for p in positions}).values_list("pk", "name"))
    entries = _history_entries(records, str(_("Contact")), lambda r: f"{r.first_name} {r.last_name}")
    entries += _history_entries(positions, str(_("Position")), lambda r: names.get(r.account_id, f"#{r.account_id}"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


#: the most accounts a picker's search offers
LOOKUP_LIMIT = 15
#: how many name matches a permission-filtered search examines at most
LOOKUP_SCAN = 500


def account_lookup(*, user: Actor, q: str, exclude: str = "", perm: str = "") -> list[Account]:
    """The accounts an account picker offers for the search ``q`` (name or legal name, any case).

    ``exclude`` (an account id) leaves out that account and its subtree (a parent cannot be its own
    descendant); ``perm`` keeps only accounts on which ``user`` has that object permission (the
    rules of the context that asks, e.g. ``pipeline.add_opportunity``), so the picker never offers
    an account the save would refuse.
    """
    if not q:
        return []
    qs = Account.objects.filter(Q(name__icontains=q) | Q(legal_name__icontains=q)).order_by(Lower("name"), "pk")
    if exclude.isdigit():
        own = Account.objects.filter(pk=int(exclude)).first()
        if own is not None:
            qs = qs.exclude(path__startswith=own.path)
    if not perm:
        return list(qs[:LOOKUP_LIMIT])
    found: list[Account] = []
    for account in qs[:LOOKUP_SCAN]:
        if user.has_perm(perm, account):
            found.append(account)
            if len(found) == LOOKUP_LIMIT:
                break
    return found


def my_key_accounts(*, user: Actor) -> list[Account]:
    """The key and strategic accounts on whose team ``user`` is, by name ("My work")."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return []
    ids = TeamMember.objects.filter(user_id=int(pk)).values("account_id")
    qs = Account.objects.filter(pk__in=ids, kam_status__in=(KamStatus.KEY_ACCOUNT, KamStatus.STRATEGIC))
    return list(qs.order_by(Lower("name"), "pk"))
