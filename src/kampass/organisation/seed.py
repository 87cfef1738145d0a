"""The built-in catalogues of the organisation context: KAM process activities,
roles of the function diagram, the competence model and default targets.

The data migration ``0002_seed_catalogues`` loads them; ``seed_catalogues`` can
load them again (idempotent: existing keys are left as the users edited them).
"""

from __future__ import annotations

from typing import Any

# (key, English name, German name, English description, German description)
ACTIVITIES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "account-selection",
        "Key account selection",
        "Auswahl der Key Accounts",
        "Decide which customers become key accounts (portfolio, criteria, reviews).",
        "Entscheiden, welche Kunden Key Accounts werden (Portfolio, Kriterien, Überprüfung).",
    ),
    (
        "account-analysis",
        "Account analysis",
        "Kundenanalyse",
        "Business, challenges, decision process and potential of the customer.",
        "Geschäft, Herausforderungen, Entscheidungsprozess und Potenzial des Kunden.",
    ),
    (
        "buying-centre-mapping",
        "Buying-centre mapping",
        "Buying-Center-Analyse",
        "Who decides, who influences, how the supplier is seen.",
        "Wer entscheidet, wer beeinflusst, wie der Lieferant gesehen wird.",
    ),
    (
        "account-plan",
        "Account strategy and plan",
        "Kundenstrategie und Key-Account-Plan",
        "Objectives, strategy and actions for the account, with resources.",
        "Ziele, Strategie und Massnahmen für den Kunden, mit Ressourcen.",
    ),
    (
        "opportunity-qualification",
        "Opportunity qualification",
        "Qualifizierung von Opportunities",
        "Harden opportunities before resources are committed (e.g. MEDDPICC).",
        "Opportunities erhärten, bevor Ressourcen gebunden werden (z. B. MEDDPICC).",
    ),
    (
        "offer-pricing-approval",
        "Offer and pricing approval",
        "Freigabe von Angebot und Preis",
        "Approve offers, prices, discounts and contract terms for the account.",
        "Angebote, Preise, Rabatte und Vertragsbedingungen für den Kunden freigeben.",
    ),
    (
        "solution-development",
        "Solution development and co-creation",
        "Lösungsentwicklung und Co-Creation",
        "Develop customer-specific solutions and joint projects.",
        "Kundenspezifische Lösungen und gemeinsame Projekte entwickeln.",
    ),
    (
        "account-team-coordination",
        "Account team coordination",
        "Koordination des Account-Teams",
        "Coordinate the account team across units and countries.",
        "Das Account-Team über Einheiten und Länder hinweg koordinieren.",
    ),
    (
        "account-review",
        "Account review",
        "Account-Review",
        "Continuous and discontinuous reviews of the account's results and plan.",
        "Kontinuierliche und diskontinuierliche Überprüfung von Ergebnissen und Plan.",
    ),
    (
        "escalation",
        "Escalation",
        "Eskalation",
        "Resolve conflicts with the customer or inside the supplier.",
        "Konflikte mit dem Kunden oder innerhalb des Lieferanten lösen.",
    ),
)

ROLES: tuple[tuple[str, str, str], ...] = (
    ("head-of-kam", "Head of KAM", "KAM-Leitung"),
    ("kam", "Key account manager", "Key-Account-Manager/in"),
    ("account-team", "Account team", "Account-Team"),
    ("sales-management", "Sales management", "Verkaufsleitung"),
    ("product-management", "Product management", "Produktmanagement"),
    ("service", "Service", "Service"),
    ("controlling", "Controlling", "Controlling"),
    ("executive-sponsor", "Executive sponsor", "Executive Sponsor"),
)

COMPETENCES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "customer-understanding",
        "Customer and business understanding",
        "Kunden- und Geschäftsverständnis",
        "Knows the customer's business, markets, challenges and decision processes.",
        "Kennt Geschäft, Märkte, Herausforderungen und Entscheidungsprozesse des Kunden.",
    ),
    (
        "strategic-thinking",
        "Strategic thinking",
        "Strategisches Denken",
        "Derives objectives and a strategy for the account and sets priorities.",
        "Leitet Ziele und Strategie für den Kunden ab und setzt Prioritäten.",
    ),
    (
        "value-selling",
        "Value selling",
        "Value Selling",
        "Quantifies and communicates the value of solutions for the customer.",
        "Beziffert und vermittelt den Wert von Lösungen für den Kunden.",
    ),
    (
        "negotiation",
        "Negotiation",
        "Verhandlung",
        "Negotiates prices and terms with professional buyers.",
        "Verhandelt Preise und Konditionen mit professionellen Einkäufern.",
    ),
    (
        "team-leadership",
        "Leading the account team and projects",
        "Führung von Account-Team und Projekten",
        "Leads the account team and large customer projects without line authority.",
        "Führt Account-Team und grosse Kundenprojekte ohne disziplinarische Weisungsbefugnis.",
    ),
    (
        "networking",
        "Networking and political skill",
        "Netzwerk und politisches Geschick",
        "Builds relationships across the buying centre and inside the own company.",
        "Baut Beziehungen im Buying Center und im eigenen Unternehmen auf.",
    ),
    (
        "financial-acumen",
        "Financial acumen",
        "Finanzverständnis",
        "Reads the profitability of the account and of large orders.",
        "Versteht die Profitabilität des Kunden und grosser Aufträge.",
    ),
    (
        "digital-tools",
        "Digital tools",
        "Digitale Werkzeuge",
        "Uses CRM, account plans and analytics as a matter of course.",
        "Nutzt CRM, Account-Pläne und Analysen selbstverständlich.",
    ),
)

# default target levels per user role (kam, head) and competence key
ROLE_TARGETS: dict[str, dict[str, int]] = {
    "kam": {
        "customer-understanding": 4,
        "strategic-thinking": 4,
        "value-selling": 4,
        "negotiation": 4,
        "team-leadership": 4,
        "networking": 4,
        "financial-acumen": 3,
        "digital-tools": 3,
    },
    "head": {
        "customer-understanding": 4,
        "strategic-thinking": 5,
        "value-selling": 4,
        "negotiation": 4,
        "team-leadership": 5,
        "networking": 5,
        "financial-acumen": 4,
        "digital-tools": 3,
    },
}


def seed_catalogues(activity_model: Any, role_model: Any, competence_model: Any, target_model: Any) -> int:
    """Create the built-in entries whose keys are missing; returns how many rows were created.

    Takes the model classes so that the data migration can pass its historical models.
    """
    created = 0
    for order, (key, en, de, den, dde) in enumerate(ACTIVITIES, start=1):
        _, new = activity_model.objects.get_or_create(
            key=key,
            defaults={"name_en": en, "name_de": de, "description_en": den, "description_de": dde, "order": order * 10},
        )
        created += new
    for order, (key, en, de) in enumerate(ROLES, start=1):
        _, new = role_model.objects.get_or_create(key=key, defaults={"name_en": en, "name_de": de, "order": order * 10})
        created += new
    competences = {}
    for order, (key, en, de, den, dde) in enumerate(COMPETENCES, start=1):
        competences[key], new = competence_model.objects.get_or_create(
            key=key,
            defaults={"name_en": en, "name_de": de, "description_en": den, "description_de": dde, "order": order * 10},
        )
        created += new
    for role, levels in ROLE_TARGETS.items():
        for key, level in levels.items():
            _, new = target_model.objects.get_or_create(
                competence=competences[key], role=role, user=None, defaults={"level": level}
            )
            created += new
    return created


def seed_current() -> int:
    """Seed with the current models (e.g. after a test flushed the tables)."""
    from kampass.organisation.models import Competence, CompetenceTarget, FunctionRole, ProcessActivity

    return seed_catalogues(ProcessActivity, FunctionRole, Competence, CompetenceTarget)
