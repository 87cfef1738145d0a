"""JSON API of the roadmap context: initiatives per logic, guardrails and improvement topics."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["roadmap"])
