"""JSON API of the screening context: criteria, ratings, scores, selection rounds and decisions, wallet
estimates, whitespace and recommendations. Lists have the shape ``{"items": [...], "count": n}``."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["screening"])
