"""The ``reviews`` and ``kpis`` subcommands of ``kampass plan``: raise the reviews events call for (or
list the planned ones), and print an account's KPIs. ``add_parsers(sub)`` adds them to the command's
subparsers; ``run(command, opts)`` runs the chosen one (returns False for another subcommand)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


def add_parsers(sub: Any) -> None:
    reviews = sub.add_parser("reviews", help="Raise the reviews events call for, or list the planned reviews.")
    reviews.add_argument(
        "--raise-events", action="store_true", help="Plan a review for every new event and due check-in."
    )
    reviews.add_argument("--enqueue", action="store_true", help="With --raise-events: queue it as a background task.")
    reviews.add_argument("--today", type=_day, default=None, help="The day to judge events by (default: today).")
    reviews.add_argument(
        "--state", default="open", choices=["open", "due", "overdue", "upcoming", "held", "cancelled", "all"]
    )
    reviews.add_argument("--json", action="store_true", help="Print one JSON document.")
    reviews.add_argument("--lang", choices=["en", "de"], default="en")
    kpis = sub.add_parser("kpis", help="Print the KPIs of an account (a group: with its subsidiaries).")
    kpis.add_argument("account_id", type=int)
    kpis.add_argument("--as-of", type=_day, default=None, help="Default: today.")
    kpis.add_argument("--currency", default="", help="Default: the reporting currency.")
    kpis.add_argument("--json", action="store_true", help="Print one JSON document.")
    kpis.add_argument("--lang", choices=["en", "de"], default="en")


def run(command: BaseCommand, opts: dict[str, Any]) -> bool:
    action = opts.get("action")
    if action not in ("reviews", "kpis"):
        return False
    with translation.override(opts["lang"]):
        if action == "reviews":
            _reviews(command, opts)
        else:
            _kpis(command, opts)
    return True


def _reviews(command: BaseCommand, opts: dict[str, Any]) -> None:
    today = opts["today"] or timezone.localdate()
    if opts["raise_events"]:
        if opts["enqueue"]:
            from kampass.planning.tasks import raise_review_events

            result = raise_review_events.enqueue()
            command.stdout.write(
                json.dumps({"task": str(result.id)}) if opts["json"] else f"Queued as task {result.id}."
            )
            return
        from kampass.planning.services_reviews import reviews_raise_events

        planned = reviews_raise_events(today=today)
        rows = [_review_json(r, today) for r in planned]
        if opts["json"]:
            command.stdout.write(json.dumps({"planned": rows}, ensure_ascii=False))
        else:
            command.stdout.write(f"Planned {len(rows)} review(s).")
            for r in rows:
                command.stdout.write(
                    f"  {r['account']}: {r['kind']} {r['trigger']} due {r['due_on']} {r['event_note']}"
                )
        return
    from kampass.planning.selectors_reviews import review_list_all

    # the command runs as the system: it sees the reviews of every account
    rows = [_review_json(r, today) for r in review_list_all(today=today, state=opts["state"])]
    if opts["json"]:
        command.stdout.write(json.dumps({"reviews": rows}, ensure_ascii=False))
        return
    for r in rows:
        command.stdout.write(f"{r['due_on']}  {r['due_state']:<9} {r['account']}: {r['kind']} {r['trigger']}")
    command.stdout.write(f"{len(rows)} review(s).")


def _review_json(review: Any, today: dt.date) -> dict[str, Any]:
    from kampass.planning.selectors_reviews import due_flag

    return {
        "id": review.pk,
        "account_id": review.account_id,
        "account": review.account.name,
        "kind": review.kind,
        "trigger": review.trigger,
        "event_note": review.event_note,
        "due_on": review.due_on.isoformat(),
        "status": review.status,
        "due_state": due_flag(review, today),
    }


def _kpis(command: BaseCommand, opts: dict[str, Any]) -> None:
    from django.utils.translation import get_language

    from kampass.core import kpis as core
    from kampass.planning.kpis import account_kpis, display_value

    as_of = opts["as_of"] or timezone.localdate()
    values = account_kpis([opts["account_id"]], as_of=as_of, currency=opts["currency"])[opts["account_id"]]
    if opts["json"]:
        command.stdout.write(json.dumps({k: v.as_json() for k, v in values.items()}, ensure_ascii=False))
        return
    lang = get_language() or "en"
    for key, v in values.items():
        command.stdout.write(
            f"{core.kpi(key).label(lang):<45} {display_value(v.value, v.unit, v.currency):>20}  {v.source}"
        )
