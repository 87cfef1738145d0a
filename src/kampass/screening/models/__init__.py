"""Models of the screening context, one module per part (criteria and rounds, wallet, whitespace)."""

from kampass.screening.models.segments import Segment, SegmentMembership, SegmentRun  # noqa: F401
from kampass.screening.models.selection import Catalogue, Criterion, Decision, Rating, SelectionRound  # noqa: F401
from kampass.screening.models.wallet import PotentialEstimate, WalletEstimate  # noqa: F401
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, WhitespaceOpportunity  # noqa: F401
