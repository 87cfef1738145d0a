"""Texts kampass stores itself (the reason of the first KAM status) are shown in the reader's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from kampass.accounts.models import AccountStatusChange
from kampass.accounts.services import account_create


def test_the_reason_kampass_wrote_is_shown_in_the_readers_language(client, head):
    # given: an account created by someone working in English (kampass writes the first status reason)
    with translation.override("en"):
        account = account_create(actor=head, name="Acme Stored Texts AG", kam_status="candidate")

    # when: a reader of German and a reader of English open the account
    head.language = "de"
    head.save()
    client.force_login(head)
    german = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    head.language = "en"
    head.save()
    english = client.get(reverse("account-detail", args=[account.pk])).content.decode()

    # then: each reads it in their language; the row keeps the message id
    assert "<td>Account angelegt</td>" in german
    assert "<td>Account created</td>" in english
    assert AccountStatusChange.objects.get(account=account).reason == "Account created"


def test_a_reason_a_user_typed_is_shown_as_typed(client, head):
    # given
    account = account_create(actor=head, name="Acme Typed AG", kam_status="candidate", status_reason="Messe 2026")

    # when
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("account-detail", args=[account.pk])).content.decode()

    # then
    assert "<td>Messe 2026</td>" in body
