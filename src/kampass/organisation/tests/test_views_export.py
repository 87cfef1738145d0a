"""The development action list as CSV and XLSX: the page's filters and sort, whose actions a key
account manager sees, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.common.tests.factories import export, export_queries
from kampass.organisation.models import DevelopmentAction
from kampass.organisation.tests.factories import ActionFactory, CompetenceFactory
from kampass.organisation.tests.scenario import build


@pytest.fixture
def world(kam, kam2, head):
    return build(kam=kam, kam2=kam2, head=head)


def test_a_kam_exports_their_own_actions_and_those_they_own(client, world, kam):
    client.force_login(kam)
    rows = export(client, reverse("organisation-actions"), "xlsx")
    assert rows[0][:2] == ("Title", "Person")
    page = client.get(reverse("organisation-actions")).context["page"]
    assert sorted(r[0] for r in rows[1:]) == sorted(a.title for a in page.object_list)
    assert len(rows) - 1 == page.paginator.count == 4  # three of their own, one they own for the head
    assert {r[1] for r in rows[1:]} == {str(kam), str(world.head)}


def test_the_export_keeps_the_filters(client, world):
    client.force_login(world.head)
    blocked = export(client, reverse("organisation-actions"), "csv", blocked="1")
    assert len(blocked) == 1 + 2
    assert sorted(r[5] for r in blocked[1:]) == ["Resources", "Structure"]
    assert len(export(client, reverse("organisation-actions"), "csv", blocked="0", open="1")) == 1 + 3


def test_the_export_neutralises_formulas_and_writes_dates(client, world, kam):
    ActionFactory(person=kam, title="@Run macro", due_date=dt.date(2027, 5, 1), competence=CompetenceFactory())
    client.force_login(kam)
    rows = export(client, reverse("organisation-actions"), "xlsx", q="macro")
    assert rows[1][0] == "'@Run macro"
    assert rows[1][3] == dt.datetime(2027, 5, 1)
    assert rows[1][2] == str(DevelopmentAction.objects.get(title="@Run macro").competence)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_as_many_queries_for_many_rows_as_for_few(client, kam, head, fmt):
    competence = CompetenceFactory()

    def add(n):
        for _i in range(n):
            ActionFactory(person=kam, owner=head, competence=competence, blocked=True, blocked_cause="structure")

    client.force_login(head)
    add(2)
    few = export_queries(client, reverse("organisation-actions"), fmt)
    add(20)
    many = export_queries(client, reverse("organisation-actions"), fmt)
    assert len(export(client, reverse("organisation-actions"), fmt)) == 23
    assert many == few
