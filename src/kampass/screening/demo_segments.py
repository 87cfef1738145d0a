"""Demo segments: one segment run over the demo's key accounts, computed from the demo's facts (its invoice
lines, buying centres, industries and countries) by the head of KAM, with facts up to the newest invoice day.

Loading again changes nothing; ``reset=True`` deletes the runs first and computes one anew.
"""

from __future__ import annotations

from kampass.screening import services_segments as services
from kampass.screening.models import SegmentRun


def _actor() -> object | None:
    from kampass.users.models import Role, User

    return User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first()


def demo_segments_load(*, reset: bool = False) -> int:
    """Compute the demo's segment run (unless one exists); returns how many runs were created (0 or 1)."""
    if reset:
        SegmentRun.objects.all().delete()
    actor = _actor()
    if actor is None or SegmentRun.objects.exists():
        return 0
    from kampass.accounts import facade as accounts_facade

    if len(accounts_facade.key_account_refs()) < 3:
        return 0
    services.segment_run_compute(actor=actor)
    return 1
