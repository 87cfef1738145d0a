"""``customer_unlink``: removing a customer link is a service (head of KAM and administrators)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kampass.accounts.tests.factories import AccountFactory
from kampass.commercial import services
from kampass.commercial.models import CustomerLink

pytestmark = pytest.mark.django_db


def test_head_removes_a_link_and_others_may_not(head, kam, admin_user):
    # given
    CustomerLink.objects.create(customer_id="C1", account=AccountFactory())
    CustomerLink.objects.create(customer_id="C2", account=AccountFactory())
    # when / then
    with pytest.raises(PermissionDenied):
        services.customer_unlink(actor=kam, customer_id="C1")
    services.customer_unlink(actor=head, customer_id="C1")
    services.customer_unlink(actor=admin_user, customer_id="C2")
    assert not CustomerLink.objects.exists()
    with pytest.raises(Http404):
        services.customer_unlink(actor=head, customer_id="C1")
