"""The solutions an account plan uses (the plan's "solutions" section): picked from the solution
library and stored as uses of the solutions context (``SolutionUse`` with the plan's id), through
its facade. A plan's solutions change while the plan is editable (draft or in review); a new version
starts with the solutions of the version it is based on (registered in ``services.VERSION_COPIERS``).

Permissions: the actor must be allowed to change the plan (``planning.change_plan`` on its account)
and, checked by the solutions context, to link uses at the account (``solutions.link_use``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kampass.common.permissions import authorize
from kampass.planning import services
from kampass.planning.models import AccountPlan
from kampass.solutions import facade as solutions_facade
from kampass.users.actors import Actor


def _editable(actor: Actor, plan: AccountPlan) -> None:
    authorize(actor, "planning.change_plan", plan.account)
    if not plan.editable:
        raise ValidationError(
            {
                "solution_id": [
                    _("This plan version is no longer editable; start a new version to change its solutions.")
                ]
            }
        )


@transaction.atomic
def plan_solution_link(*, actor: Actor, plan: AccountPlan, solution_id: int) -> None:
    """Record that ``plan`` uses the library's solution ``solution_id`` (an active one); linking it
    twice keeps one use."""
    _editable(actor, plan)
    solutions_facade.solution_use_link(
        actor=actor, solution_id=solution_id, account_id=plan.account_id, plan_id=plan.pk
    )


@transaction.atomic
def plan_solution_unlink(*, actor: Actor, plan: AccountPlan, solution_id: int) -> None:
    """Remove the plan's use of solution ``solution_id`` (nothing to remove is no error)."""
    _editable(actor, plan)
    solutions_facade.solution_use_unlink(
        actor=actor, solution_id=solution_id, account_id=plan.account_id, plan_id=plan.pk
    )


def copy_solutions(old: AccountPlan, new: AccountPlan) -> None:
    """A new plan version uses the solutions of the version it starts from."""
    solutions_facade.plan_solutions_copy(from_plan_id=old.pk, to_plan_id=new.pk, by_user_id=new.created_by_id)


if copy_solutions not in services.VERSION_COPIERS:
    services.VERSION_COPIERS.append(copy_solutions)
