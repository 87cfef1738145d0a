"""What the screening context imports: the product catalogue as product groups (see
:mod:`kampass.common.imports`). A row names a product by its stock code (or a stock-code prefix, or a value
of the invoice lines' product group column) and the product group it belongs to; it becomes a rule of the
product-group mapping that the whitespace analysis, the wallet and the recommendations read. A row updates
the rule of the same product (and kind)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kampass.common.imports.framework import FieldSpec, Importer, Row, RowRejected
from kampass.common.imports.registry import register
from kampass.common.imports.values import choice
from kampass.screening import services_whitespace as services
from kampass.screening.models.whitespace import ProductGroupRule, RuleKind

F = FieldSpec


@register
class ProductImporter(Importer):
    """Products and their product groups; the kind says how the product is matched: ``prefix`` (default:
    invoice lines whose stock code starts with it; a whole stock code matches exactly that product and its
    variants) or ``category`` (the invoice lines' product group column)."""

    kind = "products"
    label = gettext_lazy("Products and product groups")
    permission = "screening.configure_product_groups"
    fields = (
        F(
            "product",
            gettext_lazy("product"),
            (
                "Stock code",
                "StockCode",
                "Product code",
                "ProductCode",
                "Product ID",
                "SKU",
                "Item",
                "Artikelnummer",
                "Artikel",
                "Materialnummer",
                "Produkt",
            ),
            required=True,
        ),
        F(
            "group",
            gettext_lazy("product group"),
            ("Product group", "Product family", "Family", "Category", "Produktgruppe", "Warengruppe", "Sparte"),
            required=True,
        ),
        F("match", gettext_lazy("matched by"), ("Kind", "Match", "Rule kind", "Art")),
    )
    mappings = {
        "salesforce": {"product": ["ProductCode", "StockKeepingUnit"], "group": ["Family", "Product Family"]},
        "hubspot": {"product": ["SKU", "Product ID"], "group": ["Product Type", "Product Family"]},
    }

    def apply(self, row: Row) -> str:
        problems: list[tuple[str, str]] = []
        if not row["product"]:
            problems.append(("product", _("the product is empty")))
        if not row["group"]:
            problems.append(("group", _("the product group is empty")))
        kind: str = RuleKind.PREFIX
        if row["match"]:
            aliases = {"stock code": RuleKind.PREFIX, "Artikelnummer": RuleKind.PREFIX}
            kind = choice(row["match"], RuleKind.choices, aliases) or ""
            if not kind:
                problems.append(("match", _("unknown kind; known: %(known)s") % {"known": ", ".join(RuleKind.values)}))
        if problems:
            raise RowRejected(*problems)
        rule = ProductGroupRule.objects.filter(kind=kind, pattern=row["product"]).first()
        if rule is None:
            services.product_group_rule_create(actor=self.actor, kind=kind, pattern=row["product"], group=row["group"])
            return "created"
        if rule.group == row["group"]:
            return "unchanged"
        services.product_group_rule_update(actor=self.actor, rule=rule, group=row["group"])
        return "updated"
