"""JSON API of the programme context: catalogue, assessments, recommendations and roadmap."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["programme"])
