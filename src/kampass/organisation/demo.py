"""Demo data of the organisation context: a filled function diagram with two
deliberate conflicts, competence profiles of the demo key account managers and
the head of KAM, and development actions, two of them blocked by the organisation.

Fictitious; written for the demo logins ``head``, ``kam`` and ``kam2`` that
``kampass.demo.services.demo_load`` creates.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kampass.organisation import services
from kampass.organisation.models import (
    Competence,
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    RaciAssignment,
    StructureSettings,
)
from kampass.organisation.seed import seed_current
from kampass.users.models import Role, User

ROLE_KEYS = (
    "head-of-kam",
    "kam",
    "account-team",
    "sales-management",
    "product-management",
    "service",
    "controlling",
    "executive-sponsor",
)

# One string per activity, one letter (or AR, or "-" for empty) per role in ROLE_KEYS order.
# Deliberate conflicts: offer and pricing approval has two Accountable (head of KAM and sales
# management); solution development has nobody Responsible.
RACI: dict[str, tuple[str, ...]] = {
    "account-selection": ("A", "C", "-", "R", "-", "-", "C", "I"),
    "account-analysis": ("I", "AR", "R", "C", "C", "C", "C", "-"),
    "buying-centre-mapping": ("I", "AR", "R", "C", "-", "C", "-", "I"),
    "account-plan": ("A", "R", "C", "C", "C", "C", "C", "I"),
    "opportunity-qualification": ("I", "A", "R", "C", "C", "-", "-", "-"),
    "offer-pricing-approval": ("A", "R", "I", "A", "C", "-", "C", "I"),
    "solution-development": ("I", "A", "C", "-", "C", "C", "-", "I"),
    "account-team-coordination": ("C", "AR", "R", "I", "I", "I", "-", "-"),
    "account-review": ("A", "R", "C", "I", "I", "I", "R", "C"),
    "escalation": ("R", "C", "I", "C", "-", "-", "-", "A"),
}

# agreed rating, self-assessment per competence key
RATINGS: dict[str, dict[str, tuple[int, int]]] = {
    "kam": {
        "customer-understanding": (4, 4),
        "strategic-thinking": (3, 4),
        "value-selling": (3, 3),
        "negotiation": (4, 5),
        "team-leadership": (2, 3),
        "networking": (4, 4),
        "financial-acumen": (2, 2),
        "digital-tools": (4, 4),
    },
    "kam2": {
        "customer-understanding": (3, 4),
        "strategic-thinking": (2, 3),
        "value-selling": (2, 3),
        "negotiation": (3, 3),
        "team-leadership": (3, 3),
        "networking": (3, 4),
        "financial-acumen": (3, 3),
        "digital-tools": (2, 3),
    },
    "head": {
        "customer-understanding": (4, 4),
        "strategic-thinking": (4, 5),
        "value-selling": (4, 4),
        "negotiation": (4, 4),
        "team-leadership": (4, 4),
        "networking": (5, 4),
        "financial-acumen": (4, 4),
        "digital-tools": (3, 3),
    },
}

# person, title, competence, due in days, status, blocked cause, what blocks it; the texts are message ids,
# shown in the reader's language (template filter stored_text)
ACTIONS: tuple[tuple[str, str, str, int, str, str, str], ...] = (
    (
        "kam",
        gettext_noop("Lead the account team workshop at the largest key account"),
        "team-leadership",
        45,
        "in_progress",
        "",
        "",
    ),
    (
        "kam",
        gettext_noop("Value-based pricing training (two days)"),
        "financial-acumen",
        30,
        "planned",
        "resources",
        gettext_noop("No training budget released for this year."),
    ),
    (
        "kam",
        gettext_noop("Build a value case with the customer's controlling"),
        "value-selling",
        -10,
        "in_progress",
        "",
        "",
    ),
    ("kam", gettext_noop("Negotiation coaching with the head of KAM"), "negotiation", -60, "done", "", ""),
    ("kam2", gettext_noop("Strategy module of the KAM programme"), "strategic-thinking", 60, "planned", "", ""),
    (
        "kam2",
        gettext_noop("Write the first account plan with the sales teams of three countries"),
        "strategic-thinking",
        20,
        "in_progress",
        "structure",
        gettext_noop("The country sales units do not report to the KAM; nobody may commit their people."),
    ),
    ("kam2", gettext_noop("Learn the CRM account plan and pipeline views"), "digital-tools", 14, "in_progress", "", ""),
    ("kam2", gettext_noop("Value selling training"), "value-selling", 90, "planned", "", ""),
    ("head", gettext_noop("Present the KAM programme to the executive board"), "networking", 21, "planned", "", ""),
)


def _delete_all() -> None:
    for model in (
        RaciAssignment,
        DevelopmentAction,
        CompetenceRating,
        CompetenceTarget,
        StructureSettings,
        ProcessActivity,
        FunctionRole,
        Competence,
    ):
        model.objects.all().delete()
        model.history.all().delete()


@transaction.atomic
def demo_organisation_load(*, reset: bool = False) -> int:
    """Load the demo KAM process, RACI and competence profiles; returns how many records were created.

    Idempotent: when demo RACI cells or development actions are present nothing is loaded
    (0 is returned). ``reset`` first deletes every record of the organisation context (also
    the edited catalogues, which are seeded afresh) and then loads.
    """
    if reset:
        _delete_all()
    created = seed_current()
    if RaciAssignment.objects.exists() or DevelopmentAction.objects.exists():
        return created
    actor = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if actor is None:
        return created
    services.structure_settings_update(actor=actor, max_accounts_per_kam=4)
    created += 1
    activities = {a.key: a for a in ProcessActivity.objects.all()}
    roles = {r.key: r for r in FunctionRole.objects.all()}
    for activity_key, codes in RACI.items():
        activity = activities.get(activity_key)
        if activity is None:
            continue
        for role_key, code in zip(ROLE_KEYS, codes, strict=True):
            if code != "-" and role_key in roles:
                services.raci_set(actor=actor, activity=activity, role=roles[role_key], code=code)
                created += 1
    competences = {c.key: c for c in Competence.objects.all()}
    people = {u.username: u for u in User.objects.filter(username__in=list(RATINGS))}
    for username, ratings in RATINGS.items():
        person = people.get(username)
        if person is None or person.role not in (Role.KAM, Role.HEAD):
            continue
        for key, (level, self_level) in ratings.items():
            if key not in competences:
                continue
            services.rating_set(actor=actor, person=person, competence=competences[key], level=level)
            services.self_rating_set(actor=person, competence=competences[key], self_level=self_level)
            created += 1
    kam = people.get("kam")
    if kam is not None and kam.role == Role.KAM and "financial-acumen" in competences:
        # a personal target above the role's: kam is to take over the profitability reviews
        services.target_set(actor=actor, competence=competences["financial-acumen"], level=4, person=kam)
        created += 1
    head = people.get("head")
    today = timezone.localdate()
    for username, title, key, due_in, status, cause, note in ACTIONS:
        person = people.get(username)
        if person is None or person.role not in (Role.KAM, Role.HEAD):
            continue
        services.action_create(
            actor=actor,
            person=person,
            title=title,
            competence=competences.get(key),
            due_date=today + dt.timedelta(days=due_in),
            status=status,
            owner=head if head is not None and username != "head" else person,
            blocked=bool(cause),
            blocked_cause=cause,
            blocked_note=note,
        )
        created += 1
    return created
