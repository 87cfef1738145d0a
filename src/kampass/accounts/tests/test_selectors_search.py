"""The global search's accounts and contacts (``account_search``, ``contact_search`` and the facade's hits):
matching, ranking and the contacts a key account manager may see."""

from __future__ import annotations

from kampass.accounts.facade import search_accounts, search_contacts
from kampass.accounts.selectors import account_search, contact_list, contact_search
from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory


def _names(rows):
    return [r["name"] for r in rows]


def test_accounts_match_name_legal_name_and_exact_external_id_in_any_case(db):
    AccountFactory(name="Hydro Werke", legal_name="Hydro Werke AG")
    AccountFactory(name="Nordwerk", legal_name="NW Hydraulik GmbH")
    AccountFactory(name="Castor", external_id="HY-77")
    AccountFactory(name="Pollux", external_id="HY-770")
    AccountFactory(name="Unrelated")

    assert _names(account_search(q="hyd", limit=8)) == ["Hydro Werke", "Nordwerk"]
    # the external id only as a whole (as the account list finds it), in any case
    assert _names(account_search(q="hy-77", limit=8)) == ["Castor"]


def test_accounts_beginning_with_the_query_come_first_then_by_name(db):
    for name in ["Zeta Steel", "Alpha Steelworks", "steel partners", "Steelcase", "Beta Steel"]:
        AccountFactory(name=name)

    assert _names(account_search(q="Steel", limit=8)) == [
        "steel partners",
        "Steelcase",
        "Alpha Steelworks",
        "Beta Steel",
        "Zeta Steel",
    ]
    assert _names(account_search(q="Steel", limit=3)) == ["steel partners", "Steelcase", "Alpha Steelworks"]


def test_account_hits_link_to_the_account_and_name_status_and_external_id(db, viewer):
    account = AccountFactory(
        name="Kessler", legal_name="Kessler Antriebe GmbH", external_id="K-1", kam_status="key_account"
    )

    [hit] = search_accounts(user=viewer, q="kess", limit=8)

    assert hit.title == "Kessler"
    assert hit.subtitle == "Key account · Kessler Antriebe GmbH · K-1"
    assert hit.url == f"/accounts/{account.pk}/"


def test_contacts_match_first_last_and_full_name_email_and_company(db, head):
    acme = AccountFactory(name="Acme Tools")
    anna = ContactFactory(first_name="Anna", last_name="Schmidt", email="anna@example.com")
    PositionFactory(contact=anna, account=acme)
    ContactFactory(first_name="Bert", last_name="Annaberg", email="b@example.org")
    ContactFactory(first_name="Carl", last_name="Weber", email="weber@acme-mail.com")

    def found(q):
        return [(r["first_name"], r["last_name"]) for r in contact_search(user=head, q=q, limit=8)]

    assert found("anna schmidt") == [("Anna", "Schmidt")]
    # the last name beginning with the query before a first name that does, before an email containing it
    assert found("ann") == [("Bert", "Annaberg"), ("Anna", "Schmidt")]
    assert found("acme") == [("Anna", "Schmidt"), ("Carl", "Weber")]  # company, then email
    assert found("EXAMPLE.ORG") == [("Bert", "Annaberg")]


def test_contact_hits_name_the_company_and_the_email(db, head):
    acme = AccountFactory(name="Acme Tools")
    anna = ContactFactory(first_name="Anna", last_name="Schmidt", email="anna@example.com")
    PositionFactory(contact=anna, account=acme)

    [hit] = search_contacts(user=head, q="schmidt", limit=8)

    assert (hit.title, hit.subtitle, hit.url) == (
        "Anna Schmidt",
        "Acme Tools · anna@example.com",
        f"/accounts/contacts/{anna.pk}/",
    )


def test_a_kam_finds_the_contacts_of_their_accounts_and_below_and_those_without_position_only(db, kam, kam2, viewer):
    mine = AccountFactory(name="Mine Group")
    below = AccountFactory(name="Mine Subsidiary", parent=mine)
    other = AccountFactory(name="Other Group")
    TeamMemberFactory(account=mine, user=kam)
    TeamMemberFactory(account=other, user=kam2)
    for last_name, account in [("Miller-Mine", mine), ("Miller-Below", below), ("Miller-Other", other)]:
        PositionFactory(contact=ContactFactory(first_name="Jo", last_name=last_name), account=account)
    ContactFactory(first_name="Jo", last_name="Miller-Free")
    both = ContactFactory(first_name="Jo", last_name="Miller-Both")
    PositionFactory(contact=both, account=mine)
    PositionFactory(contact=both, account=other)

    def found(user):
        return sorted(r["last_name"] for r in contact_search(user=user, q="miller", limit=20))

    assert found(kam) == ["Miller-Below", "Miller-Both", "Miller-Free", "Miller-Mine"]
    assert found(kam2) == ["Miller-Both", "Miller-Free", "Miller-Other"]
    assert len(found(viewer)) == 5
    # the same contacts as the contact list shows each of them
    for user in (kam, kam2, viewer):
        assert found(user) == sorted(c.last_name for c in contact_list(user=user, q="miller"))
