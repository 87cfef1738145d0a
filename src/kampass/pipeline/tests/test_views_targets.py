"""The target pages (list with search, sorting and pages; the form with validation; delete) in English and
German, their denials, and the forecast page's section that sets the forecast against the targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kampass.pipeline.models import Target
from kampass.pipeline.services import target_create
from kampass.pipeline.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_head_sets_a_target_with_the_form(client, head, kam):
    client.force_login(head)
    page = client.get(reverse("target-create"))
    assert page.status_code == 200
    assert 'name="scope"' in page.content.decode()
    response = client.post(reverse("target-create"), {
        "scope": "owner", "owner": kam.pk, "period": "quarter", "year": 2030, "number": 3,
        "amount": "120000", "currency": "EUR",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get()
    assert (target.owner_id, target.period_label, target.amount) == (kam.pk, "2030-Q3", Decimal("120000"))


def test_the_form_names_what_is_missing_or_wrong(client, head):
    client.force_login(head)
    response = client.post(reverse("target-create"), {
        "scope": "team", "period": "quarter", "year": 2030, "number": 5, "amount": "-3", "currency": "EUR",
    })  # fmt: skip
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) >= {"org_unit", "number", "amount"}
    assert not Target.objects.exists()


def test_a_duplicate_lands_on_the_period_field(client, head, kam):
    target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=1, amount=1)
    client.force_login(head)
    response = client.post(reverse("target-create"), {
        "scope": "owner", "owner": kam.pk, "period": "month", "year": 2030, "number": 1, "amount": "2",
        "currency": "EUR",
    })  # fmt: skip
    assert response.status_code == 422
    assert "already a target" in response.context["form"].errors["period"][0]


def test_edit_and_a_stale_edit(client, head, kam, conflicts):
    target = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    client.force_login(head)
    url = reverse("target-edit", args=[target.pk])
    stale = conflicts.loaded_form(client, url, amount="5")
    response = client.post(url, conflicts.loaded_form(client, url, amount="7"))
    assert response.status_code == 302
    assert Target.objects.get().amount == 7
    conflicts.assert_conflict_page(client.post(url, stale), "7")
    assert Target.objects.get().amount == 7


def test_delete(client, head, kam):
    target = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    client.force_login(head)
    assert client.get(reverse("target-delete", args=[target.pk])).status_code == 200
    assert client.post(reverse("target-delete", args=[target.pk])).status_code == 302
    assert not Target.objects.exists()


def test_a_kam_reads_their_targets_but_may_not_set_change_or_delete(client, head, kam, kam2):
    mine = target_create(actor=head, scope="owner", owner=kam, period="year", year=2030, amount=1)
    theirs = target_create(actor=head, scope="owner", owner=kam2, period="year", year=2030, amount=2)
    client.force_login(kam)
    body = client.get(reverse("target-list")).content.decode()
    assert body.count('data-testid="target-row"') == 1
    assert 'data-testid="new-target"' not in body
    assert client.get(reverse("target-create")).status_code == 403
    assert client.post(reverse("target-create"), {"scope": "owner", "owner": kam.pk}).status_code == 403
    assert client.get(reverse("target-edit", args=[mine.pk])).status_code == 403
    assert client.get(reverse("target-edit", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("target-delete", args=[mine.pk])).status_code == 403
    assert Target.objects.count() == 2


def test_list_search_sort_pages_and_fragment(client, head, kam, settings):
    settings.KAMPASS_PAGE_SIZE = 2
    for month in (1, 2, 3):
        target_create(actor=head, scope="owner", owner=kam, period="month", year=2030, number=month, amount=month,
                      note=f"note {month}")  # fmt: skip
    client.force_login(head)
    page = client.get(reverse("target-list"), {"sort": "amount", "dir": "desc"})
    assert [t.amount for t in page.context["page"].object_list] == [3, 2]
    assert page.context["page"].paginator.count == 3
    assert [t.amount for t in client.get(reverse("target-list"), {"sort": "amount", "page": 2}).context["page"]] == [3]
    found = client.get(reverse("target-list"), {"q": "note 2"}, headers=HX)
    assert [t.amount for t in found.context["page"]] == [2]
    assert "<html" not in found.content.decode()  # the HTMX fragment


def test_the_pages_speak_german(client, head, kam):
    target_create(actor=head, scope="owner", owner=kam, period="quarter", year=2030, number=1, amount=1)
    head.language = "de"
    head.save()
    client.force_login(head)
    body = client.get(reverse("target-list"), headers={"Accept-Language": "de"}).content.decode()
    assert "Ziele" in body
    assert "Neues Ziel" in body
    form = client.get(reverse("target-create"), headers={"Accept-Language": "de"}).content.decode()
    assert "Monat oder Quartal" in form


def test_the_forecast_page_sets_the_forecast_against_the_targets(client, head, kam, group):
    year = timezone.localdate().year
    target_create(actor=head, scope="owner", owner=kam, period="year", year=year, amount="1000")
    make_opportunity(account=group, owner=kam, amount="300", forecast_category="commit",
                     expected_close_date=dt.date(year, 6, 1))  # fmt: skip
    client.force_login(head)
    response = client.get(reverse("forecast"), {"tp": "year"})
    assert response.status_code == 200
    (row,) = response.context["target_rows"]
    assert (row.commit, row.gap) == (300, 700)
    body = response.content.decode()
    assert 'data-testid="targets-table"' in body
    fragment = client.get(reverse("forecast"), {"tp": "year", "subject": f"owner:{kam.pk}"},
                          headers=HX | {"HX-Target": "targets-forecast"}).content.decode()  # fmt: skip
    assert fragment.startswith('<section id="targets-forecast"')
    assert 'data-testid="target-gap"' in fragment
    empty = client.get(reverse("forecast"), {"tp": "month"}).content.decode()
    assert 'data-testid="targets-empty"' in empty
