"""Demo: the solutions the demo's plans and opportunities use (fictitious, deterministic).

Runs after the solutions demo (which links solutions to key accounts in the relationship). For each
key account with a plan, the newest plan version uses the solutions in use at the account (the first
two by name); the account's first open opportunity uses the first of them. A plan that is signed
off gets its uses written through the solutions facade directly: the demo states what the plan said
when it was approved (the planning service refuses changes of a signed-off plan). Loading again
changes nothing (linking the same use twice keeps one).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kampass.planning.models import AccountPlan
from kampass.solutions import facade as solutions_facade


def _head() -> Any:
    from kampass.users.models import Role, User

    return User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first()


@transaction.atomic
def demo_plan_solutions_load() -> int:
    """Link the demo plans and opportunities to solutions (see the module docstring); returns how many
    uses were linked (0 when they are there already)."""
    from kampass.pipeline import facade as pipeline_facade

    head = _head()
    newest: dict[int, AccountPlan] = {}
    for plan in AccountPlan.objects.order_by("account_id", "-period_start", "-number"):
        newest.setdefault(plan.account_id, plan)
    if head is None or any(solutions_facade.solutions_for_plan(p.pk) for p in newest.values()):
        return 0
    created = 0
    for account_id, plan in newest.items():
        used = [s for s in solutions_facade.solutions_for_account(account_id) if s.status == "active"][:2]
        for solution in used:
            solutions_facade.solution_use_link(
                actor=head, solution_id=solution.id, account_id=account_id, plan_id=plan.pk
            )
            created += 1
        open_ones = [o for o in pipeline_facade.opportunity_choices([account_id]) if o.outcome == "open"]
        if used and open_ones:
            solutions_facade.solution_use_link(
                actor=head, solution_id=used[0].id, account_id=account_id, opportunity_id=open_ones[0].id
            )
            created += 1
    return created
