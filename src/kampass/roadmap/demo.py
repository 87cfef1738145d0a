"""Demo roadmap and topics: the catalogue's improvement topics rated and partly active, and initiatives
with a guardrail history over the past months (fictitious, deterministic).

* Topics: every catalogue topic, rated by impact and effort; six active against the default limit of
  five (a programme that has started one topic too many, so the topics page shows its warning),
  three done, two abandoned, two of them joint initiatives with a key account.
* Initiatives: Facts & Strategy and Commercialisation, active since five months, with one guardrail
  measurement per month: Facts & Strategy climbs from below its threshold (findings without owners
  at the start) to well above it; Commercialisation's leakage share creeps up and the latest reading
  lies above its threshold (the warning on the roadmap). A Topics initiative is planned for next
  quarter without an owner yet.

If the programme's demo accepted recommendations already, its initiatives for these logics are
used (and brought up to date) instead of creating new ones: idempotency holds per round and logic.
Loading again changes nothing; ``reset=True`` deletes the topics, the measurements and the
initiatives without a round or of an older round than the newest one, then loads again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from kampass.roadmap import catalogue
from kampass.roadmap.models import GuardrailMeasurement, Initiative, InitiativeStatus, RoadmapSettings, Topic
from kampass.roadmap.services import (
    _add_months,
    initiative_create,
    initiative_update,
    measurement_record,
    topic_create,
    topic_set_status,
)

# template key -> (impact, effort, status, owner username)
TOPIC_PLAN: dict[str, tuple[int, int, str, str]] = {
    "market_intelligence": (4, 3, "active", "head"),
    "substantiating_opportunities": (5, 2, "active", "kam"),
    "project_risks": (4, 4, "active", "kam2"),
    "buying_centre_mapping": (4, 2, "done", "kam"),
    "wallet_estimation": (3, 3, "proposed", ""),
    "new_large_potentials": (5, 4, "active", "head"),
    "account_planning": (4, 2, "done", "kam2"),
    "executive_sponsorship": (3, 1, "proposed", "head"),
    "resource_allocation": (4, 4, "proposed", ""),
    "customer_process_marketing": (4, 3, "active", "kam"),
    "cross_selling": (4, 2, "active", "kam2"),
    "value_quantification": (3, 3, "proposed", ""),
    "service_pricing": (3, 4, "abandoned", "kam"),
    "co_creation": (4, 5, "proposed", ""),
    "competence_model": (3, 3, "done", "head"),
    "kam_onboarding": (2, 2, "proposed", ""),
    "team_leadership": (3, 4, "proposed", ""),
    "executive_conversations": (3, 2, "proposed", ""),
    "function_diagram": (3, 2, "proposed", ""),
    "lead_concept": (4, 4, "proposed", ""),
    "escalation_paths": (2, 1, "proposed", ""),
    "account_team_setup": (3, 2, "proposed", ""),
    "account_profitability": (5, 3, "proposed", ""),
    "continuous_reviews": (3, 2, "proposed", ""),
    "discontinuous_reviews": (2, 3, "abandoned", ""),
    "forecast_quality": (2, 4, "proposed", ""),
    "programme_scorecard": (3, 3, "proposed", ""),
}
JOINT = {"co_creation": "Dr. Anna Keller", "cross_selling": "Markus Steiner"}

# logic -> (owner, months ago it started, description, values oldest first); descriptions are message ids,
# shown in the reader's language (template filter stored_text)
INITIATIVE_PLAN: dict[str, tuple[str, int, str, tuple[float, ...]]] = {
    "facts_strategy": (
        "head",
        5,
        gettext_noop(
            "Analyse potentials and decision processes of the key accounts; every finding gets an owner and an action."
        ),
        (0.58, 0.66, 0.72, 0.75, 0.79, 0.82),
    ),
    "commercialisation": (
        "kam",
        5,
        gettext_noop("Make the profitability of every key account and large order visible, including profit leakage."),
        (0.061, 0.064, 0.068, 0.073, 0.079, 0.087),
    ),
}


def _users() -> dict[str, Any]:
    from kampass.users.models import Role, User

    found = {u.username: u for u in User.objects.filter(username__in=["admin", "head", "kam", "kam2"])}
    actor = found.get("head") or found.get("admin") or User.objects.filter(role__in=[Role.HEAD, Role.ADMIN]).first()
    return {"actor": actor, **found}


def _reset() -> None:
    newest = Initiative.objects.aggregate(m=Max("round_id"))["m"]
    GuardrailMeasurement.objects.all().delete()
    Topic.objects.all().delete()
    RoadmapSettings.objects.all().delete()
    stale = Q(round_id__isnull=True)
    if newest is not None:
        stale |= Q(round_id__lt=newest)
    Initiative.objects.filter(stale).delete()


def _key_accounts(actor: Any) -> list[Any]:
    from kampass.roadmap.selectors import key_account_choices

    return list(key_account_choices(user=actor).order_by("name")[:6])


def _load_topics(users: dict[str, Any], accounts: list[Any]) -> int:
    actor = users["actor"]
    present = set(Topic.objects.exclude(template_key="").values_list("template_key", flat=True))
    created = 0
    joint_accounts = {key: accounts[i] for i, key in enumerate(JOINT) if i < len(accounts)}
    for template in catalogue.topic_templates():
        if template.key in present:
            continue
        impact, effort, status, owner = TOPIC_PLAN.get(template.key, (3, 3, "proposed", ""))
        account = joint_accounts.get(template.key)
        topic = topic_create(
            actor=actor,
            field=template.field,
            title=template.name.en,
            description=template.description.en,
            impact=impact,
            effort=effort,
            owner=users.get(owner) if owner else None,
            account=account,
            partner_contact=JOINT[template.key] if account else "",
            template_key=template.key,
        )
        created += 1
        if status == "done" or status == "abandoned":
            topic_set_status(actor=actor, topic=topic, status="active", force=True)
            topic_set_status(actor=actor, topic=topic, status=status)
        elif status == "active":
            topic_set_status(actor=actor, topic=topic, status="active", force=True)
    return created


def _initiative_for(logic: str) -> Initiative | None:
    """The initiative of ``logic`` to show in the demo: one from the newest round, else one without a round."""
    return Initiative.objects.filter(logic=logic).order_by(F("round_id").desc(nulls_last=True), "pk").first()


def _load_initiatives(users: dict[str, Any], accounts: list[Any]) -> int:
    actor = users["actor"]
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    for n, (logic, (owner, months, description, values)) in enumerate(INITIATIVE_PLAN.items()):
        initiative = _initiative_for(logic)
        if initiative is not None and initiative.measurements.exists():
            continue
        starts = _add_months(today.replace(day=1), -months)
        fields: dict[str, Any] = {
            "owner": users.get(owner),
            "starts": starts,
            "ends": _add_months(starts, 12),
            "description": description,
            "accounts": accounts[n * 2 : n * 2 + 3],
        }
        if initiative is None:
            initiative = initiative_create(
                actor=actor, logic=logic, title=catalogue.logic_name(logic, "en"), status="active", **fields
            )
            created += 1
        else:
            initiative = initiative_update(actor=actor, initiative=initiative, status="active", **fields)
        for k, value in enumerate(values):
            measured_at = now - dt.timedelta(days=30 * (len(values) - 1 - k) + 1)
            measurement_record(actor=None, initiative=initiative, value=value, measured_at=measured_at)
            created += 1
    if not Initiative.objects.filter(logic="topics").exists():
        starts = _add_months(today.replace(day=1), 3)
        initiative_create(
            actor=actor,
            logic="topics",
            title=catalogue.logic_name("topics", "en"),
            description=gettext_noop(
                "Limit and prioritise the improvement topics; transfer the results of finished topics."
            ),
            starts=starts,
            ends=_add_months(starts, 6),
            status=InitiativeStatus.PLANNED,
            timing="next",
        )
        created += 1
    return created


@transaction.atomic
def demo_roadmap_load(*, reset: bool = False) -> int:
    """Load the demo topics, initiatives and guardrail history; returns how many records were created."""
    if reset:
        _reset()
    users = _users()
    if users["actor"] is None:
        return 0
    RoadmapSettings.objects.get_or_create(pk=1)
    accounts = _key_accounts(users["actor"])
    return _load_topics(users, accounts) + _load_initiatives(users, accounts)
