"""Qualification of an opportunity: how far each MEDDPICC element is known, with the evidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.concurrency import expect_version
from kampass.common.permissions import authorize
from kampass.pipeline.models import Opportunity, Qualification, QualificationElement, QualificationStatus
from kampass.pipeline.services.model import schedule_scoring
from kampass.users.actors import Actor
from kampass.users.history import is_user as _is_user
from kampass.users.history import save_with_history as _save


@transaction.atomic
def qualification_set(
    *, actor: Actor, opportunity: Opportunity, element: str, status: str, evidence: str = "", version: int | None = None
) -> Qualification:
    """Record how far one MEDDPICC element is known, with the evidence.

    A partly known or confirmed element needs evidence. ``version``: of the element's entry the change is
    based on (``ConcurrentEdit`` when it was saved since).
    """
    authorize(actor, "pipeline.change_opportunity", opportunity)
    errors: dict[str, list[str]] = {}
    if element not in QualificationElement.values:
        errors["element"] = [
            _("Unknown qualification element “%(value)s”. Known elements: %(known)s.")
            % {"value": element, "known": ", ".join(QualificationElement.values)}
        ]
    if status not in QualificationStatus.values:
        errors["status"] = [_("Unknown status “%(value)s”.") % {"value": status}]
    evidence = (evidence or "").strip()
    if status in (QualificationStatus.PARTIAL, QualificationStatus.CONFIRMED) and not evidence:
        errors["evidence"] = [_("Say what you know and how you know it.")]
    if errors:
        raise ValidationError(errors)
    item = Qualification.objects.filter(opportunity=opportunity, element=element).first() or Qualification(
        opportunity=opportunity, element=element
    )
    expect_version(item, version)
    item.status, item.evidence = status, evidence
    item.updated_by = actor if _is_user(actor) else None
    _save(item, actor)
    schedule_scoring([item.opportunity_id])
    return item
