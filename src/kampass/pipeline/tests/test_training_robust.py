"""Retraining is robust to any mix of closed opportunities a user can create, and a failed
retraining keeps the active model and says why (issue 10, item 21)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.common.models import JobStatus
from kampass.pipeline.models import ModelVersion, Opportunity, Outcome
from kampass.pipeline.services import (
    model_train,
    opportunity_change_stage,
    training_job_create,
    training_job_run,
)
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def closed_deals(account: Any, n: int = 40, **fields: Any) -> list[Opportunity]:
    """``n`` deals created closed (so without an open stage in their history): every fourth lost."""
    return [
        make_opportunity(
            account=account,
            name=f"Deal {i}",
            amount=fields.get("amount", 10000 + 1000 * i),
            stage_name="Closed Lost" if i % 4 == 0 else "Closed Won",
            **{k: v for k, v in fields.items() if k != "amount"},
        )
        for i in range(n)
    ]


def reopen_and_close(head: Any, opportunity: Opportunity) -> None:
    """What a user does in the UI: move a won deal back to an open stage, then close it again."""
    opportunity_change_stage(actor=head, opportunity=opportunity, stage=stage("Negotiation/Review"))
    opportunity.refresh_from_db()
    opportunity_change_stage(actor=head, opportunity=opportunity, stage=stage("Closed Won"))


def test_reopening_and_reclosing_one_won_deal_does_not_break_retraining(head, group):
    # given: closed deals without stage history, and one won deal reopened and re-closed
    deals = closed_deals(group)
    reopen_and_close(head, deals[1])
    # when
    version = model_train(actor=head)
    # then: trained on every closed deal; the stage feature (one deal has it) did not break a fold
    assert version.active
    assert version.training_rows == 41  # the reopened deal is also seen when it was back in Negotiation
    assert "stage_order" in version.features


def test_the_reported_failure_through_the_training_job(head, group):
    # given
    deals = closed_deals(group)
    reopen_and_close(head, deals[1])
    job = training_job_create(actor=head, enqueue=False)
    # when
    job = training_job_run(str(job.pk))
    # then
    assert job.status == JobStatus.DONE
    assert job.error == ""


def _mix_few_rows(head: Any, account: Any) -> None:
    closed_deals(account, n=6)


def _mix_one_outcome(head: Any, account: Any) -> None:
    for i in range(35):
        make_opportunity(account=account, name=f"Won {i}", amount=1000 + i, stage_name="Closed Won")


def _mix_duplicates(head: Any, account: Any) -> None:
    closed_deals(account, n=32, amount=5000, created_on=dt.date(2026, 1, 5))


def _mix_single_values(head: Any, account: Any) -> None:
    deals = closed_deals(account, n=32)
    Opportunity.objects.filter(pk=deals[3].pk).update(lead_source="Fair", products=["Lift"], competitors=["Kone"])
    reopen_and_close(head, deals[2])


def _mix_reopened_many(head: Any, account: Any) -> None:
    deals = closed_deals(account, n=31)
    for o in deals[1:4]:
        reopen_and_close(head, o)


def _mix_duplicates_but_one_reopened(head: Any, account: Any) -> None:
    deals = closed_deals(account, n=30, amount=5000, created_on=dt.date(2026, 1, 5))
    reopen_and_close(head, deals[1])


MIXES = {
    "few rows": (_mix_few_rows, "Too few closed opportunities"),
    "one outcome": (_mix_one_outcome, "Too few closed opportunities"),
    "exact duplicates": (_mix_duplicates, "do not differ in any feature"),
    "single non-empty values": (_mix_single_values, None),
    "several reopened deals": (_mix_reopened_many, None),
    "duplicates, one reopened": (_mix_duplicates_but_one_reopened, None),
}


@pytest.mark.parametrize("name", MIXES)
def test_any_mix_trains_or_is_refused_with_a_reason_keeping_the_active_model(head, group, name):
    # given: an active model trained on other data, then the mix
    make, refusal = MIXES[name]
    old = _active_model(head)
    make(head, AccountFactory(name="Mix AG", industry="Retail"))
    Opportunity.objects.filter(name__startswith="Earlier").delete()
    job = training_job_create(actor=head, enqueue=False)
    # when
    if refusal is None:
        job = training_job_run(str(job.pk))
        # then: a new active version
        assert job.status == JobStatus.DONE
        assert ModelVersion.objects.get(active=True).pk != old.pk
    else:
        with pytest.raises(ValidationError):
            training_job_run(str(job.pk))
        job.refresh_from_db()
        # then: refused, saying why, and the old model stays active
        assert job.status == JobStatus.FAILED
        assert refusal in job.error
        assert f"The active model version {old.version} stays in use." in job.error
        assert ModelVersion.objects.get(active=True).pk == old.pk


def _active_model(head: Any) -> ModelVersion:
    account = AccountFactory(name="Earlier AG")
    for i in range(30):
        make_opportunity(
            account=account,
            name=f"Earlier {i}",
            amount=1000 * (i + 1),
            stage_name="Closed Lost" if i % 3 == 0 else "Closed Won",
        )
    return model_train(actor=head, folds=3)


def test_an_unexpected_failure_keeps_the_model_and_says_why_in_job_api_and_page(head, group, monkeypatch, api, client):
    # given: an active model, and a training that breaks inside the model code
    old = _active_model(head)
    import kampass.core.forecasting as forecasting

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the boosting broke")

    monkeypatch.setattr(forecasting, "evaluate", broken)
    job = training_job_create(actor=head, enqueue=False)
    # when
    with pytest.raises(RuntimeError):
        training_job_run(str(job.pk))
    # then: the job says why and that the active version stays in use
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "The training failed: an unexpected error (RuntimeError: the boosting broke); please report it. "
        f"The active model version {old.version} stays in use."
    )
    assert ModelVersion.objects.get(active=True).pk == old.pk
    assert Opportunity.objects.filter(outcome=Outcome.OPEN).count() == 0
    # ... in the API
    assert api(head, "get", f"/model/jobs/{job.pk}").json()["error"] == job.error
    # ... and on the model report
    client.force_login(head)
    page = client.get(reverse("model-report")).content.decode()
    assert "The training failed: an unexpected error" in page


def test_the_failure_is_told_in_the_language_of_who_asked(head, group):
    # given
    head.language = "de"
    head.save()
    closed_deals(group, n=4)
    job = training_job_create(actor=head, enqueue=False)
    # when
    with pytest.raises(ValidationError):
        training_job_run(str(job.pk))
    # then
    job.refresh_from_db()
    assert job.error.startswith("Das Training ist fehlgeschlagen: ")
    assert "Noch ist keine Modellversion aktiv." in job.error
