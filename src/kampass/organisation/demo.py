"""Demo data of the organisation context (filled in by issue 5's work)."""

from __future__ import annotations


def demo_organisation_load(*, reset: bool = False) -> int:
    """Load the demo KAM process, RACI and competence profiles; returns how many records were created."""
    return 0
