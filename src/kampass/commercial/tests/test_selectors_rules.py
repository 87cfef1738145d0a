"""Rules of the commercial pages, defined once in the selectors: the biggest leakage category of an
account and whether an import job is still running."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kampass.commercial import selectors
from kampass.commercial.models import ImportJob
from kampass.common.models import JobStatus


def _figures(leakage: dict[str, Decimal]) -> selectors.Figures:
    zero = Decimal(0)
    return selectors.Figures(None, "A", 1, Decimal(100), zero, zero, zero, zero, leakage)


def test_biggest_leakage():
    assert _figures({}).biggest_leakage is None
    assert _figures({"freight": Decimal(0)}).biggest_leakage is None
    assert _figures({"freight": Decimal(3), "rebates": Decimal(7)}).biggest_leakage == ("rebates", Decimal(7))


@pytest.mark.django_db
def test_import_jobs_say_whether_they_are_active_and_finished():
    # given: a job in each status
    for status in JobStatus.values:
        ImportJob.objects.create(file_path=f"/tmp/{status}.csv", original_name=status, status=status)
    # when
    jobs = {j.original_name: j for j in selectors.import_jobs()}
    # then: queued and running jobs are still to finish, done and failed ones are finished
    assert {name for name, j in jobs.items() if j.active} == {"queued", "running"}
    assert {name for name, j in jobs.items() if j.finished} == {"done", "failed"}
