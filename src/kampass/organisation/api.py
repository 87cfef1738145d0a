"""JSON API of the organisation context: KAM process, RACI, competences and development actions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["organisation"])
