"""Rules of the programme pages, defined once in the selectors: questionnaire progress, whether
answers may still change, whether a report job is still running."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from kampass.common.models import JobStatus
from kampass.programme import selectors, services
from kampass.programme.models import Function, ReportJob
from kampass.programme.tests.conftest import fill, open_round_with


def test_completion_percent():
    assert selectors.completion_percent(answered=0, placed=0, total=0) == 0
    assert selectors.completion_percent(answered=3, placed=1, total=8) == 50
    assert selectors.completion_percent(answered=1, placed=0, total=3) == 33


@pytest.mark.django_db
def test_respondent_progress_and_editability(head, kam, kam2, catalogue):
    # given: one respondent who completed and submitted, one who has not started
    r = open_round_with(head, [(kam, Function.KAM), (kam2, Function.KAM)])
    done = r.respondents.get(user=kam)
    fill(done, catalogue, random.Random(1))
    services.respondent_submit(actor=kam, respondent=done)
    # when
    rows = {row.respondent.user_id: row for row in selectors.respondent_progress(r)}
    # then
    assert (rows[kam.pk].percent, rows[kam.pk].editable) == (100, False)
    assert (rows[kam2.pk].percent, rows[kam2.pk].editable) == (0, True)
    # and the service refuses exactly what the selector says is not editable
    with pytest.raises(ValidationError, match="submitted"):
        services.answer_save(actor=kam, respondent=done, statement=catalogue.statements[0].key, rating=3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "active"),
    [
        (JobStatus.QUEUED, True),
        (JobStatus.RUNNING, True),
        (JobStatus.DONE, False),
        (JobStatus.FAILED, False),
    ],
)
def test_report_job_active(status, active):
    assert ReportJob(status=status).active is active


@pytest.mark.django_db
def test_who_sees_which_round(head, kam, kam2, viewer):
    # given: an open round kam is invited to, and a draft nobody is invited to
    invited = open_round_with(head, [(kam, Function.KAM)], minimum=1)
    draft = services.round_create(actor=head, title="Draft", starts=invited.starts, min_respondents=1)
    # then: managers see both; kam the one invited to; others neither (until a round is closed)
    assert selectors.may_view_round(head, draft)
    assert selectors.may_view_round(kam, invited)
    assert not selectors.may_view_round(kam, draft)
    assert not selectors.may_view_round(kam2, invited)
    assert set(selectors.visible_rounds(user=head)) == {invited, draft}
    assert list(selectors.visible_rounds(user=kam)) == [invited]
    assert list(selectors.visible_rounds(user=viewer)) == []
