"""Models of the screening context, one module per part (criteria and rounds, wallet, whitespace)."""

from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, WhitespaceOpportunity  # noqa: F401
