"""The buying centre of a customer project: which contacts decide it, in which roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.accounts.facade import contact_link_authorize
from kampass.accounts.models import Account, BuyingRole, Contact, Position
from kampass.common.concurrency import expect_row_version, expect_saved_version
from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, OpportunityContact
from kampass.pipeline.services.model import schedule_scoring
from kampass.users.actors import Actor
from kampass.users.history import delete_with_history as _delete
from kampass.users.history import save_with_history as _save


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    bad = [r for r in roles if r not in BuyingRole.values]
    if bad:
        raise ValidationError(
            {
                "roles": _("Unknown buying-centre role “%(role)s”. Known roles: %(known)s.")
                % {"role": bad[0], "known": ", ".join(BuyingRole.values)}
            }
        )
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return roles


def _holds_position_in_tree(contact: Contact, account: Account) -> bool:
    """Whether ``contact`` holds a position at ``account``, an ancestor or a descendant of it."""
    from kampass.core.hierarchy import path_ids

    ancestors = path_ids(account.path) or [account.pk]
    positions = Position.objects.filter(contact=contact)
    return (
        positions.filter(account_id__in=ancestors).exists()
        or positions.filter(account__path__startswith=account.path).exists()
    )


@transaction.atomic
def opportunity_contact_set(
    *,
    actor: Actor,
    opportunity: Opportunity,
    contact: Contact,
    roles: Iterable[str],
    notes: str = "",
    version: int | None = None,
) -> OpportunityContact:
    """Record that ``contact`` takes part in deciding this project, in ``roles``
    (the buying-centre roles of the accounts context). The contact must hold a position
    at the opportunity's account, above it or below it. ``version``: of the link the change is
    based on (0: there was none; ``ConcurrentEdit`` when it was added, changed or removed since)."""
    authorize(actor, "pipeline.change_opportunity", opportunity)
    contact_link_authorize(actor=actor, contact=contact)
    clean = _clean_roles(roles)
    if not _holds_position_in_tree(contact, opportunity.account):
        raise ValidationError(
            {
                "contact": _("%(person)s holds no position at %(account)s or in its hierarchy.")
                % {"person": contact, "account": opportunity.account.name}
            }
        )
    saved = OpportunityContact.objects.select_for_update().filter(opportunity=opportunity, contact=contact).first()
    expect_row_version(OpportunityContact, saved, version)
    link = saved or OpportunityContact(opportunity=opportunity, contact=contact)
    link.roles, link.notes = clean, (notes or "").strip()
    _save(link, actor)
    schedule_scoring([link.opportunity_id])
    return link


@transaction.atomic
def opportunity_contact_remove(*, actor: Actor, link: OpportunityContact, version: int | None = None) -> None:
    authorize(actor, "pipeline.change_opportunity", link.opportunity)
    expect_saved_version(link, version)
    _delete(link, actor)
    schedule_scoring([link.opportunity_id])
