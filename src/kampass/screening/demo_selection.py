"""Demo of the selection portfolio (fictitious, deterministic; texts in English as entered):

* the default criteria catalogue (version 1), published by the head of KAM;
* ratings with justifications of the rated criteria, by each key account's KAM for their accounts
  (values derived from the account's and criterion's names, so that loading again gives the same);
* a closed selection round ("Demo round") with a decision on every account: proposals that only
  move accounts between prospect and candidate are accepted (their KAM status and its history follow);
  proposals that would change a key account's status are answered with "keep for one more period",
  so that the demo's key accounts (which the other contexts' demo figures rest on) stay as they are.

Loading again changes nothing; ``reset=True`` deletes the demo round, ratings and catalogues first.
"""

from __future__ import annotations

import zlib
from typing import Any

from django.db import transaction

from kampass.accounts import facade as accounts_facade
from kampass.screening import services_selection as services
from kampass.screening.models.selection import Catalogue, CriterionKind, Decision, Rating, SelectionRound

ROUND_PERIOD = "Demo round"
DEMO_NOTE = "Default catalogue of the demo."

JUSTIFICATIONS: dict[str, tuple[str, ...]] = {
    "reference_value": (
        "Not known in the market.",
        "Known regionally; a modest reference.",
        "A name our prospects recognise.",
        "Often cited by peers in the industry.",
        "The reference of the industry: opens doors elsewhere.",
    ),
    "cooperation_potential": (
        "Buys on price only, no joint work.",
        "Open to joint work on small topics.",
        "Runs one joint project with us.",
        "Asks for co-development regularly.",
        "Shares its roadmap and co-develops with us.",
    ),
    "price_enforceability": (
        "Tenders every year, the cheapest wins.",
        "Strong pressure on every quote.",
        "Accepts list price with usual discounts.",
        "Pays for service and quality.",
        "Pays a premium for our solutions.",
    ),
    "creditworthiness": (
        "Payments often late; collection cases.",
        "Late payments now and then.",
        "Pays on time mostly.",
        "Pays on time; good rating.",
        "Excellent rating, pays early.",
    ),
    "strategic_fit": (
        "Outside our target industries.",
        "Adjacent to our focus.",
        "Fits one of our segments.",
        "Fits our core segment.",
        "Exactly the customer our strategy names.",
    ),
    "share_of_wallet": (
        "We are a minor supplier here.",
        "One of several suppliers.",
        "A main supplier.",
        "Preferred supplier for most of its needs.",
        "Nearly sole supplier.",
    ),
    "satisfaction": (
        "Complaints escalated to management.",
        "Mixed feedback in the last review.",
        "Satisfied, no escalations.",
        "Praised our service in the last review.",
        "Recommends us actively.",
    ),
    "proximity": (
        "No contact beyond purchasing.",
        "Contacts in purchasing and one user department.",
        "Regular meetings with several departments.",
        "Close ties including management.",
        "Embedded in the customer's planning rounds.",
    ),
}


def _actor() -> Any:
    from kampass.users.models import Role, User

    return (
        User.objects.filter(username="head").first()
        or User.objects.filter(role__in=[Role.HEAD, Role.ADMIN]).order_by("pk").first()
    )


def _rating(account_name: str, key: str) -> int:
    return 1 + zlib.crc32(f"{account_name}/{key}".encode()) % 5


def _reset() -> None:
    SelectionRound.objects.filter(period=ROUND_PERIOD).delete()
    Rating.objects.filter(justification__in=[t for texts in JUSTIFICATIONS.values() for t in texts]).delete()
    Catalogue.objects.filter(note=DEMO_NOTE, rounds__isnull=True).delete()


@transaction.atomic
def demo_selection_load(*, reset: bool = False) -> int:
    """Load the demo catalogue, ratings and closed round; returns how many records were created."""
    if reset:
        _reset()
    actor = _actor()
    if actor is None or SelectionRound.objects.filter(period=ROUND_PERIOD).exists():
        return 0
    from kampass.users.models import User

    created = 0
    catalogue = Catalogue.objects.order_by("-number").first()
    if catalogue is None:
        catalogue = services.catalogue_publish(actor=actor, criteria=services.default_criteria(), note=DEMO_NOTE)
        created += 1
    rated = [c.key for c in catalogue.criteria.filter(kind=CriterionKind.RATED) if c.key in JUSTIFICATIONS]
    users = {u.pk: u for u in User.objects.filter(pk__in={k.user_id for k in accounts_facade.kam_assignments()})}
    seen: set[int] = set()
    for k in accounts_facade.kam_assignments():
        if k.account_id in seen or not k.is_key_account:
            continue
        seen.add(k.account_id)
        for key in rated:
            value = _rating(k.account_name, key)
            services.rating_create(
                actor=users[k.user_id], account_id=k.account_id, criterion_key=key, value=value,
                justification=JUSTIFICATIONS[key][value - 1],
            )  # fmt: skip
            created += 1
    selection_round = services.round_open(actor=actor, period=ROUND_PERIOD)
    created += 1
    key_statuses = ("key_account", "strategic")
    for d in Decision.objects.filter(round=selection_round).select_related("account"):
        if d.proposed_status == d.from_status:
            status, reason = d.from_status, "Agreed with the proposal: the status stays."
        elif d.from_status in key_statuses or d.proposed_status in key_statuses:
            status, reason = (
                d.from_status,
                "Keep for one more period: the account plan's measures take effect next half-year.",
            )
        else:
            status, reason = d.proposed_status, "Agreed with the proposal after the portfolio review."
        services.decision_record(actor=actor, decision=d, status=status, reason=reason)
        created += 1
    services.round_close(actor=actor, selection_round=selection_round)
    return created
