"""``kampass screening whitespace [--account ID] [--top K] [--json]``: recommendations per account with their
reasons (all accounts with purchases, or one account and its subtree) and the conversion of whitespace
opportunities."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("whitespace", help="Whitespace recommendations per account, with their reasons.")
    p.add_argument("--account", type=int, default=None, help="Only this account (its subtree's purchases).")
    p.add_argument("--top", type=int, default=10, help="Recommendations per account (default 10).")
    p.add_argument("--lang", choices=["en", "de"], default="en", help="Language of the reasons.")
    p.add_argument("--json", action="store_true", help="Print one JSON document.")


def run(command: BaseCommand, opts: dict[str, Any]) -> None:
    from kampass.screening import selectors_whitespace as selectors

    if opts["top"] < 1:
        raise CommandError("--top: at least 1")
    data = selectors.purchases()
    if opts["account"] is not None:
        if selectors.account_or_none(opts["account"]) is None:
            raise CommandError(f"--account: there is no account with id {opts['account']}")
        ids = [opts["account"]]
    else:
        ids = sorted(data.by_account)
    recs = selectors.recommendations(ids, k=opts["top"], data=data)
    conversion = selectors.conversion(ids)
    lang = opts["lang"]
    doc: dict[str, Any] = {
        "accounts": [
            {
                "account_id": a,
                "recommendations": [
                    {
                        "product_group": r.product_group,
                        "label": r.label,
                        "rank": r.rank,
                        "score": round(r.score, 6),
                        "similar_buyers": r.similar_buyers,
                        "similar_accounts": r.similar_accounts,
                        "reason": r.reason(lang),
                    }
                    for r in recs.get(a, ())
                ],
            }
            for a in ids
        ],
        "conversion": {
            "open": conversion.open,
            "won": conversion.won,
            "lost": conversion.lost,
            "win_rate": conversion.win_rate,
        },
    }
    if opts["json"]:
        command.stdout.write(json.dumps(doc))
        return
    for entry in doc["accounts"]:
        command.stdout.write(f"Account {entry['account_id']}:")
        for r in entry["recommendations"] or []:
            command.stdout.write(f"  {r['rank']:>2}. {r['product_group']} {r['label']} — {r['reason']}")
        if not entry["recommendations"]:
            command.stdout.write("  (no recommendations)")
    c = doc["conversion"]
    command.stdout.write(f"Whitespace opportunities: {c['open']} open, {c['won']} won, {c['lost']} lost")
