"""Whitespace: how stock codes map to product groups, and the product groups a KAM marked as not
relevant for an account; opportunities created from recommendations are remembered for their conversion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    PREFIX = "prefix", _("Stock-code prefix")
    CATEGORY = "category", _("Product group column")


class ProductGroupRule(models.Model):
    """A rule of the product-group mapping the head of KAM configures: invoice lines whose stock code
    starts with ``pattern`` (kind ``prefix``) or whose imported product group column equals ``pattern``
    (kind ``category``) belong to the product group ``group``. The longest matching prefix wins, then a
    category rule; a line no rule matches belongs to its normalised stock code (letter suffix removed)."""

    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices, default=RuleKind.PREFIX)
    pattern = models.CharField(_("pattern"), max_length=100)
    group = models.CharField(_("product group"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product-group rule")
        verbose_name_plural = _("product-group rules")
        ordering = ["kind", "pattern"]
        constraints = [models.UniqueConstraint(fields=["kind", "pattern"], name="screening_group_rule_unique")]

    def __str__(self) -> str:
        return f"{self.pattern} -> {self.group}"


class NotRelevantMark(models.Model):
    """A KAM's judgement that a product group is not relevant for an account (with the reason): the
    whitespace matrix shows it as "not relevant" and it is never recommended there."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    product_group = models.CharField(_("product group"), max_length=100)
    reason = models.TextField(_("reason"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked"), auto_now_add=True)

    class Meta:
        verbose_name = _("not relevant product group")
        verbose_name_plural = _("not relevant product groups")
        ordering = ["account", "product_group"]
        constraints = [
            models.UniqueConstraint(fields=["account", "product_group"], name="screening_not_relevant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.product_group}"


class WhitespaceOpportunity(models.Model):
    """An opportunity (of the pipeline context, by id) created from a whitespace recommendation: which
    product group, with which reason, by whom; its outcome is read from the pipeline for the conversion."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    product_group = models.CharField(_("product group"), max_length=100)
    opportunity_id = models.PositiveBigIntegerField(_("opportunity"), unique=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("whitespace opportunity")
        verbose_name_plural = _("whitespace opportunities")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.product_group} ({self.opportunity_id})"
