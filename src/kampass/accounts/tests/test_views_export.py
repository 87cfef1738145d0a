"""The account and contact lists as CSV and XLSX: the page's filters, sort and permissions, flat queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampass.accounts.services import account_create, contact_create, team_member_set
from kampass.common.tests.factories import export, export_queries


@pytest.fixture
def accounts(admin_user, kam):
    group = account_create(actor=admin_user, name="Helvetia Gruppe", country="CH", currency="CHF", industry="Insurance")
    account_create(actor=admin_user, name="Helvetia AG", parent=group, industry="Insurance")
    account_create(actor=admin_user, name="=Evil Corp", industry="Retail")
    team_member_set(actor=admin_user, account=group, user=kam)
    return group


def test_the_account_export_holds_the_filtered_rows_in_the_pages_order(client, head, accounts):
    client.force_login(head)
    rows = export(client, reverse("account-list"), "csv", industry="Insurance", sort="name", dir="desc")
    assert rows[0][:3] == ["Name", "Parent account", "KAM status"]
    assert [r[0] for r in rows[1:]] == ["Helvetia Gruppe", "Helvetia AG"]
    assert rows[2][1] == "Helvetia Gruppe"
    assert rows[1][6] == "1"  # subsidiaries
    assert rows[1][5] == "Kam_T Tester"
    assert rows[2][5] == ""
    page = client.get(reverse("account-list"), {"industry": "Insurance", "sort": "name", "dir": "desc"})
    assert [a.name for a in page.context["page"].object_list] == [r[0] for r in rows[1:]]


def test_the_account_export_neutralises_a_formula_and_keeps_counts_numeric(client, head, accounts):
    client.force_login(head)
    rows = export(client, reverse("account-list"), "xlsx", q="evil")
    assert [r[0] for r in rows[1:]] == ["'=Evil Corp"]
    assert rows[1][6] == 0
    assert isinstance(rows[1][6], int)


def test_the_account_export_headers_follow_the_users_language(client, head, accounts):
    head.language = "de"
    head.save()
    client.force_login(head)
    rows = export(client, reverse("account-list"), "xlsx")
    assert rows[0][:3] == ("Name", "Übergeordneter Account", "KAM-Status")


def test_the_account_list_offers_the_export_links_with_its_filters(client, head, accounts):
    client.force_login(head)
    body = client.get(reverse("account-list"), {"industry": "Insurance", "page": "1"}).content.decode()
    assert 'href="/accounts/?industry=Insurance&amp;export=csv"' in body
    assert 'href="/accounts/?industry=Insurance&amp;export=xlsx"' in body


def test_an_unknown_export_format_is_refused(client, head, accounts):
    client.force_login(head)
    response = client.get(reverse("account-list"), {"export": "pdf"})
    assert response.status_code == 400
    assert "csv" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_account_export_runs_as_many_queries_for_many_rows_as_for_few(client, admin_user, head, kam, fmt):
    def add(n, start):
        for i in range(start, start + n):
            parent = account_create(actor=admin_user, name=f"Firm {i:03d}")
            account_create(actor=admin_user, name=f"Firm {i:03d} Sub", parent=parent)
            team_member_set(actor=admin_user, account=parent, user=kam)

    client.force_login(head)
    add(2, 0)
    few = export_queries(client, reverse("account-list"), fmt)
    add(20, 2)
    many = export_queries(client, reverse("account-list"), fmt)
    assert len(export(client, reverse("account-list"), fmt)) == 1 + 44
    assert many == few


@pytest.fixture
def contacts(admin_user, kam):
    mine = account_create(actor=admin_user, name="Mine AG")
    foreign = account_create(actor=admin_user, name="Foreign AG")
    team_member_set(actor=admin_user, account=mine, user=kam)
    contact_create(actor=admin_user, last_name="Muster", first_name="Anna", account=mine, title="CEO")
    contact_create(actor=admin_user, last_name="Fremd", first_name="Fritz", account=foreign, title="CFO")
    contact_create(actor=admin_user, last_name="@Meier", email="m@example.com", account=mine)
    return mine


def test_a_kam_exports_only_the_contacts_the_page_shows_them(client, kam, contacts):
    client.force_login(kam)
    rows = export(client, reverse("contact-list"), "csv")
    assert rows[0] == ["Last name", "First name", "Email", "Positions"]
    assert sorted(r[0] for r in rows[1:]) == ["'@Meier", "Muster"]
    page = client.get(reverse("contact-list"))
    assert len(rows) - 1 == page.context["page"].paginator.count


def test_the_contact_export_respects_the_search(client, head, contacts):
    client.force_login(head)
    rows = export(client, reverse("contact-list"), "xlsx", q="muster")
    assert rows[1:] == [("Muster", "Anna", None, "CEO @ Mine AG")]
    assert len(export(client, reverse("contact-list"), "xlsx")) == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_contact_export_runs_as_many_queries_for_many_rows_as_for_few(client, admin_user, kam, contacts, fmt):
    def add(n, start):
        for i in range(start, start + n):
            contact_create(actor=admin_user, last_name=f"Person {i:03d}", account=contacts, title="Buyer")

    client.force_login(kam)
    add(2, 0)
    few = export_queries(client, reverse("contact-list"), fmt)
    add(20, 2)
    many = export_queries(client, reverse("contact-list"), fmt)
    assert many == few
