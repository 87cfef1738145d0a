"""The roadmap's initiative table and the topic list as CSV and XLSX: the pages' filters and sort,
the guardrail reading, flat queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory
from kampass.common.tests.factories import export, export_queries
from kampass.roadmap.tests.factories import InitiativeFactory, MeasurementFactory, TopicFactory


@pytest.fixture
def warned(kam):
    i = InitiativeFactory(title="Leakage watch", owner=kam)
    MeasurementFactory(initiative=i, value=0.095, warning=True, measured_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    InitiativeFactory(
        title="=Tools rollout",
        logic="tools",
        guardrail_key="findings_with_action_share",
        guardrail_threshold=0.0,
        guardrail_direction="min",
    )
    return i


def test_the_initiative_export_keeps_the_filters_and_the_guardrail_reading(client, viewer, warned, kam):
    client.force_login(viewer)
    rows = export(client, reverse("roadmap"), "xlsx", sort="title")
    assert rows[0][0] == "Initiative"
    assert [r[0] for r in rows[1:]] == ["'=Tools rollout", "Leakage watch"]
    warned_row = rows[2]
    assert warned_row[3] == str(kam)
    assert warned_row[4] == dt.datetime(2026, 1, 1)
    assert warned_row[8:] == (0.095, 0.08, True)
    only_warned = export(client, reverse("roadmap"), "csv", warning="1")
    assert [r[0] for r in only_warned[1:]] == ["Leakage watch"]
    assert [r[0] for r in export(client, reverse("roadmap"), "csv", logic="tools")[1:]] == ["'=Tools rollout"]


def test_the_topic_export_keeps_the_filters_and_the_priority_order(client, viewer):
    account = AccountFactory(name="Kone")
    TopicFactory(title="Thankless", impact=1, effort=5)
    TopicFactory(title="Quick one", impact=5, effort=1, account=account, partner_contact="+41 44")
    TopicFactory(title="Done one", impact=4, effort=2, status="done")
    client.force_login(viewer)
    rows = export(client, reverse("topics"), "csv")
    assert rows[0][:2] == ["Topic", "Field"]
    assert [r[0] for r in rows[1:]] == [t.label for t in client.get(reverse("topics")).context["page"].object_list]
    assert rows[1][0] == "Quick one"
    assert rows[1][3:5] == ["5", "1"]
    assert rows[1][7:] == ["Kone", "'+41 44"]  # "+" starts a formula in a spreadsheet: neutralised
    assert [r[0] for r in export(client, reverse("topics"), "csv", status="done")[1:]] == ["Done one"]
    assert [r[0] for r in export(client, reverse("topics"), "csv", joint="1")[1:]] == ["Quick one"]


def test_the_pages_offer_the_export_links(client, viewer, warned):
    TopicFactory(title="Quick one")
    client.force_login(viewer)
    assert (
        'href="/programme/roadmap/?logic=tools&amp;export=csv"'
        in client.get(reverse("roadmap"), {"logic": "tools"}).content.decode()
    )
    assert 'href="/programme/roadmap/topics/?export=xlsx"' in client.get(reverse("topics")).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", ["roadmap", "topics"])
def test_the_exports_run_as_many_queries_for_many_rows_as_for_few(client, head, kam, fmt, url):
    account = AccountFactory(name="Kone")

    def add(n):
        for _i in range(n):
            i = InitiativeFactory(owner=kam)
            MeasurementFactory(initiative=i)
            TopicFactory(owner=kam, account=account)

    client.force_login(head)
    add(2)
    few = export_queries(client, reverse(url), fmt)
    add(15)
    many = export_queries(client, reverse(url), fmt)
    assert len(export(client, reverse(url), fmt)) == 18
    assert many == few
