"""Demo roadmap and topics (filled in by issue 5's work)."""

from __future__ import annotations


def demo_roadmap_load(*, reset: bool = False) -> int:
    """Load the demo topics, initiatives and guardrail history; returns how many records were created."""
    return 0
