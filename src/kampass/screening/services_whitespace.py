"""Writes of the whitespace part: the product-group mapping, "not relevant" marks, and turning a
recommendation into an opportunity (through the pipeline's facade) marked as coming from whitespace."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.permissions import authorize
from kampass.pipeline import facade as pipeline_facade
from kampass.screening import selectors_whitespace as selectors
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, RuleKind, WhitespaceOpportunity
from kampass.users.actors import Actor
from kampass.users.history import is_user


def _text(value: str, field: str, *, max_length: int = 100) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}})
    return text


@transaction.atomic
def product_group_rule_create(*, actor: Actor, kind: str, pattern: str, group: str) -> ProductGroupRule:
    """Add a rule to the product-group mapping (head of KAM, administrator)."""
    authorize(actor, "screening.configure_product_groups")
    if kind not in RuleKind.values:
        raise ValidationError({"kind": _("Choose a stock-code prefix or a product group column.")})
    pattern, group = _text(pattern, "pattern"), _text(group, "group")
    if ProductGroupRule.objects.filter(kind=kind, pattern=pattern).exists():
        raise ValidationError({"pattern": _("There is already a rule for this pattern.")})
    return ProductGroupRule.objects.create(
        kind=kind, pattern=pattern, group=group, created_by=actor if is_user(actor) else None
    )


@transaction.atomic
def product_group_rule_update(*, actor: Actor, rule: ProductGroupRule, group: str) -> ProductGroupRule:
    """Move a rule's pattern to another product group (head of KAM, administrator)."""
    authorize(actor, "screening.configure_product_groups")
    rule.group = _text(group, "group")
    rule.save(update_fields=["group"])
    return rule


@transaction.atomic
def product_group_rule_delete(*, actor: Actor, rule: ProductGroupRule) -> None:
    authorize(actor, "screening.configure_product_groups")
    rule.delete()


@transaction.atomic
def not_relevant_mark(*, actor: Actor, account: Any, product_group: str, reason: str) -> NotRelevantMark:
    """Mark ``product_group`` not relevant for ``account`` with a reason (replaces an earlier mark's reason)."""
    authorize(actor, "screening.act_on_whitespace", account)
    group = _text(product_group, "product_group")
    text = _text(reason, "reason", max_length=2000)
    mark, _created = NotRelevantMark.objects.update_or_create(
        account=account,
        product_group=group,
        defaults={"reason": text, "marked_by": actor if is_user(actor) else None},
    )
    return mark


@transaction.atomic
def not_relevant_unmark(*, actor: Actor, mark: NotRelevantMark) -> None:
    authorize(actor, "screening.act_on_whitespace", mark.account)
    mark.delete()


@transaction.atomic
def recommendation_to_opportunity(
    *,
    actor: Actor,
    account: Any,
    product_group: str,
    amount: Decimal | int | str = Decimal("0"),
    currency: str = "EUR",
    data: selectors.Purchases | None = None,
) -> WhitespaceOpportunity:
    """Turn the current recommendation of ``product_group`` for ``account`` into an open opportunity
    (source "whitespace", the product group in its products, the reason as its description) and remember
    it for the conversion. Refused when the group is not among the account's current recommendations."""
    authorize(actor, "screening.act_on_whitespace", account)
    recs = selectors.recommendations([account.pk], data=data).get(account.pk, ())
    found = next((r for r in recs if r.product_group == product_group), None)
    if found is None:
        raise ValidationError({"product_group": _("This product group is not recommended for the account.")})
    label = f"{found.product_group} {found.label}".strip()
    opportunity_id = pipeline_facade.opportunity_from_recommendation(
        actor=actor,
        account_id=account.pk,
        name=_("Cross-selling: %(group)s") % {"group": label},
        product_group=found.product_group,
        reason=found.reason_en,
        source=selectors.SOURCE,
        amount=Decimal(str(amount)),
        currency=currency,
    )
    return WhitespaceOpportunity.objects.create(
        account=account,
        product_group=found.product_group,
        opportunity_id=opportunity_id,
        reason=found.reason_en,
        created_by=actor if is_user(actor) else None,
    )
