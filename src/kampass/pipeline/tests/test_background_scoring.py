"""Every open deal has a current score: a new or changed opportunity is scored in the background
(a task queued when the change commits), with the model version and the time."""

from __future__ import annotations

import pytest

from kampass.pipeline.models import Opportunity
from kampass.pipeline.services import model_train, opportunity_change_stage, opportunity_update
from kampass.pipeline.tests.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(head, group):
    """An active model trained on 40 closed deals of two kinds."""
    from kampass.accounts.tests.factories import AccountFactory

    retail = AccountFactory(name="Retail Co", industry="Retail", country="DE")
    for i in range(40):
        won = i % 4 != 0 if i < 20 else i % 4 == 0
        make_opportunity(
            account=group if i < 20 else retail,
            name=f"Deal {i}",
            amount=10000 + 1000 * i,
            stage_name="Closed Won" if won else "Closed Lost",
        )
    return model_train(actor=head, folds=3)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_new_deal_is_scored_when_it_is_saved(
    head, group, trained, immediate_tasks, django_capture_on_commit_callbacks
):
    version = trained
    # when a deal is created (the task runs on commit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        o = make_opportunity(account=group, name="New deal", stage_name="Qualification")
    # then it carries a score of the active version
    assert callbacks
    o.refresh_from_db()
    assert o.probability is not None
    assert o.model_version == version
    first = o.scored_at
    # and a change scores it again
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_update(actor=head, opportunity=o, amount=90000)
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_change_stage(actor=head, opportunity=o, stage=stage("Negotiation/Review"))
    o.refresh_from_db()
    assert o.scored_at is not None
    assert first is not None
    assert o.scored_at > first


def test_without_a_model_nothing_is_scored_and_nothing_fails(
    group, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        o = make_opportunity(account=group, name="New deal")
    assert Opportunity.objects.get(pk=o.pk).probability is None


def test_the_task_is_queued_only_when_the_change_commits(group, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_opportunity(account=group, name="New deal")
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("score_opportunities")


def test_the_board_card_and_the_detail_page_name_the_model_version_and_scoring_time(
    client, head, group, trained, immediate_tasks, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        o = make_opportunity(account=group, name="New deal", stage_name="Qualification")
    client.force_login(head)
    board = client.get(reverse("pipeline-board")).content.decode()
    assert f"Calibrated probability: model version {trained.version}, scored " in board
    detail = client.get(reverse("opportunity-detail", args=[o.pk])).content.decode()
    assert f"Scored by model version {trained.version}" in detail
