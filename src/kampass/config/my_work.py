"""The "My work" page: a user's open actions, the reviews due, their deals past the expected close
date, the risks due and the coverage gaps of their key accounts. It gathers what several contexts
answer through their facades, so it lives in the composition root above them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kampass.accounts import facade as accounts_facade
from kampass.common.htmx import render_page
from kampass.pipeline import facade as pipeline_facade
from kampass.planning import facade as planning_facade


@dataclass(frozen=True)
class MyWork:
    """The sections of "My work" (each a list, shown with its length)."""

    today: dt.date
    actions: list[planning_facade.WorkAction]
    reviews: list[planning_facade.WorkReview]
    deals: list[pipeline_facade.OverdueDeal]
    risks: list[pipeline_facade.DueRisk]
    gaps: list[accounts_facade.CoverageGapAccount]

    @property
    def total(self) -> int:
        return len(self.actions) + len(self.reviews) + len(self.deals) + len(self.risks) + len(self.gaps)


def my_work(user: Any, *, today: dt.date | None = None) -> MyWork:
    """What ``user`` has to see to, in a fixed number of queries however many items there are."""
    day = today or timezone.localdate()
    return MyWork(
        today=day,
        actions=planning_facade.my_open_actions(user, today=day),
        reviews=planning_facade.reviews_due(user, today=day),
        deals=pipeline_facade.overdue_deals(user, today=day),
        risks=pipeline_facade.risks_due(user, today=day),
        gaps=accounts_facade.my_coverage_gaps(user),
    )


@login_required
def my_work_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "common/my_work.html", {"work": my_work(request.user)})
