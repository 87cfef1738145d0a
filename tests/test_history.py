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
