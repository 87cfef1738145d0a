"""kampass.users.history on a model that keeps a history (an account): the acting user is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kampass.accounts.models import Account
from kampass.common.cli import system_actor
from kampass.users.history import delete_with_history, is_user, save_with_history


def test_a_signed_in_user_is_a_user_and_the_anonymous_visitor_is_not(head):
    from django.contrib.auth.models import AnonymousUser

    assert is_user(head)
    assert not is_user(AnonymousUser())
    assert not is_user(None)


def test_save_records_the_acting_user_in_the_history(head):
    # given
    account = Account(name="Acme History AG")

    # when
    save_with_history(account, head)

    # then
    assert account.history.latest().history_user == head


def test_save_validates_first_and_writes_nothing_when_invalid(head):
    # given: a name is required
    account = Account(name="")

    # when / then
    with pytest.raises(ValidationError):
        save_with_history(account, head)
    assert not Account.objects.filter(name="").exists()


def test_delete_records_the_acting_user(head):
    # given
    account = Account(name="Acme Gone AG")
    save_with_history(account, head)
    pk = account.pk

    # when
    delete_with_history(account, head)

    # then
    assert not Account.objects.filter(pk=pk).exists()
    assert Account.history.filter(id=pk).latest().history_user == head


@pytest.mark.django_db
def test_the_operator_without_an_account_is_not_recorded():
    # given: no administrator account exists, so the command line acts as the operator
    operator = system_actor()
    account = Account(name="Acme CLI AG")

    # when
    save_with_history(account, operator)

    # then
    assert not is_user(operator)
    assert account.history.latest().history_user is None


def _last_two(records):
    newer, older = list(records.order_by("-history_date", "-history_id")[:2])
    return newer, older


def test_a_changed_choice_is_shown_by_its_label_in_the_readers_language(head):
    # given: an account moved from key account to strategic account
    from django.utils import translation

    from kampass.accounts.selectors import account_history

    account = Account(name="Acme Labels AG", kam_status="key_account")
    save_with_history(account, head)
    account.kam_status = "strategic"
    save_with_history(account, head)

    # when: the account's history is read in English and in German
    with translation.override("en"):
        english = [tuple(c) for e in account_history(account) for c in e.changes]
    with translation.override("de"):
        german = [tuple(c) for e in account_history(account) for c in e.changes]

    # then: labels, never the codes key_account -> strategic
    assert english == [("KAM status", "Key account", "Strategic account")]
    assert german == [("KAM-Status", "Key Account", "Strategischer Account")]


def test_a_changed_foreign_key_is_shown_by_the_objects_name_not_its_id(head, client):
    # given: an opportunity moved from Proposal back to Qualification
    from django.urls import reverse
    from django.utils import translation

    from kampass.pipeline.services import opportunity_change_stage
    from kampass.pipeline.tests.factories import make_opportunity, stage
    from kampass.users.history import field_changes

    opportunity = make_opportunity(stage_name="Proposal/Price Quote", actor=head)
    opportunity_change_stage(actor=head, opportunity=opportunity, stage=stage("Qualification"))
    newer, older = _last_two(opportunity.history)

    # when
    with translation.override("de"):
        changes = [c for c in field_changes(newer, older) if c.label == "Phase"]

    # then
    assert [(c.old, c.new) for c in changes] == [("Angebot/Preisangebot", "Qualifizierung")]

    # and the opportunity page shows the move in words to a reader of German
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    assert "<del>Angebot/Preisangebot</del> → <ins>Qualifizierung</ins>" in body
