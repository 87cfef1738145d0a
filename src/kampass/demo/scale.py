"""``kampass demo --scale large``: a data set of a large supplier on top of the demo, for load benchmarks.

5,000 accounts in hierarchies (500 groups with companies and sites), 50,000 contacts with their positions,
100,000 opportunities with their stage history (60 % closed), 1,000,000 invoice lines of 3,000 customers
linked to the accounts, 200 users (key account managers under six heads in three regional offices), each
group with its key account manager on the team. Everything is generated from a fixed seed (the same data
on every machine) and written in bulk; the scale data carry the external-id prefix ``scale-`` and the
source ``scale``, so loading again adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kampass.accounts.models import Account, Contact, KamStatus, Position, TeamMember, TeamRole
from kampass.commercial.models import CustomerLink
from kampass.common.analytics import analytics_store
from kampass.demo.services import demo_password
from kampass.pipeline.models import (
    ForecastCategory,
    Opportunity,
    OpportunityStageChange,
    Outcome,
    Stage,
    StageKind,
)
from kampass.pipeline.services import default_stage_set
from kampass.users.models import OrgUnit, Role, User

PREFIX = "scale-"


@dataclass(frozen=True)
class ScaleSize:
    groups: int
    companies_per_group: int
    sites_per_company: float
    contacts: int
    opportunities: int
    invoice_lines: int
    customers: int
    users: int


SIZES = {
    # 500 groups + 2,500 companies + 2,000 sites = 5,000 accounts
    "large": ScaleSize(groups=500, companies_per_group=5, sites_per_company=0.8, contacts=50_000,
                       opportunities=100_000, invoice_lines=1_000_000, customers=3_000, users=200),
    "medium": ScaleSize(groups=50, companies_per_group=5, sites_per_company=0.8, contacts=5_000,
                        opportunities=10_000, invoice_lines=100_000, customers=300, users=40),
}  # fmt: skip


@dataclass(frozen=True)
class ScaleSummary:
    accounts: int
    contacts: int
    opportunities: int
    stage_changes: int
    invoice_lines: int
    users: int
    seconds: float
    loaded: bool


Progress = Callable[[str], None]
BATCH = 2_000


def _users(size: ScaleSize, rng: random.Random) -> list[User]:
    offices = [OrgUnit.objects.get_or_create(name=f"Scale {region}", defaults={"code": f"SC-{region[:1]}"})[0]
               for region in ("North", "South", "West")]  # fmt: skip
    password = make_password(demo_password())  # hashed once: 200 hashes would take a minute
    heads = [
        User(username=f"{PREFIX}head{i}", first_name="Head", last_name=f"Scale {i}", role=Role.HEAD,
             password=password, org_unit=offices[i % 3], external_id=f"{PREFIX}u-h{i}")
        for i in range(6)
    ]  # fmt: skip
    User.objects.bulk_create(heads, batch_size=BATCH)
    heads = list(User.objects.filter(username__startswith=f"{PREFIX}head").order_by("pk"))
    kams = [
        User(username=f"{PREFIX}kam{i}", first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)} {i}",
             role=Role.KAM, password=password, org_unit=offices[i % 3], manager=heads[i % 6],
             external_id=f"{PREFIX}u-k{i}")
        for i in range(size.users - len(heads))
    ]  # fmt: skip
    User.objects.bulk_create(kams, batch_size=BATCH)
    return list(User.objects.filter(username__startswith=f"{PREFIX}kam").order_by("pk"))


def _accounts(size: ScaleSize, rng: random.Random, kams: list[User]) -> list[Account]:
    def make(name: str, parent: Account | None, n: int) -> Account:
        status = KamStatus.KEY_ACCOUNT if parent is None and n % 10 == 0 else KamStatus.PROSPECT
        return Account(name=name, parent=parent, industry=rng.choice(INDUSTRIES), country=rng.choice(COUNTRIES),
                       currency="EUR", kam_status=status, external_id=f"{PREFIX}a{n}",
                       depth=0 if parent is None else parent.depth + 1)  # fmt: skip

    groups = [make(f"{rng.choice(NAMES)} Group {g}", None, g) for g in range(size.groups)]
    Account.objects.bulk_create(groups, batch_size=BATCH)
    groups = list(Account.objects.filter(external_id__startswith=PREFIX, depth=0).order_by("pk"))
    for group in groups:
        group.path = f"{group.pk}/"
    Account.objects.bulk_update(groups, ["path"], batch_size=BATCH)
    n = size.groups
    companies = []
    for group in groups:
        for c in range(size.companies_per_group):
            companies.append(make(f"{group.name} {COUNTRY_WORDS[c % len(COUNTRY_WORDS)]} {c}", group, n))
            n += 1
    Account.objects.bulk_create(companies, batch_size=BATCH)
    companies = list(Account.objects.filter(external_id__startswith=PREFIX, depth=1).select_related("parent"))
    for company in companies:
        company.path = f"{company.parent.path}{company.pk}/"  # type: ignore[union-attr]
    Account.objects.bulk_update(companies, ["path"], batch_size=BATCH)
    sites = []
    for company in rng.sample(companies, int(len(companies) * size.sites_per_company)):
        sites.append(make(f"{company.name} Site", company, n))
        n += 1
    Account.objects.bulk_create(sites, batch_size=BATCH)
    sites = list(Account.objects.filter(external_id__startswith=PREFIX, depth=2).select_related("parent"))
    for site in sites:
        site.path = f"{site.parent.path}{site.pk}/"  # type: ignore[union-attr]
    Account.objects.bulk_update(sites, ["path"], batch_size=BATCH)
    TeamMember.objects.bulk_create(
        [TeamMember(account=group, user=kams[i % len(kams)], role=TeamRole.KAM) for i, group in enumerate(groups)],
        batch_size=BATCH,
    )
    return groups + companies + sites


def _contacts(size: ScaleSize, rng: random.Random, accounts: list[Account]) -> int:
    made = 0
    for start in range(0, size.contacts, BATCH):
        count = min(BATCH, size.contacts - start)
        contacts = [
            Contact(first_name=rng.choice(FIRST), last_name=rng.choice(LAST), external_id=f"{PREFIX}c{start + i}",
                    email=f"c{start + i}@scale.example")
            for i in range(count)
        ]  # fmt: skip
        created = Contact.objects.bulk_create(contacts)
        Position.objects.bulk_create(
            [Position(contact=c, account=rng.choice(accounts), title=rng.choice(TITLES)) for c in created]
        )
        made += count
    return made


def _opportunities(size: ScaleSize, rng: random.Random, accounts: list[Account], kams: list[User]) -> tuple[int, int]:
    stage_set = default_stage_set()
    stages = list(stage_set.stages.order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    owners = {a.pk: kams[i % len(kams)] for i, a in enumerate(accounts)}
    today = timezone.localdate()
    changes_made = 0
    for start in range(0, size.opportunities, BATCH):
        batch: list[Opportunity] = []
        paths: list[list[tuple[Stage, dt.date]]] = []
        for i in range(start, min(start + BATCH, size.opportunities)):
            account = rng.choice(accounts)
            opened = today - dt.timedelta(days=rng.randint(10, 900))
            roll = rng.random()
            reached = rng.randint(1, len(open_stages))
            path = open_stages[:reached]
            if roll < 0.6:  # closed: won more often the further it got
                final = won if rng.random() < 0.15 + 0.15 * reached else lost
                path = [*path, final]
                outcome = Outcome.WON if final == won else Outcome.LOST
                closed = min(today, opened + dt.timedelta(days=rng.randint(20, 240)))
                expected = closed
            else:
                final, outcome, closed = path[-1], Outcome.OPEN, None
                expected = today + dt.timedelta(days=rng.randint(-30, 270))
            owner = owners[account.pk]
            batch.append(Opportunity(
                account=account, name=f"{rng.choice(DEALS)} {i}", stage_set=stage_set, stage=final, owner=owner,
                owner_name=owner.get_full_name(), amount=Decimal(rng.randint(5, 900) * 1000), currency="EUR",
                expected_close_date=expected, forecast_category=ForecastCategory.CLOSED if closed else
                rng.choice([ForecastCategory.PIPELINE, ForecastCategory.BEST_CASE, ForecastCategory.COMMIT]),
                outcome=outcome, created_on=opened, closed_on=closed, source="scale", external_id=f"{PREFIX}o{i}",
            ))  # fmt: skip
            paths.append([(s, opened + dt.timedelta(days=7 * k)) for k, s in enumerate(path)])
        created = Opportunity.objects.bulk_create(batch)
        changes = []
        for opportunity, steps in zip(created, paths, strict=True):
            previous = None
            for stage, day in steps:
                at = dt.datetime.combine(min(day, today), dt.time(9), tzinfo=dt.UTC)
                changes.append(OpportunityStageChange(opportunity=opportunity, from_stage=previous, to_stage=stage,
                                                      changed_at=at, amount=opportunity.amount))  # fmt: skip
                previous = stage
        OpportunityStageChange.objects.bulk_create(changes, batch_size=BATCH)
        changes_made += len(changes)
    return size.opportunities, changes_made


def _invoice_lines(size: ScaleSize, rng: random.Random, accounts: list[Account]) -> int:
    from kampass.core.analytics.ingest import import_file, load_mapping

    customers = [f"{PREFIX}{700000 + c}" for c in range(size.customers)]
    CustomerLink.objects.bulk_create(
        [CustomerLink(customer_id=c, account=rng.choice(accounts)) for c in customers], batch_size=BATCH
    )
    codes = [f"{rng.randint(100, 999)}{rng.randint(10, 99)}" for _ in range(3_000)]
    start = dt.datetime(2025, 1, 1, 8, 0)
    with tempfile.TemporaryDirectory(prefix="kampass-scale-") as tmp:
        path = Path(tmp) / "scale_lines.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1) as fh:
            writer = csv.writer(fh)
            writer.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                             "CustomerID", "Country"])  # fmt: skip
            invoice = 0
            for line in range(size.invoice_lines):
                if line % 8 == 0:
                    invoice += 1
                    customer = rng.choice(customers)
                    when = start + dt.timedelta(minutes=rng.randint(0, 700 * 24 * 60))
                quantity = rng.randint(1, 48) if rng.random() > 0.02 else -rng.randint(1, 12)
                writer.writerow([f"S{invoice}", rng.choice(codes), "SCALE ITEM", quantity,
                                 when.strftime("%Y-%m-%d %H:%M:%S"), f"{rng.randint(50, 5000) / 100:.2f}",
                                 customer, "Germany"])  # fmt: skip
        with analytics_store(write=True) as store:
            result = import_file(store=store, path=path, mapping=load_mapping("online-retail"))
    return result.lines


def scale_load(size_name: str = "large", *, seed: int = 7, progress: Progress | None = None) -> ScaleSummary:
    """Add the scale data set (module docstring); nothing when it is there already."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    if Account.objects.filter(external_id__startswith=PREFIX).exists():
        return ScaleSummary(0, 0, 0, 0, 0, 0, 0.0, loaded=False)
    size = SIZES[size_name]
    rng = random.Random(seed)  # noqa: S311  # generated demo data, no secret
    with transaction.atomic():
        say("users")
        kams = _users(size, rng)
        say("accounts")
        accounts = _accounts(size, rng, kams)
        say("contacts")
        contacts = _contacts(size, rng, accounts)
        say("opportunities")
        opportunities, changes = _opportunities(size, rng, accounts, kams)
        say("invoice lines")
        lines = _invoice_lines(size, rng, accounts)
    say("health snapshots")
    _health_snapshots()
    return ScaleSummary(
        accounts=len(accounts), contacts=contacts, opportunities=opportunities, stage_changes=changes,
        invoice_lines=lines, users=len(kams) + 6, seconds=round(time.perf_counter() - started, 1), loaded=True,
    )  # fmt: skip


def _health_snapshots() -> None:
    """Today's health snapshot of every key account (as the worker's daily run stores them; the scorecard
    reads them instead of computing the health of each account per request), without notices."""
    from kampass.common.cli import system_actor
    from kampass.planning.health_services import health_snapshots_record

    health_snapshots_record(actor=system_actor(), notify=False)


FIRST = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas", "Karin", "Lukas",
         "Mia", "Noah", "Olga", "Paul", "Rita", "Sven", "Tina", "Uwe"]  # fmt: skip
LAST = ["Adler", "Bauer", "Conrad", "Dietrich", "Engel", "Fischer", "Graf", "Huber", "Jung", "Keller",
        "Lang", "Meier", "Neumann", "Otto", "Peters", "Roth", "Schulz", "Vogel", "Wolf", "Zimmer"]  # fmt: skip
NAMES = ["Alpha", "Boreal", "Centauri", "Delta", "Epsilon", "Fjord", "Granit", "Helix", "Ion", "Juno",
         "Kepler", "Lumen", "Meridian", "Nova", "Orion", "Polar", "Quantum", "Rhein", "Sigma", "Titan"]  # fmt: skip
INDUSTRIES = ["Chemicals", "Automotive", "Machinery", "Pharma", "Food", "Energy", "Electronics", "Logistics"]
COUNTRIES = ["DE", "AT", "CH", "FR", "IT", "NL", "PL", "ES", "GB", "US"]
COUNTRY_WORDS = ["Deutschland", "Austria", "Suisse", "France", "Italia", "Nederland", "Polska"]
TITLES = ["CPO", "Head of Procurement", "Category Manager", "Plant Manager", "CTO", "Buyer", "Engineer"]
DEALS = ["Framework agreement", "Retrofit", "Service contract", "Spare parts", "Line extension", "Pilot"]
