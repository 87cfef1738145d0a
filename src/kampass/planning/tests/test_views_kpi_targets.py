"""Pages of the KPI targets and the KPI matrix: the head sets a target through the form, others are
refused, the matrix shows lights, German texts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.planning.kpi_target_services import kpi_target_set
from kampass.planning.models import KpiTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Kone", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam, role="kam")
    return account


def test_the_head_sets_a_target_through_the_form(client, head, account):
    client.force_login(head)

    response = client.post(
        reverse("kpi-targets"),
        {"kpi_key": "leakage_share", "account": str(account.pk), "green": "0.05", "amber": "0.1", "direction": ""},
    )

    assert response.status_code == 302
    row = KpiTarget.objects.get()
    assert (row.account_id, row.green, row.higher_is_better) == (account.pk, Decimal("0.05"), False)
    page = client.get(reverse("kpi-targets")).content.decode()
    assert "Kone" in page


def test_a_bad_target_is_shown_on_the_form(client, head):
    client.force_login(head)

    response = client.post(reverse("kpi-targets"), {"kpi_key": "win_rate", "green": "0.1", "amber": "0.5"})

    assert response.status_code == 422
    assert "Green must be at least as demanding as amber" in response.content.decode()
    assert not KpiTarget.objects.exists()


def test_kams_and_viewers_may_not_open_or_post_the_targets(client, head, kam, viewer):
    row = kpi_target_set(actor=head, kpi_key="win_rate", green="0.5", amber="0.3")
    for user in (kam, viewer):
        client.force_login(user)
        assert client.get(reverse("kpi-targets")).status_code == 403
        assert (
            client.post(reverse("kpi-targets"), {"kpi_key": "win_rate", "green": "1", "amber": "0"}).status_code == 403
        )
        assert client.post(reverse("kpi-target-delete", args=[row.pk]), {"version": row.version}).status_code == 403
    assert KpiTarget.objects.get().green == Decimal("0.5")


def test_the_head_removes_a_target(client, head):
    row = kpi_target_set(actor=head, kpi_key="win_rate", green="0.5", amber="0.3")
    client.force_login(head)

    response = client.post(reverse("kpi-target-delete", args=[row.pk]), {"version": row.version})

    assert response.status_code == 302
    assert not KpiTarget.objects.exists()


def test_the_matrix_shows_the_kams_accounts_with_lights_in_german(client, head, kam, account):
    kpi_target_set(actor=head, kpi_key="decision_makers_covered", green="2", amber="1")
    AccountFactory(name="Otis", kam_status="key_account")
    kam.language = "de"
    kam.save()
    client.force_login(kam)

    page = client.get(reverse("kpi-matrix")).content.decode()

    assert "KPI-Matrix" in page
    assert "Kone" in page
    assert "Otis" not in page
    assert 'data-light="red"' in page
    assert "Nach KAM" in page
    assert reverse("kpi-targets") not in page


def test_the_matrix_needs_a_login(client):
    assert client.get(reverse("kpi-matrix")).status_code == 302
