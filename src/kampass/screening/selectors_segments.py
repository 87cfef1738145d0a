"""Reads of the segments of key accounts: runs, a run's segments with their members, an account's segment
and the dispersion of the key accounts over the current segments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from kampass.accounts import facade as accounts_facade
from kampass.core.screening import segments as core
from kampass.screening.models import Segment, SegmentMembership, SegmentRun


def run_list() -> QuerySet[SegmentRun]:
    """Every segment run, newest first."""
    return SegmentRun.objects.select_related("computed_by").order_by("-computed_at", "-pk")


def current_run() -> SegmentRun | None:
    """The newest segment run (the current segmentation); ``None`` before the first."""
    return run_list().first()


@dataclass(frozen=True)
class SegmentView:
    """A segment with its profile (features in words, ``z`` and mean) and its members, by name."""

    segment: Segment
    description: str
    profile: list[tuple[str, float, float]]
    members: list[accounts_facade.AccountRef]


def run_segments(run: SegmentRun, *, lang: str) -> list[SegmentView]:
    """The segments of ``run`` by number, each with its profile in ``lang`` and its members by name."""
    members: dict[int, list[int]] = {}
    for segment_id, account_id in SegmentMembership.objects.filter(run=run).values_list("segment_id", "account_id"):
        members.setdefault(segment_id, []).append(account_id)
    refs = {a.id: a for a in accounts_facade.all_accounts()}
    out = []
    for s in run.segments.order_by("number"):
        profile = [(core.feature_label(p["feature"], lang), float(p["z"]), float(p["mean"])) for p in s.profile]
        named = sorted((refs[a] for a in members.get(s.pk, []) if a in refs), key=lambda r: (r.name, r.id))
        out.append(SegmentView(s, s.description(lang), profile, named))
    return out


def account_segment(account_id: int) -> Segment | None:
    """The segment of the account in the current run; ``None`` when it is in none (or there is no run)."""
    run = current_run()
    if run is None:
        return None
    m = SegmentMembership.objects.filter(run=run, account_id=account_id).select_related("segment").first()
    return m.segment if m else None


def segment_dispersion(run: SegmentRun | None = None) -> float | None:
    """Dispersion of the key accounts over the segments of ``run`` (default: the current one), as
    :func:`kampass.core.screening.segments.dispersion`; ``None`` without a run or below two accounts."""
    run = run or current_run()
    if run is None:
        return None
    return core.dispersion(SegmentMembership.objects.filter(run=run).values_list("segment_id", flat=True))


def segmented_share(run: SegmentRun | None = None) -> float | None:
    """Share of today's key accounts that are in a segment of ``run`` (default: the current one); 0 without
    a run, ``None`` without key accounts."""
    keys = accounts_facade.key_account_ids()
    if not keys:
        return None
    run = run or current_run()
    if run is None:
        return 0.0
    inside = set(SegmentMembership.objects.filter(run=run, account_id__in=keys).values_list("account_id", flat=True))
    return len(inside) / len(keys)
