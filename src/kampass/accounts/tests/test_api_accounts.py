"""The accounts endpoints of the JSON API: list, filters, hierarchy, create, update, delete, status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kampass.accounts.models import Account, AccountStatusChange
from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory

Api = Callable[..., Any]


# ---------------------------------------------------------------- list


def test_list_returns_items_and_count(api, viewer):
    # given
    acme = AccountFactory(name="Acme", legal_name="Acme GmbH", country="CH", currency="CHF")
    # when
    response = api(viewer, "get", "/accounts")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == acme.pk
    assert item["name"] == "Acme"
    assert item["legal_name"] == "Acme GmbH"
    assert item["country"] == "CH"
    assert item["currency"] == "CHF"
    assert item["parent_id"] is None
    assert item["path"] == []
    assert item["depth"] == 0
    for key in ("kam_status", "industry", "website", "external_id", "lead_unit_id", "created_at", "updated_at"):
        assert key in item


def test_list_paginates_with_limit_and_offset(api, viewer):
    # given
    for name in ("Delta", "Alpha", "Echo", "Charlie", "Bravo"):
        AccountFactory(name=name)
    # when
    first = api(viewer, "get", "/accounts?limit=2").json()
    last = api(viewer, "get", "/accounts?limit=2&offset=4").json()
    # then
    assert first["count"] == 5
    assert [a["name"] for a in first["items"]] == ["Alpha", "Bravo"]
    assert last["count"] == 5
    assert [a["name"] for a in last["items"]] == ["Echo"]


def test_list_limit_default_is_50_and_max_is_500(api, viewer):
    # given
    for i in range(51):
        AccountFactory(name=f"Bulk {i:02d}")
    # when
    default = api(viewer, "get", "/accounts").json()
    too_many = api(viewer, "get", "/accounts?limit=501")
    # then
    assert len(default["items"]) == 50
    assert default["count"] == 51
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"][-1] == "limit"


def test_list_filters_by_search_status_industry_and_country(api, viewer, admin_user):
    # given
    AccountFactory(name="Siemens", legal_name="Siemens AG", industry="Electrical", country="DE")
    AccountFactory(
        name="Roche", legal_name="F. Hoffmann-La Roche", industry="Pharma", country="CH", kam_status="key_account"
    )
    AccountFactory(name="Novartis", industry="Pharma", country="CH")

    def names(query: str) -> list[str]:
        return [a["name"] for a in api(viewer, "get", f"/accounts?{query}").json()["items"]]

    # then
    assert names("q=hoffmann") == ["Roche"]
    assert names("q=SIEM") == ["Siemens"]
    assert names("kam_status=key_account") == ["Roche"]
    assert names("industry=Pharma") == ["Novartis", "Roche"]
    assert names("country=DE") == ["Siemens"]


# ---------------------------------------------------------------- hierarchy


def test_hierarchy_created_through_the_api_and_filtered_by_subtree(api, admin_user):
    # given: a group with two children and a grandchild, and an unrelated account
    group = api(admin_user, "post", "/accounts", {"name": "Siemens Group"}).json()
    ag = api(admin_user, "post", "/accounts", {"name": "Siemens AG", "parent_id": group["id"]}).json()
    energy = api(admin_user, "post", "/accounts", {"name": "Siemens Energy", "parent_id": group["id"]}).json()
    site = api(admin_user, "post", "/accounts", {"name": "Erlangen", "parent_id": ag["id"]}).json()
    other = api(admin_user, "post", "/accounts", {"name": "Bosch"}).json()

    def ids(query: str) -> set[int]:
        return {a["id"] for a in api(admin_user, "get", f"/accounts?{query}").json()["items"]}

    # then
    assert site["path"] == [group["id"], ag["id"]]
    assert site["depth"] == 2
    assert ids(f"subtree_of={group['id']}") == {group["id"], ag["id"], energy["id"], site["id"]}
    assert ids(f"subtree_of={ag['id']}") == {ag["id"], site["id"]}
    assert ids(f"parent_id={group['id']}") == {ag["id"], energy["id"]}
    assert ids("root=true") == {group["id"], other["id"]}
    assert ids("subtree_of=999999") == set()


def test_detail_lists_the_children(api, viewer):
    # given
    group = AccountFactory(name="Group")
    AccountFactory(name="Zeta", parent=group)
    AccountFactory(name="Alpha", parent=group)
    # when
    response = api(viewer, "get", f"/accounts/{group.pk}")
    # then
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["children"]] == ["Alpha", "Zeta"]


def test_patch_parent_moves_the_subtree(api, admin_user):
    # given
    a = AccountFactory(name="A")
    b = AccountFactory(name="B")
    c = AccountFactory(name="C", parent=a)
    d = AccountFactory(name="D", parent=c)
    # when
    response = api(admin_user, "patch", f"/accounts/{c.pk}", {"parent_id": b.pk})
    # then
    assert response.status_code == 200
    assert response.json()["path"] == [b.pk]
    d.refresh_from_db()
    assert d.path == f"{b.pk}/{c.pk}/{d.pk}/"
    assert d.depth == 2


def test_patch_parent_null_moves_to_top_level(api, admin_user):
    # given
    group = AccountFactory(name="Group")
    child = AccountFactory(name="Child", parent=group)
    # when
    response = api(admin_user, "patch", f"/accounts/{child.pk}", {"parent_id": None})
    # then
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.parent_id is None
    assert child.depth == 0


def test_patch_into_own_subtree_is_422_and_nothing_changes(api, admin_user):
    # given
    group = AccountFactory(name="Group")
    child = AccountFactory(name="Child", parent=group)
    # when: the rename in the same request must not be saved either
    response = api(admin_user, "patch", f"/accounts/{group.pk}", {"parent_id": child.pk, "name": "Renamed"})
    # then
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert errors[0]["loc"] == ["parent_id"]
    assert "cycle" in errors[0]["msg"]
    group.refresh_from_db()
    assert group.parent_id is None
    assert group.name == "Group"
    assert group.path == f"{group.pk}/"


def test_duplicate_name_under_the_same_parent_is_422(api, admin_user):
    # given
    group = AccountFactory(name="Group")
    AccountFactory(name="Sub", parent=group)
    # when
    response = api(admin_user, "post", "/accounts", {"name": "sub", "parent_id": group.pk})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["name"]
    assert Account.objects.filter(parent=group).count() == 1


def test_same_name_under_another_parent_is_fine(api, admin_user):
    # given
    AccountFactory(name="Sub", parent=AccountFactory(name="G1"))
    g2 = AccountFactory(name="G2")
    # when
    response = api(admin_user, "post", "/accounts", {"name": "Sub", "parent_id": g2.pk})
    # then
    assert response.status_code == 201


def test_unknown_parent_is_422_naming_the_field(api, admin_user):
    # when
    response = api(admin_user, "post", "/accounts", {"name": "Orphan", "parent_id": 424242})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["parent_id"]
    assert not Account.objects.filter(name="Orphan").exists()


# ---------------------------------------------------------------- create, update, delete


def test_create_account_returns_201_with_master_data(api, head):
    # when
    response = api(
        head,
        "post",
        "/accounts",
        {
            "name": "  Roche ",
            "legal_name": "F. Hoffmann-La Roche AG",
            "industry": "Pharma",
            "country": "ch",
            "currency": "CHF",
            "website": "https://www.roche.com",
            "external_id": "CRM-1",
            "kam_status": "candidate",
            "status_reason": "Top-10 potential",
        },
    )
    # then
    assert response.status_code == 201
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    assert account.name == "Roche"
    assert body["country"] == "CH"
    assert body["kam_status"] == "candidate"
    assert body["children"] == []
    assert account.status_changes.get().reason == "Top-10 potential"


def test_create_without_name_is_422(api, admin_user):
    # when
    missing = api(admin_user, "post", "/accounts", {"industry": "Pharma"})
    blank = api(admin_user, "post", "/accounts", {"name": "  "})
    # then
    assert missing.status_code == 422
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"] == ["name"]
    assert Account.objects.count() == 0


def test_create_with_invalid_website_and_country_is_422(api, admin_user):
    # when
    response = api(admin_user, "post", "/accounts", {"name": "X", "website": "not a url", "country": "ZZ"})
    # then
    assert response.status_code == 422
    assert {e["loc"][0] for e in response.json()["detail"]} == {"website", "country"}
    assert Account.objects.count() == 0


def test_patch_changes_only_the_fields_sent(api, admin_user):
    # given
    account = AccountFactory(name="Acme", industry="Machinery", country="DE")
    # when
    response = api(admin_user, "patch", f"/accounts/{account.pk}", {"legal_name": "Acme AG", "country": "AT"})
    # then
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.legal_name == "Acme AG"
    assert account.country.code == "AT"  # type: ignore[attr-defined]  # a Country; the plugin types the CharField base
    assert account.name == "Acme"
    assert account.industry == "Machinery"


def test_patch_status_without_reason_is_422_and_nothing_changes(api, admin_user):
    # given
    account = AccountFactory(name="Acme")
    # when
    response = api(admin_user, "patch", f"/accounts/{account.pk}", {"kam_status": "key_account", "industry": "X"})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["status_reason"]
    account.refresh_from_db()
    assert account.kam_status == "prospect"
    assert account.industry == "Machinery"


def test_patch_status_with_reason_records_the_change(api, admin_user):
    # given
    account = AccountFactory(name="Acme")
    # when
    response = api(
        admin_user,
        "patch",
        f"/accounts/{account.pk}",
        {
            "kam_status": "key_account",
            "status_reason": "Strategic fit",
            "status_effective_date": "2025-01-01",
        },
    )
    history = api(admin_user, "get", f"/accounts/{account.pk}/status-history")
    # then
    assert response.status_code == 200
    assert response.json()["kam_status"] == "key_account"
    change = AccountStatusChange.objects.get(account=account, to_status="key_account")
    assert change.reason == "Strategic fit"
    assert str(change.effective_date) == "2025-01-01"
    assert history.status_code == 200
    entries = {(h["from_status"], h["to_status"]): h for h in history.json()}
    assert set(entries) == {("", "prospect"), ("prospect", "key_account")}
    assert entries["prospect", "key_account"]["changed_by_id"] == admin_user.pk
    assert entries["prospect", "key_account"]["effective_date"] == "2025-01-01"


def test_patch_with_unchanged_status_needs_no_reason(api, admin_user):
    # given
    account = AccountFactory(name="Acme")
    # when
    response = api(admin_user, "patch", f"/accounts/{account.pk}", {"kam_status": "prospect", "name": "Acme 2"})
    # then
    assert response.status_code == 200
    assert AccountStatusChange.objects.filter(account=account).count() == 1


def test_patch_unknown_status_is_422(api, admin_user):
    # given
    account = AccountFactory(name="Acme")
    # when
    response = api(admin_user, "patch", f"/accounts/{account.pk}", {"kam_status": "vip", "status_reason": "x"})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["kam_status"]


def test_delete_account_returns_204(api, admin_user):
    # given
    account = AccountFactory(name="Acme")
    # when
    response = api(admin_user, "delete", f"/accounts/{account.pk}")
    # then
    assert response.status_code == 204
    assert not Account.objects.filter(pk=account.pk).exists()


def test_delete_account_with_children_is_422(api, admin_user):
    # given
    group = AccountFactory(name="Group")
    AccountFactory(name="Child", parent=group)
    # when
    response = api(admin_user, "delete", f"/accounts/{group.pk}")
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == []
    assert Account.objects.filter(pk=group.pk).exists()


def test_unknown_account_is_404(api, viewer):
    # when
    response = api(viewer, "get", "/accounts/999999")
    # then
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


# ---------------------------------------------------------------- change history and OpenAPI


def test_api_writes_change_history_with_the_token_user(api, kam):
    # given: a key account manager creates an account (and so joins its team)
    created = api(kam, "post", "/accounts", {"name": "Acme"}).json()
    account = Account.objects.get(pk=created["id"])
    # when
    api(kam, "patch", f"/accounts/{account.pk}", {"industry": "Chemicals"})
    # then
    records = list(account.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert all(r.history_user == kam for r in records)
    assert records[-1].industry == "Chemicals"


def test_kam_creates_child_of_team_account(api, kam):
    # given
    group = AccountFactory(name="Group")
    TeamMemberFactory(account=group, user=kam)
    # when
    response = api(kam, "post", "/accounts", {"name": "Site", "parent_id": group.pk})
    # then
    assert response.status_code == 201


def test_openapi_document_lists_the_account_paths(client, settings):
    # given debugging (else the document needs a login: config/tests/test_api_docs.py)
    settings.DEBUG = True
    # when
    response = client.get("/api/v1/openapi.json")
    # then
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "kampass API"
    paths = doc["paths"]
    for path in (
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/status-history",
        "/api/v1/accounts/{account_id}/buying-centre/{contact_id}",
        "/api/v1/contacts",
        "/api/v1/accounts/{account_id}/team/{user_id}",
        "/api/v1/accounts/{account_id}/coverage",
    ):
        assert path in paths
    assert set(paths["/api/v1/accounts/{account_id}"]) == {"get", "patch", "delete"}
    assert {"TokenAuth", "SessionAuth"} <= set(doc["components"]["securitySchemes"])


def test_an_unknown_country_says_an_iso_code_is_expected(api, admin_user):
    # when
    created = api(admin_user, "post", "/accounts", {"name": "X", "country": "Germany"})
    account = AccountFactory(name="Acme", country="DE")
    patched = api(admin_user, "patch", f"/accounts/{account.pk}", {"country": "XX"})

    # then
    for response in (created, patched):
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["country"]
        assert "Expected an ISO 3166-1 alpha-2 country code such as DE or CH" in error["msg"]


def test_an_unknown_kam_status_filter_is_a_422(api, viewer):
    # when
    response = api(viewer, "get", "/accounts?kam_status=bogus")

    # then
    assert response.status_code == 422
    assert "'key_account'" in response.json()["detail"][0]["msg"]
