"""JSON API of the pipeline context: opportunities, risks, scores and the forecast."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["pipeline"])
