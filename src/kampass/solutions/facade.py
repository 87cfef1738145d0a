"""What other contexts may ask of the solutions context (the planning context links the solutions
its account plans use; the programme reads the figures). Returns frozen dataclasses and plain values.

Units of ``programme_signals()``:

``solution_reuse_share``
    share 0..1: of the solutions in use at key accounts (accounts with KAM status key account or
    strategic account), those used at two or more distinct key accounts. ``None`` when no solution
    is in use at a key account.
``innovation_revenue_effort_ratio``
    ratio (1.0 = innovations earn the same share of revenue as the share of effort they take):
    the innovation revenue share divided by the innovation effort share, over the window of the
    365 days up to the newest invoice day of the key accounts (today when there are no invoice
    lines). All amounts in the reporting currency, each converted at the rate of its own day
    (effort at the window's last day).

    * innovation revenue = the amounts of the opportunities linked to co-creation initiatives that
      were won within the window (each opportunity once) + the gross invoice revenue, within the
      window, of the initiatives' product groups at their key accounts' customers from the
      initiative's start (each account and product group once, from the earliest start);
    * key-account revenue = the gross invoice revenue of all key accounts within the window;
    * innovation effort = the effort cost of every initiative spread evenly over its days (start to
      end, or to the window's end while it runs), the part that falls into the window.

    kampass records no working time of the account teams (the organisation context knows roles,
    RACI and competences, but no hours or capacity), so the effort share cannot be "initiative
    hours / key-account team hours". It is measured in money against the same base as the revenue
    share: effort share = innovation effort cost / key-account revenue. The ratio therefore equals
    innovation revenue / innovation effort cost within the window. ``None`` when there is no
    key-account revenue or no innovation effort in the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kampass.solutions import selectors as _selectors
from kampass.solutions import services as _services
from kampass.solutions.models import Solution as _Solution
from kampass.solutions.models import SolutionStatus as _SolutionStatus
from kampass.solutions.models import SolutionUse as _SolutionUse
from kampass.users.actors import Actor


@dataclass(frozen=True)
class SolutionRef:
    """A solution of the library: its name, status (``active``/``retired``), problem solved and target segments."""

    id: int
    name: str
    status: str
    problem: str
    segments: tuple[str, ...]


def _ref(s: _Solution) -> SolutionRef:
    return SolutionRef(s.pk, s.name, s.status, s.problem, tuple(s.segment_list))


def solutions_for_account(account_id: int) -> list[SolutionRef]:
    """The solutions used at the account (in any way: generally, for an opportunity, in a plan), by name."""
    ids = _SolutionUse.objects.filter(account_id=account_id).values("solution_id")
    return [_ref(s) for s in _Solution.objects.filter(pk__in=ids).order_by("name", "pk")]


def solution_refs(ids: Iterable[int]) -> list[SolutionRef]:
    """The solutions with these ids (unknown ids are left out), by name."""
    return [_ref(s) for s in _Solution.objects.filter(pk__in=list(ids)).order_by("name", "pk")]


def solution_choices() -> list[SolutionRef]:
    """The active solutions (those that may be linked to new uses), by name."""
    return [_ref(s) for s in _Solution.objects.filter(status=_SolutionStatus.ACTIVE).order_by("name", "pk")]


def solution_use_link(
    *, actor: Actor, solution_id: int, account_id: int, plan_id: int | None = None, opportunity_id: int | None = None
) -> None:
    """Record that the solution is used at the account (in plan ``plan_id``, for ``opportunity_id``).

    Checks the actor's right to link uses at that account (``PermissionDenied``) and the ids
    (``ValidationError`` naming the field); linking the same use twice keeps one."""
    solution = _Solution.objects.filter(pk=solution_id).first()
    if solution is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"solution_id": _("There is no solution with id %(id)s.") % {"id": solution_id}})
    _services.solution_use_link(
        actor=actor, solution=solution, account_id=account_id, opportunity_id=opportunity_id, plan_id=plan_id
    )


def solution_use_unlink(
    *, actor: Actor, solution_id: int, account_id: int, plan_id: int | None = None, opportunity_id: int | None = None
) -> None:
    """Remove the use of the solution at the account with exactly this plan and opportunity (``None``:
    without); nothing to remove is no error."""
    uses = _SolutionUse.objects.filter(
        solution_id=solution_id, account_id=account_id, **_services.use_lookup(opportunity_id, plan_id)
    ).select_related("account")
    for use in uses:
        _services.solution_use_unlink(actor=actor, use=use)


def solution_search(query: str = "", *, limit: int = 20) -> list[SolutionRef]:
    """Active solutions whose name, problem or segments contain ``query`` (all when empty), by name: the
    picker of the plan editor's solutions section."""
    qs = _Solution.objects.filter(status=_SolutionStatus.ACTIVE)
    query = (query or "").strip()
    if query:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=query) | Q(problem__icontains=query) | Q(segments__icontains=query))
    return [_ref(s) for s in qs.order_by("name", "pk")[: max(limit, 0)]]


def solutions_for_plan(plan_id: int) -> list[SolutionRef]:
    """The solutions an account plan (of the planning context) uses, by name."""
    ids = _SolutionUse.objects.filter(plan_id=plan_id).values("solution_id")
    return [_ref(s) for s in _Solution.objects.filter(pk__in=ids).order_by("name", "pk")]


def solutions_for_opportunity(opportunity_id: int) -> list[SolutionRef]:
    """The solutions an opportunity (of the pipeline context) uses, by name."""
    ids = _SolutionUse.objects.filter(opportunity_id=opportunity_id).values("solution_id")
    return [_ref(s) for s in _Solution.objects.filter(pk__in=ids).order_by("name", "pk")]


def plan_solutions_copy(*, from_plan_id: int, to_plan_id: int, by_user_id: int | None = None) -> int:
    """Carry the solution uses of plan ``from_plan_id`` over to its new version ``to_plan_id`` (called
    by the planning context inside its new-version service, which checked the right to change the
    plan); returns how many uses were copied. Uses of retired solutions are not carried over."""
    return _services.plan_uses_copy(from_plan_id=from_plan_id, to_plan_id=to_plan_id, by_user_id=by_user_id)


def programme_signals() -> dict[str, float | None]:
    """The solutions context's figures for the programme's guardrails (units: module docstring)."""
    return {
        "solution_reuse_share": _selectors.solution_reuse_share(),
        "innovation_revenue_effort_ratio": _selectors.innovation_figures().parts.ratio,
    }


__all__ = [
    "SolutionRef",
    "plan_solutions_copy",
    "programme_signals",
    "solution_choices",
    "solution_refs",
    "solution_search",
    "solution_use_link",
    "solution_use_unlink",
    "solutions_for_account",
    "solutions_for_opportunity",
    "solutions_for_plan",
]
