"""``kampass screening segments [--compute] [--as-of YYYY-MM-DD] [--k-max N] [--json]``: the segments of
the key accounts (the current run, or a new one computed first)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("segments", help="Show the segments of the key accounts (--compute: compute a new run first).")
    p.add_argument("--compute", action="store_true", help="Compute a new segment run from today's facts first.")
    p.add_argument("--as-of", default="", help="Last day of the facts' year (default: the newest invoice day).")
    p.add_argument("--k-max", type=int, default=8, help="Largest number of segments tried (default 8).")
    p.add_argument("--json", action="store_true", help="Print one JSON document.")


def run_document(run: Any) -> dict[str, Any]:
    """A segment run as the CLI (and its tests) print it: run facts, segments with profile and members."""
    from kampass.screening import selectors_segments as sel

    segments = []
    for view in sel.run_segments(run, lang="en"):
        s = view.segment
        segments.append(
            {
                "number": s.number,
                "size": s.size,
                "profile": s.description_en,
                "profile_de": s.description_de,
                "features": s.profile,
                "members": [{"account_id": a.id, "name": a.name} for a in view.members],
            }
        )
    return {
        "run_id": run.pk,
        "computed_at": run.computed_at.isoformat(),
        "as_of": run.as_of.isoformat(),
        "k": run.k,
        "silhouette": run.silhouette,
        "silhouettes": run.silhouettes,
        "accounts": run.accounts,
        "segments": segments,
    }


def run(command: Any, opts: dict[str, Any]) -> None:
    from kampass.common.cli import system_actor
    from kampass.screening import selectors_segments as sel
    from kampass.screening import services_segments as services

    if opts["compute"]:
        try:
            as_of = dt.date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
        except ValueError as exc:
            raise CommandError(f"--as-of: {opts['as_of']!r} is no date (YYYY-MM-DD)") from exc
        try:
            current = services.segment_run_compute(actor=system_actor(), as_of=as_of, k_max=opts["k_max"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
    else:
        found = sel.current_run()
        if found is None:
            raise CommandError("No segment run yet: compute one with `kampass screening segments --compute`.")
        current = found
    doc = run_document(current)
    if opts["json"]:
        command.stdout.write(json.dumps(doc))
        return
    sil = "–" if current.silhouette is None else f"{current.silhouette:.2f}"
    command.stdout.write(
        f"Segment run {current.pk} of {current.computed_at:%Y-%m-%d %H:%M} (facts up to {current.as_of}): "
        f"{current.accounts} key accounts in {current.k} segments, silhouette {sil}"
    )
    for s in doc["segments"]:
        names = ", ".join(m["name"] for m in s["members"])
        command.stdout.write(f"  {s['number']}. {s['size']} accounts: {s['profile']}")
        command.stdout.write(f"     {names}")
