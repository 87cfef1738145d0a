"""Phase proposal and the recommender of logics of realisation (interface first; rules follow)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kampass.core.assessment import FieldScore, TensionScore
from kampass.core.concept import Catalogue, Guardrail, Text

Signals = Mapping[str, float | None]
"""Facts from kampass by key (see :data:`kampass.core.concept.SIGNALS`); ``None`` or missing = unknown."""


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: the rule's key, its text with the inputs filled in, and the inputs themselves."""

    rule: str
    text: Text
    inputs: dict[str, float | None]


@dataclass(frozen=True)
class PhaseProposal:
    """The proposed phase and the evidence for it."""

    phase: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Recommendation:
    """A logic in the proposed roadmap: rank (1 = first), timing, combinations, order, reasons."""

    logic: str
    rank: int
    timing: str
    combine_with: tuple[str, ...]
    after: tuple[str, ...]
    reasons: tuple[Reason, ...]
    score: float
    benefits: Text
    dangers: Text
    guardrail: Guardrail


def propose_phase(catalogue: Catalogue, fields: list[FieldScore], signals: Signals) -> PhaseProposal:
    """Propose the programme's phase from the assessment and the facts."""
    raise NotImplementedError


def recommend(
    catalogue: Catalogue, fields: list[FieldScore], tensions: list[TensionScore], signals: Signals, phase: str
) -> list[Recommendation]:
    """Rank all eight logics for ``phase`` with reasons traceable to their inputs."""
    raise NotImplementedError
