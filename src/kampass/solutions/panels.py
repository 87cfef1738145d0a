"""The solutions context's panels on other contexts' pages (registered in ``SolutionsConfig.ready``):
the solutions in use at an account and everything below it on the account page (the cockpit), and
the solutions an opportunity uses on the opportunity page, with linking and unlinking for those who
may. The accounts and pipeline contexts render the panels without importing this context (the
solutions context uses theirs)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.template.loader import render_to_string

from kampass.accounts import facade as accounts_facade
from kampass.solutions import selectors
from kampass.solutions.models import Solution, SolutionStatus, SolutionUse


def account_solutions(account_id: int) -> list[dict[str, Any]]:
    """The solutions in use at the account and its subtree, by name, each with its uses there
    (``UseRow``s: at which account, for which opportunity, in which plan)."""
    rows = selectors.account_uses(accounts_facade.subtree_account_ids(account_id))
    by_solution: dict[int, list[selectors.UseRow]] = defaultdict(list)
    for row in rows:
        by_solution[row.solution_id].append(row)
    statuses = dict(Solution.objects.filter(pk__in=list(by_solution)).values_list("pk", "status"))
    return [
        {"id": sid, "name": uses[0].solution, "retired": statuses.get(sid) == SolutionStatus.RETIRED, "uses": uses}
        for sid, uses in sorted(by_solution.items(), key=lambda item: (item[1][0].solution.casefold(), item[0]))
    ]


def account_panel(request: Any, account: Any) -> str | None:
    """The solutions in use at the account (and below it), for everyone who may read the library."""
    if account is None or not request.user.has_perm("solutions.view_solution"):
        return None
    return render_to_string(
        "solutions/account_panel.html",
        {"account": account, "solutions": account_solutions(account.pk)},
        request=request,
    )


def opportunity_context(user: Any, opportunity: Any) -> dict[str, Any]:
    """What ``solutions/opportunity_panel.html`` needs."""
    uses = list(
        SolutionUse.objects.filter(opportunity_id=opportunity.pk)
        .select_related("solution", "account")
        .order_by("solution__name", "pk")
    )
    can_link = user.has_perm("solutions.link_use", opportunity.account)
    used = {u.solution_id for u in uses}
    choices = (
        [s for s in Solution.objects.filter(status=SolutionStatus.ACTIVE).order_by("name", "pk") if s.pk not in used]
        if can_link
        else []
    )
    return {
        "opportunity": opportunity,
        "uses": uses,
        "unlinkable": {u.pk for u in uses if user.has_perm("solutions.unlink_use", u)},
        "can_link": can_link,
        "choices": choices,
    }


def opportunity_panel(request: Any, opportunity: Any) -> str | None:
    """The solutions this opportunity uses (the page itself checked that the user may read it)."""
    if opportunity is None or not request.user.has_perm("solutions.view_solution"):
        return None
    return render_to_string(
        "solutions/opportunity_panel.html", opportunity_context(request.user, opportunity), request=request
    )
