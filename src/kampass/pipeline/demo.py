"""Demo opportunities for the pipeline context (filled in by issue 4's work)."""

from __future__ import annotations


def demo_pipeline_load(*, reset: bool = False) -> int:
    """Load the demo opportunities; returns how many were created."""
    return 0
