"""Models of the screening context, one module per part (criteria and rounds, wallet, whitespace)."""

from kampass.screening.models.segments import Segment, SegmentMembership, SegmentRun  # noqa: F401
