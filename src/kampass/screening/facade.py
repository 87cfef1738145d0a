"""What other contexts may ask of the screening context (the programme reads the portfolio, potential
and segment signals; the planning context shows share of wallet and potential in the plan's situation).
Returns frozen dataclasses and plain values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _segment_dispersion() -> float | None:
    from kampass.screening.selectors_segments import segment_dispersion

    return segment_dispersion()


#: the parts of ``account_heterogeneity`` (name -> function giving a dispersion 0..1 or ``None``); the
#: dispersion of the key accounts over the selection portfolio's quadrants is added here as one more entry
_HETEROGENEITY_PARTS: dict[str, Callable[[], float | None]] = {"segments": _segment_dispersion}


def account_heterogeneity() -> float | None:
    """How different the key accounts are: the mean of the parts in :data:`_HETEROGENEITY_PARTS` that are
    known, each a Gini-Simpson dispersion (the probability that two key accounts drawn at random fall into
    different segments, or quadrants): 0 = all alike .. towards 1 = all different; ``None`` when no part is
    known (no segment run yet)."""
    from kampass.core.screening.segments import combined_heterogeneity

    return combined_heterogeneity({name: part() for name, part in _HETEROGENEITY_PARTS.items()})


def programme_signals() -> dict[str, float | None]:
    """The screening facts for the programme's recommender (read by :mod:`kampass.programme.facade`).

    * ``account_heterogeneity`` (score 0..1): :func:`account_heterogeneity` (dispersion of the key accounts
      over the current segments, and over the portfolio once it exists); ``None`` without a segment run;
    * ``key_account_segments`` (count): segments of the current segment run; ``None`` without a run;
    * ``segment_separation`` (score -1..1): the mean silhouette of the current run (how clearly the segments
      are apart; above about 0.25 they are distinct); ``None`` without a run or with one segment;
    * ``key_accounts_segmented_share`` (share 0..1): today's key accounts that are in a segment of the
      current run (0 without a run; new key accounts lower it); ``None`` without key accounts.
    """
    from kampass.screening.selectors_segments import current_run, segmented_share

    run = current_run()
    return {
        "account_heterogeneity": account_heterogeneity(),
        "key_account_segments": float(run.k) if run else None,
        "segment_separation": run.silhouette if run else None,
        "key_accounts_segmented_share": segmented_share(run),
    }


@dataclass(frozen=True)
class AccountSegment:
    """The segment of an account in the current segment run: its number, size, profile in English and
    German, and the run's date."""

    account_id: int
    run_id: int
    number: int
    size: int
    description_en: str
    description_de: str
    computed_at: Any


def account_segment(account_id: int) -> AccountSegment | None:
    """The account's segment in the current segment run; ``None`` when it is in none."""
    from kampass.screening.selectors_segments import account_segment as find

    s = find(account_id)
    if s is None:
        return None
    return AccountSegment(account_id, s.run_id, s.number, s.size, s.description_en, s.description_de, s.run.computed_at)
