"""Segment pages: the current segments with profiles and members, an earlier run, computing a run (and its
denial), the account page's segment panel, German."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.screening import services_segments as services
from kampass.screening.models import SegmentRun
from kampass.screening.tests.factories_segments import two_kinds_of_key_accounts

pytestmark = pytest.mark.django_db


def test_a_controller_reads_the_segments_but_cannot_compute(client, head, controller):
    # given
    kinds = two_kinds_of_key_accounts()
    run = services.segment_run_compute(actor=head)
    client.force_login(controller)
    # when
    page = client.get(reverse("screening-segments"))
    # then
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="segment-1"' in body
    assert 'data-testid="segment-2"' in body
    assert all(a.name in body for accounts in kinds.values() for a in accounts)
    for s in run.segments.all():
        assert s.description_en in body
    assert 'data-testid="compute-segments"' not in body
    denied = client.post(reverse("screening-segments-compute"))
    assert denied.status_code == 403
    assert SegmentRun.objects.count() == 1


def test_head_computes_from_the_page_and_earlier_runs_stay_readable(client, head):
    two_kinds_of_key_accounts()
    client.force_login(head)
    empty = client.get(reverse("screening-segments")).content.decode()
    assert 'data-testid="no-segments"' in empty
    assert 'data-testid="compute-segments"' in empty
    assert client.post(reverse("screening-segments-compute")).status_code == 302
    assert client.post(reverse("screening-segments-compute")).status_code == 302
    first, _second = SegmentRun.objects.order_by("pk")
    older = client.get(reverse("screening-segment-run", args=[first.pk])).content.decode()
    assert "This is an earlier run." in older
    assert "This is an earlier run." not in client.get(reverse("screening-segments")).content.decode()


def test_too_few_key_accounts_is_a_message_not_an_error(client, head):
    client.force_login(head)
    response = client.post(reverse("screening-segments-compute"), follow=True)
    assert response.status_code == 200
    assert "at least three key accounts" in response.content.decode()
    assert not SegmentRun.objects.exists()


def test_the_account_page_shows_its_segment(client, head, viewer):
    kinds = two_kinds_of_key_accounts()
    account = kinds["bags"][0]
    client.force_login(viewer)
    before = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert 'data-testid="account-segment-panel"' not in before  # no run yet
    run = services.segment_run_compute(actor=head)
    body = client.get(reverse("account-detail", args=[account.pk])).content.decode()
    segment = run.memberships.get(account=account).segment
    assert 'data-testid="account-segment-panel"' in body
    assert segment.description_en in body


def test_the_segments_page_is_in_german(client, head):
    two_kinds_of_key_accounts()
    run = services.segment_run_compute(actor=head)
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("screening-segments"), headers={"Accept-Language": "de"}).content.decode()
    assert "Segmente der Key Accounts" in body
    assert run.segments.get(number=1).description_de in body


def test_the_programme_recommendations_link_the_segments(client, viewer):
    client.force_login(viewer)
    body = client.get(reverse("programme-recommendations")).content.decode()
    assert f'href="{reverse("screening-segments")}" data-testid="segments-link"' in body
