"""Demo assessment round and roadmap for the programme context (filled in by issue 5's work)."""

from __future__ import annotations


def demo_programme_load(*, reset: bool = False) -> int:
    """Load the demo assessment round; returns how many responses were created."""
    return 0
