"""``account_change``: master data and KAM status in one transaction (the API's PATCH)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kampass.accounts.models import Account, AccountStatusChange
from kampass.accounts.services import account_change, account_create

pytestmark = pytest.mark.django_db


def test_master_data_and_status_change_together(head):
    # given
    account = account_create(actor=head, name="Acme", kam_status="candidate")
    # when
    account = account_change(actor=head, account=account, name="Acme AG", status="key_account", reason="Selected")
    # then
    account.refresh_from_db()
    assert (account.name, account.kam_status) == ("Acme AG", "key_account")
    assert AccountStatusChange.objects.filter(account=account, to_status="key_account").count() == 1


def test_a_refused_status_change_leaves_the_master_data(head):
    # given
    account = account_create(actor=head, name="Acme", kam_status="candidate")
    # when: the new name is fine but the status change has no reason
    with pytest.raises(ValidationError) as exc:
        account_change(actor=head, account=account, name="Acme AG", status="key_account", reason="")
    # then: nothing was written, not even the name
    assert "reason" in exc.value.message_dict
    assert Account.objects.get(pk=account.pk).name == "Acme"
    assert not AccountStatusChange.objects.filter(account=account, to_status="key_account").exists()


def test_the_same_status_is_not_a_change(head):
    account = account_create(actor=head, name="Acme", kam_status="candidate")
    before = AccountStatusChange.objects.filter(account=account).count()
    account_change(actor=head, account=account, status="candidate", industry="Chemicals")
    assert Account.objects.get(pk=account.pk).industry == "Chemicals"
    assert AccountStatusChange.objects.filter(account=account).count() == before
