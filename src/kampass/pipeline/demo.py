"""Demo opportunities for the pipeline context.

``data/opportunities.csv`` is an extract of the Salesforce sample export
(``../shared/data/salesforce-sample/Opportunity_export.csv``, Salesforce's public analytics
demo-data generator; see ``data/README.md``): every opportunity of the 330 demo accounts, which
were built from the same export's account names and ids. ``build_demo_extract`` writes it
(deterministically; a test checks the shipped file against the real export).

``demo_pipeline_load`` imports it with the Salesforce mapping (``--prefer stage``: StageName
decides the outcome where it contradicts IsClosed/IsWon), shifts all dates so that the open
deals close in the coming months, gives the deals a dated stage history (``_stage_history``; the
export has none), gives the open deals of the accounts the demo logins work on
to those logins (kam, kam2, head), adds qualification and risks to the largest open deals,
trains the win-probability model on the closed deals and scores the open ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from kampass.users.actors import Actor

DATA = Path(__file__).resolve().parent / "data"
EXTRACT = DATA / "opportunities.csv"
SOURCE = "salesforce"
COLUMNS = (
    "Id",
    "OpportunityName",
    "AccountId",
    "AccountName",
    "AccountIndustry",
    "Amount",
    "CloseDate",
    "StageName",
    "Stage",
    "IsClosed",
    "IsWon",
    "Probability",
    "ForecastCategory",
    "OpportunityOwner",
    "LeadSource",
    "RecordTypeName",
    "OpportunityAge",
)
#: The earliest expected close date of the open deals in the export; it moves to two weeks from today.
FIRST_OPEN_CLOSE = dt.date(2018, 10, 10)
SEED = 4


def build_demo_extract(source: Path, out: Path = EXTRACT, *, account_ids: Iterable[str]) -> int:
    """Write the opportunities of the demo accounts (``account_ids``: their Salesforce account ids,
    from ``kampass.demo``'s data set) from ``source`` to ``out``, in the export's row order, with the
    columns in ``COLUMNS``. Returns the rows written."""
    ids = set(account_ids)
    with source.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["AccountId"] in ids]
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def demo_foreign_opportunities(*, demo_owners: tuple[str, ...] = ()) -> int:
    """How many opportunities the demo did not create: not among the extract's Salesforce ids, and not an
    opportunity created from a whitespace recommendation (source ``whitespace``) owned by one of
    ``demo_owners`` (the demo's logins: the demo converts one recommendation)."""
    from kampass.pipeline.models import Opportunity

    with EXTRACT.open(newline="", encoding="utf-8") as fh:
        ids = [row["Id"] for row in csv.DictReader(fh)]
    foreign = Opportunity.objects.exclude(source=SOURCE, external_id__in=ids)
    if demo_owners:
        foreign = foreign.exclude(source="whitespace", owner__username__in=list(demo_owners))
    return foreign.count()


def _delete_all() -> None:
    from kampass.pipeline.models import ModelVersion, Opportunity, Risk, Target, TrainingJob

    Target.objects.all().delete()
    Target.history.all().delete()

    Opportunity.objects.all().delete()
    TrainingJob.objects.all().delete()
    ModelVersion.objects.all().delete()
    Opportunity.history.all().delete()
    Risk.history.all().delete()


def _shift_dates() -> None:
    """Move the export's dates so that the open deals close from two weeks from today on."""
    from kampass.pipeline.models import Opportunity

    today = timezone.localdate()
    delta = (today + dt.timedelta(days=14)) - FIRST_OPEN_CLOSE
    changed = []
    for o in Opportunity.objects.filter(source=SOURCE):
        if o.expected_close_date:
            o.expected_close_date += delta
        if o.outcome != "open":
            # an open deal's opening date is already today minus its age (the importer reads OpportunityAge
            # as of the export day, which is today here); a closed one's is its close date minus the age
            o.created_on += delta
        if o.closed_on:
            # the export closes some deals after its own date: such deals closed yesterday at the latest
            o.closed_on = min(o.closed_on + delta, today - dt.timedelta(days=1))
        o.created_on = min(o.created_on, o.closed_on or o.created_on, today)
        changed.append(o)
    Opportunity.objects.bulk_update(changed, ["expected_close_date", "created_on", "closed_on"], batch_size=500)


#: The export's ``Stage`` (the open stage its flags go with) -> the default process's open stage.
EXPORT_OPEN_STAGES = {
    "Discovery": "Prospecting",
    "Prospecting": "Prospecting",
    "Qualification": "Qualification",
    "Needs Analysis": "Needs Analysis",
    "Proposal/Quote": "Proposal/Price Quote",
    "Negotiation": "Negotiation/Review",
}
#: Where lost deals without a usable ``Stage`` in the export drop out (weights by open stage, earliest
#: first): most losses happen early in a sales process.
DROP_OUT_WEIGHTS = (30, 22, 15, 10, 8, 6, 5, 4)
SKIP_MIDDLE_STAGE = 0.2


def _stage_history() -> int:
    """Give the demo deals a dated stage history (the export has none): every deal starts in the
    first open stage on the day it was opened and moves through the open stages of the default process
    (a middle stage skipped now and then) on dates spread over its life; a won deal passes every open
    stage before it closes, a lost one drops out at the open stage its export row names (``Stage``)
    or, where that is a closed stage, at one drawn with ``DROP_OUT_WEIGHTS``; an open deal reaches its
    current stage by today. Each entry carries the deal's amount. Deterministic (``SEED``).

    This history is synthesised for the demo (a sales process in which deals that get further are
    won more often, as in most B2B funnels); imported real histories replace it in practice."""
    from kampass.pipeline.models import Opportunity, OpportunityStageChange, Outcome, StageKind
    from kampass.pipeline.services import default_stage_set

    rng = random.Random(SEED + 1)  # noqa: S311 (demo data, not security)
    stage_set = default_stage_set()
    stages = list(stage_set.stages.order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    by_name = {s.name: s for s in stages}
    closing = {StageKind.WON: next(s for s in stages if s.kind == StageKind.WON)}
    closing[StageKind.LOST] = next(s for s in stages if s.kind == StageKind.LOST)
    with EXTRACT.open(newline="", encoding="utf-8") as fh:
        export_stage = {row["Id"]: row["Stage"] for row in csv.DictReader(fh)}
    today = timezone.localdate()
    deals = list(Opportunity.objects.filter(source=SOURCE, stage_set=stage_set).select_related("stage").order_by("pk"))
    OpportunityStageChange.objects.filter(opportunity__in=deals).delete()
    changes = []
    for o in deals:
        if o.outcome == Outcome.OPEN:
            last = open_stages.index(o.stage) if o.stage in open_stages else 0
        elif o.outcome == Outcome.WON:
            last = len(open_stages) - 1
        else:
            named = by_name.get(EXPORT_OPEN_STAGES.get(export_stage.get(o.external_id, ""), ""))
            last = open_stages.index(named) if named else rng.choices(range(len(open_stages)), DROP_OUT_WEIGHTS)[0]
        path = [open_stages[0]] + [s for s in open_stages[1:last] if rng.random() >= SKIP_MIDDLE_STAGE]
        if last:
            path.append(open_stages[last])
        end = o.closed_on or today
        span = max(0, (end - o.created_on).days)
        # entries spread over the deal's life; a closed deal leaves its last open stage before closing
        cuts = sorted(rng.random() * (0.9 if o.closed_on else 1.0) for _ in path[1:])
        days = [o.created_on] + [o.created_on + dt.timedelta(days=round(c * span)) for c in cuts]
        previous = None
        for stage, day in zip(path, days, strict=True):
            changes.append(_demo_change(o, previous, stage, day))
            previous = stage
        if o.outcome != Outcome.OPEN and o.closed_on:
            changes.append(_demo_change(o, previous, closing[StageKind(o.outcome)], o.closed_on))
    OpportunityStageChange.objects.bulk_create(changes, batch_size=1000)
    return len(changes)


def _demo_change(o: Any, from_stage: Any, to_stage: Any, day: dt.date) -> Any:
    from kampass.pipeline.models import OpportunityStageChange

    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return OpportunityStageChange(
        opportunity=o, from_stage=from_stage, to_stage=to_stage, changed_at=at, amount=o.amount, note="demo history"
    )


def _owners_for_logins() -> int:
    """Open deals of the accounts the demo logins work on (team of the account or of an ancestor) go to them."""
    from kampass.accounts.models import Account
    from kampass.pipeline.models import Opportunity, Outcome
    from kampass.users.models import User

    moved = 0
    for username in ("kam", "kam2", "head"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        paths = Account.objects.filter(team__user=user).values_list("path", flat=True)
        for path in paths:
            moved += Opportunity.objects.filter(
                account__path__startswith=path, outcome=Outcome.OPEN, source=SOURCE
            ).update(owner=user)
    return moved


QUALIFICATION_EVIDENCE = {
    "metrics": "Customer quantified the saving: 12 % less downtime on line 3",
    "economic_buyer": "CFO signs off orders above 250k; met her at the quarterly review",
    "decision_criteria": "Total cost of ownership over 5 years, service response time",
    "decision_process": "Technical approval, then purchasing board in the last week of the quarter",
    "paper_process": "Framework agreement in place; order via purchasing portal",
    "identified_pain": "Unplanned stoppages cost them two shifts last month",
    "champion": "Head of maintenance presents our proposal internally",
    "competition": "Incumbent competitor offers 8 % lower price, longer delivery",
}
RISKS = [
    ("Delivery date depends on a single supplier", "delivery", "Qualify a second supplier", Decimal("40000")),
    ("Penalty clause for late commissioning", "contractual", "Negotiate a cap of 5 % of order value", Decimal("60000")),
    ("Steel price increase before the order", "commercial", "Price escalation clause", Decimal("25000")),
    ("Interface to the customer's control system untested", "technical", "Pilot on one line first", Decimal("30000")),
    ("Champion may leave the company", "relationship", "Build a second contact in engineering", Decimal("0")),
    ("Customer's payment behaviour has worsened", "financial", "Ask for a down payment", Decimal("50000")),
]


def _qualify_and_risks(actor: Actor) -> None:
    from kampass.pipeline.models import Opportunity, Outcome, QualificationElement
    from kampass.pipeline.services import qualification_set, risk_create

    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    largest = list(
        Opportunity.objects.filter(source=SOURCE, outcome=Outcome.OPEN)
        .select_related("account", "stage", "stage__stage_set")
        .order_by("-amount", "pk")[:24]
    )
    for i, o in enumerate(largest):
        for element in QualificationElement.values:
            roll = rng.random()
            status = "confirmed" if roll < 0.45 else "partial" if roll < 0.75 else "missing"
            if status != "missing":
                qualification_set(
                    actor=actor,
                    opportunity=o,
                    element=element,
                    status=status,
                    evidence=QUALIFICATION_EVIDENCE[element],
                )
        for title, category, mitigation, cost in rng.sample(RISKS, k=1 + i % 3):
            risk_create(
                actor=actor,
                opportunity=o,
                title=title,
                category=category,
                likelihood=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                cost=(cost * o.amount / Decimal(100000)).quantize(Decimal("1")) if cost else None,
                mitigation=mitigation,
                owner=o.owner,
                due_date=(o.expected_close_date or timezone.localdate()) - dt.timedelta(days=7),
                status="mitigating" if rng.random() < 0.3 else "open",
            )


def _targets(actor: Actor) -> int:
    """Targets of this quarter and the next three for the demo logins who own deals (kam, kam2, head) and
    year targets of this and next year for kam's first team account with its subtree. A demo quota is
    110 % of the amount (in EUR, at the close date's rate) of the owner's or subtree's deals, won, lost or
    open, that close in that period, rounded to thousands: a demo input, not a figure kampass computes."""
    from kampass.accounts.models import Account
    from kampass.common.fx import UnknownCurrency, convert
    from kampass.core.periods import period_of, target_period_bounds
    from kampass.pipeline.models import Opportunity
    from kampass.pipeline.services import target_create
    from kampass.users.models import User

    year, this_quarter = period_of(timezone.localdate(), "quarter")
    quarters = [(year + (this_quarter - 1 + i) // 4, (this_quarter - 1 + i) % 4 + 1) for i in range(4)]

    def quota(deals: Any, start: dt.date, end: dt.date) -> Decimal:
        total = Decimal(0)
        for amount, currency, close, closed in deals.values_list(
            "amount", "currency", "expected_close_date", "closed_on"
        ):
            day = closed or close
            if day is None or not start <= day <= end:
                continue
            try:
                total += convert(amount, currency, "EUR", day)
            except UnknownCurrency:
                continue
        return (total * Decimal("1.1") / 1000).quantize(Decimal("1")) * 1000

    made = 0
    for username in ("kam", "kam2", "head"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        deals = Opportunity.objects.filter(owner=user, source=SOURCE)
        for in_year, quarter in quarters:
            amount = quota(deals, *target_period_bounds("quarter", in_year, quarter))
            if amount:
                target_create(actor=actor, scope="owner", owner=user, period="quarter", year=in_year, number=quarter,
                              amount=amount, currency="EUR", note="demo quota")  # fmt: skip
                made += 1
    account = Account.objects.filter(team__user__username="kam").order_by("path").first()
    if account is not None:
        deals = Opportunity.objects.filter(account__path__startswith=account.path, source=SOURCE)
        for in_year in (year, year + 1):
            amount = quota(deals, *target_period_bounds("year", in_year))
            if amount:
                target_create(actor=actor, scope="account", account=account, period="year", year=in_year,
                              amount=amount, currency="EUR", note="demo quota")  # fmt: skip
                made += 1
    return made


def demo_pipeline_load(*, reset: bool = False) -> int:
    """Load the demo opportunities; returns how many were created (0 when they are there already)."""
    from kampass.common.cli import system_actor
    from kampass.pipeline.importing import import_opportunities
    from kampass.pipeline.models import Opportunity
    from kampass.pipeline.services import model_train, opportunities_score

    with transaction.atomic():
        if reset:
            _delete_all()
        if Opportunity.objects.filter(source=SOURCE).exists():
            return 0
        actor = system_actor()
        result = import_opportunities(actor=actor, path=EXTRACT, prefer="stage", link="external_id")
        if not result.committed:
            raise RuntimeError(f"demo opportunities not imported: {len(result.rejects)} rejects")
        _shift_dates()
        _stage_history()
        _owners_for_logins()
        _qualify_and_risks(actor)
        _targets(actor)
    # three cross-validation folds instead of five keep `kampass demo` quick; retraining uses five
    version = model_train(actor=actor, folds=3)
    opportunities_score(actor=actor, version=version)
    return result.created
