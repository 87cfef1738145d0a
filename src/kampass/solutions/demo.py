"""Demo solutions and co-creation initiatives (fictitious, deterministic; texts in English as entered).

* Eight solutions; seven are used at key accounts, three of them at two or more (reused: the
  Selected Key Accounts guardrail reads 3 / 7), one is in the library unused and one is retired.
* Five co-creation initiatives with the demo's key accounts, one per stage: effort in hours and
  euros, linked won opportunities and the accounts' largest invoice product groups, so that they
  realise revenue. Their dates lie relative to the newest invoice day of the demo's invoice lines
  (the Online Retail extract ends in December 2011), so that the Innovation guardrail's window
  (the twelve months up to that day) holds their effort and product-group revenue; the demo's won
  opportunities close near today and count on the initiatives' pages, not in that window.

Loading again changes nothing; ``reset=True`` deletes the demo's solutions and initiatives first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.pipeline import facade as pipeline_facade
from kampass.solutions import services
from kampass.solutions.models import Initiative, Solution, Stage

# name -> (problem, value proposition, segments, components, evidence)
SOLUTIONS: dict[str, tuple[str, str, str, str, str]] = {
    "Predictive maintenance service": (
        "Unplanned stops of the customer's lines.",
        "Sensors and a service contract cut unplanned downtime by a third.",
        "Machinery, Electronics, Banking",
        "Sensor kit, monitoring platform, quarterly service visit",
        "Pilot at BondDesk Trading: 31 % fewer stops in six months.",
    ),
    "Spare-parts pooling": (
        "Each site keeps its own expensive spare parts.",
        "A shared pool lowers the customer's stock by 20 % at the same availability.",
        "Insurance, Hospitality",
        "Pool contract, logistics hub, online stock view",
        "Connections for Business runs the pool at four sites.",
    ),
    "Self-service ordering portal": (
        "Orders by e-mail and phone cause errors and delays.",
        "Customers order, track and re-order online with their own prices.",
        "Hospitality, Recreation, Banking",
        "Portal, catalogue interface, single sign-on",
        "Order errors at Alterego Networks fell from 4 % to 0.5 %.",
    ),
    "Line retrofit package": (
        "Old lines miss current safety and energy rules.",
        "A fixed-price retrofit extends a line's life by ten years.",
        "Education, Machinery",
        "Engineering study, retrofit kit, commissioning",
        "",
    ),
    "Energy monitoring": (
        "Energy costs of the customer's sites are not visible per line.",
        "Metering per line shows where energy is wasted.",
        "Energy",
        "Meters, dashboard",
        "",
    ),
    "Operator training academy": (
        "New operators need months to run the lines well.",
        "A certified curriculum halves the ramp-up time.",
        "Media, Education",
        "Curriculum, trainers, e-learning",
        "",
    ),
    "Vendor-managed inventory": (
        "Stock-outs of consumables at the customer.",
        "We manage the customer's consumables stock on site.",
        "Food retail",
        "Stock sensors, replenishment service",
        "",
    ),
    "On-site repair contract (legacy)": (
        "Repairs on call.",
        "Technicians on site within 48 hours.",
        "Banking",
        "Service contract",
        "",
    ),
}

# solution -> [(account name, reference?)]
USES: dict[str, list[tuple[str, bool]]] = {
    "Predictive maintenance service": [
        ("BondDesk Trading", True),
        ("Gondola Group", False),
        ("Denali Software Inc", False),
    ],
    "Spare-parts pooling": [("Connections for Business", True), ("Alterego Networks Inc", False)],
    "Self-service ordering portal": [
        ("Alterego Networks Inc", True),
        ("Circa Information", False),
        ("Dascom Inc", False),
    ],
    "Line retrofit package": [("Advantage Mobilty Outfitters", False)],
    "Energy monitoring": [("Baton Rouge International", False)],
    "Operator training academy": [("Daniel Green Company", False)],
    "On-site repair contract (legacy)": [("Gondola Group", False)],
}
RETIRED = ("On-site repair contract (legacy)",)

# name -> (accounts, stage path with days before the newest invoice day, hours, cost EUR, won opportunities
#          to link per account, product groups per account, solution produced, description)
INITIATIVES: dict[str, dict[str, Any]] = {
    "Predictive maintenance, co-developed": {
        "accounts": ("BondDesk Trading", "Gondola Group"),
        "path": ((Stage.IDEA, 330), (Stage.PILOT, 240), (Stage.SCALING, 120)),
        "hours": Decimal("640"),
        "cost": Decimal("42000"),
        "opportunities": 2,
        "groups": 2,
        "solution": "Predictive maintenance service",
        "description": "Sensors and analytics developed with two key accounts' maintenance teams.",
    },
    "Self-service ordering portal": {
        "accounts": ("Alterego Networks Inc", "Circa Information"),
        "path": ((Stage.IDEA, 250), (Stage.PILOT, 150)),
        "hours": Decimal("280"),
        "cost": Decimal("18500"),
        "opportunities": 1,
        "groups": 1,
        "solution": "Self-service ordering portal",
        "description": "An ordering portal piloted with two hospitality customers.",
    },
    "Shared spare-parts pool": {
        "accounts": ("Connections for Business",),
        "path": ((Stage.IDEA, 360), (Stage.PILOT, 300), (Stage.SCALING, 200), (Stage.INTEGRATED, 90)),
        "hours": Decimal("300"),
        "cost": Decimal("12000"),
        "opportunities": 0,
        "groups": 2,
        "solution": "Spare-parts pooling",
        "description": "A spare-parts pool for the customer's sites, now part of the standard offering.",
    },
    "Energy-as-a-service contract": {
        "accounts": ("Baton Rouge International",),
        "path": ((Stage.IDEA, 45),),
        "hours": Decimal("40"),
        "cost": Decimal("3000"),
        "opportunities": 0,
        "groups": 0,
        "solution": "",
        "description": "Paying for energy savings instead of equipment: an idea to test with the customer.",
    },
    "Co-developed packaging module": {
        "accounts": ("Denali Software Inc",),
        "path": ((Stage.IDEA, 300), (Stage.PILOT, 220), (Stage.STOPPED, 100)),
        "hours": Decimal("150"),
        "cost": Decimal("9000"),
        "opportunities": 0,
        "groups": 1,
        "solution": "",
        "description": "Stopped after the pilot: the customer moved packaging to a partner.",
    },
}


def _actor() -> Any:
    from kampass.users.models import Role, User

    return (
        User.objects.filter(username="head").first()
        or User.objects.filter(role__in=[Role.HEAD, Role.ADMIN]).order_by("pk").first()
    )


def _reset() -> None:
    Initiative.objects.filter(name__in=INITIATIVES).delete()
    Solution.objects.filter(name__in=SOLUTIONS).delete()


@transaction.atomic
def demo_solutions_load(*, reset: bool = False) -> int:
    """Load the demo solutions, uses and initiatives; returns how many records were created."""
    if reset:
        _reset()
    actor = _actor()
    if actor is None or Solution.objects.filter(name__in=SOLUTIONS).exists():
        return 0
    keys = {a.name: a.id for a in accounts_facade.key_account_refs()}
    created = 0
    solutions: dict[str, Solution] = {}
    for name, (problem, value, segments, components, evidence) in SOLUTIONS.items():
        solutions[name] = services.solution_create(
            actor=actor,
            name=name,
            problem=problem,
            value_proposition=value,
            segments=segments,
            components=components,
            evidence=evidence,
        )
        created += 1
        for account, reference in USES.get(name, []):
            if account in keys:
                services.solution_use_link(
                    actor=actor, solution=solutions[name], account_id=keys[account], reference=reference
                )
                created += 1
    for name in RETIRED:
        services.solution_retire(actor=actor, solution=solutions[name])
    created += _load_initiatives(actor, keys, solutions)
    return created


def _newest_invoice_day(account_ids: list[int]) -> dt.date:
    daily = commercial_facade.daily_gross_revenue(account_ids)
    days = [rows[-1][0] for rows in daily.values() if rows]
    return max(days) if days else timezone.localdate()


def _load_initiatives(actor: Any, keys: dict[str, int], solutions: dict[str, Solution]) -> int:
    as_of = _newest_invoice_day(list(keys.values()))
    created = 0
    for name, plan in INITIATIVES.items():
        account_ids = [keys[a] for a in plan["accounts"] if a in keys]
        if not account_ids:
            continue
        opportunities: list[int] = []
        groups: list[str] = []
        for account_id in account_ids:
            won = [o.id for o in pipeline_facade.opportunity_choices([account_id]) if o.outcome == "won"]
            opportunities += won[: plan["opportunities"]]
            if plan["groups"]:
                groups += commercial_facade.product_group_choices([account_id])[: plan["groups"]]
        path = plan["path"]
        first_stage, first_days = path[0]
        starts = as_of - dt.timedelta(days=first_days)
        initiative = services.initiative_create(
            actor=actor,
            name=name,
            description=plan["description"],
            account_ids=account_ids,
            starts=starts,
            stage=first_stage,
            effort_hours=plan["hours"],
            effort_cost=plan["cost"],
            currency="EUR",
            opportunity_ids=opportunities,
            product_groups=groups,
            solution=solutions.get(plan["solution"]),
        )
        for stage, days in path[1:]:
            initiative = services.initiative_move(
                actor=actor, initiative=initiative, stage=stage, on=as_of - dt.timedelta(days=days)
            )
        created += 1
    return created
