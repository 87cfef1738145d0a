"""The OpenAPI document declares what the services enforce (issue 11: valid requests the API rejected
although the document allowed them): allowed values, ranges, texts that must hold more than blanks,
slugs; and it names the rules a schema cannot express in the description of the 422.

Each declaration is checked twice: the document shows it, and a value outside it is a 422 naming the field.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from kampass.accounts.tests.factories import AccountFactory, ContactFactory, PositionFactory, TeamMemberFactory
from kampass.common.api import NAME_PATTERN, NOT_BLANK, SLUG, TEXT_PATTERN
from kampass.core.concept import LOGICS, PHASES
from kampass.organisation.tests.factories import ActionFactory, CompetenceFactory
from kampass.pipeline.models import QualificationElement
from kampass.pipeline.tests.factories import make_opportunity
from kampass.roadmap.models import InitiativeStatus


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from kampass.config.api import api

    return api.get_openapi_schema()


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _body_field(doc: dict[str, Any], method: str, path: str, field: str) -> dict[str, Any]:
    operation = doc["paths"]["/api/v1" + path][method]
    body = _resolve(doc, operation["requestBody"]["content"]["application/json"]["schema"])
    return body["properties"][field]


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema of a field and, for ``X | None``, of its non-null part."""
    return [prop, *[p for p in prop.get("anyOf", []) if p.get("type") != "null"]]


def _declares(prop: dict[str, Any], key: str, value: Any) -> bool:
    return any(v.get(key) == value for v in _variants(prop))


def _locs(response) -> set[tuple]:
    return {tuple(e["loc"]) for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("method", "path", "field", "key", "value"),
    [
        ("post", "/organisation/activities", "name_en", "pattern", NOT_BLANK),
        ("post", "/organisation/competences", "key", "pattern", SLUG),
        ("patch", "/organisation/roles/{entry_id}", "key", "pattern", SLUG),
        ("patch", "/organisation/roles/{entry_id}", "name_en", "pattern", NOT_BLANK),
        ("put", "/organisation/settings", "max_accounts_per_kam", "minimum", 1),
        ("put", "/organisation/settings", "max_accounts_per_kam", "maximum", 500),
        ("put", "/organisation/profiles/{user_id}/ratings/{competence_id}", "level", "minimum", 1),
        ("put", "/organisation/profiles/{user_id}/ratings/{competence_id}", "self_level", "maximum", 5),
        ("put", "/organisation/targets", "level", "maximum", 5),
        ("post", "/organisation/development-actions", "title", "pattern", NOT_BLANK),
        ("patch", "/organisation/development-actions/{action_id}", "title", "pattern", NOT_BLANK),
        ("post", "/roadmap/initiatives", "logic", "enum", list(LOGICS)),
        ("patch", "/roadmap/initiatives/{initiative_id}", "logic", "enum", list(LOGICS)),
        ("patch", "/roadmap/initiatives/{initiative_id}", "title", "pattern", NOT_BLANK),
        ("patch", "/roadmap/initiatives/{initiative_id}", "guardrail_key", "pattern", NOT_BLANK),
        ("post", "/roadmap/topics", "title", "pattern", NOT_BLANK),
        ("patch", "/roadmap/topics/{topic_id}", "title", "pattern", NOT_BLANK),
        ("put", "/roadmap/topic-limit", "topic_limit", "minimum", 1),
        ("put", "/roadmap/topic-limit", "topic_limit", "maximum", 50),
        ("post", "/programme/phase", "phase", "enum", list(PHASES)),
        ("post", "/programme/recommendations/accept", "logics", "minItems", 1),
        ("put", "/opportunities/{opportunity_id}/contacts/{contact_id}", "roles", "minItems", 1),
    ],
)
def test_the_document_declares_what_the_service_enforces(doc, method, path, field, key, value):
    prop = _body_field(doc, method, path, field)
    assert _declares(prop, key, value), prop


def test_the_document_declares_allowed_items_and_path_values(doc):
    logics = _body_field(doc, "post", "/programme/recommendations/accept", "logics")
    assert any(v.get("items", {}).get("enum") == list(LOGICS) for v in _variants(logics))
    status = _body_field(doc, "post", "/roadmap/initiatives/{initiative_id}/status", "status")
    assert status["enum"] == list(InitiativeStatus.values)
    put = doc["paths"]["/api/v1/opportunities/{opportunity_id}/qualification/{element}"]["put"]
    element = next(p for p in put["parameters"] if p["name"] == "element")
    assert _resolve(doc, element["schema"])["enum"] == list(QualificationElement.values)


@pytest.mark.parametrize("field", ["person_id", "title", "status", "blocked"])
def test_fields_a_patch_refuses_as_null_are_not_nullable(doc, field):
    prop = _body_field(doc, "patch", "/organisation/development-actions/{action_id}", field)
    assert not any(v.get("type") == "null" for v in prop.get("anyOf", []))


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("delete", "/accounts/{account_id}", "the account has subsidiaries"),
        ("post", "/programme/rounds/{round_id}/close", "the round is not open"),
        ("post", "/opportunities/{opportunity_id}/stage", "the opportunity is already in this stage"),
        ("post", "/roadmap/initiatives", "the end does not lie after the start"),
        ("delete", "/organisation/competences/{entry_id}", "people have been rated on the competence"),
        ("patch", "/organisation/roles/{entry_id}", "an entry of that English name or key exists"),
    ],
)
def test_the_422_names_the_rules_a_schema_cannot_express(doc, method, path, rule):
    assert rule in doc["paths"]["/api/v1" + path][method]["responses"][422]["description"]


# ---------------------------------------------------------------- a value outside: a 422 naming the field


@pytest.mark.parametrize("limit", [0, 51])
def test_topic_limit_outside_1_to_50_is_a_422(api, head, limit):
    response = api(head, "put", "/roadmap/topic-limit", {"topic_limit": limit})
    assert response.status_code == 422
    assert _locs(response) == {("topic_limit",)}


@pytest.mark.parametrize("value", [0, 501])
def test_max_accounts_per_kam_outside_its_range_is_a_422(api, head, value):
    response = api(head, "put", "/organisation/settings", {"max_accounts_per_kam": value})
    assert response.status_code == 422
    assert _locs(response) == {("max_accounts_per_kam",)}


@pytest.mark.parametrize(("field", "value"), [("level", 0), ("level", 6), ("self_level", 6)])
def test_a_rating_outside_1_to_5_is_a_422(api, head, kam, field, value):
    competence = CompetenceFactory()
    response = api(head, "put", f"/organisation/profiles/{kam.pk}/ratings/{competence.pk}", {field: value})
    assert response.status_code == 422
    assert _locs(response) == {(field,)}


def test_a_target_outside_1_to_5_is_a_422(api, head):
    competence = CompetenceFactory()
    response = api(head, "put", "/organisation/targets", {"competence_id": competence.pk, "role": "kam", "level": 6})
    assert response.status_code == 422
    assert _locs(response) == {("level",)}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name_en": "   "}, "name_en"), ({"name_en": "Pricing", "key": "not a slug!"}, "key")],
)
def test_catalogue_names_and_keys_are_checked_by_the_schema(api, head, body, field):
    response = api(head, "post", "/organisation/activities", body)
    assert response.status_code == 422
    assert _locs(response) == {(field,)}


def test_an_action_title_of_blanks_or_null_is_a_422(api, kam):
    response = api(kam, "post", "/organisation/development-actions", {"title": " \t "})
    assert response.status_code == 422
    assert _locs(response) == {("title",)}
    action = ActionFactory(person=kam)
    for body in ({"title": None}, {"blocked": None}, {"person_id": None}):
        response = api(kam, "patch", f"/organisation/development-actions/{action.pk}", body)
        assert response.status_code == 422, body
        assert _locs(response) == {(next(iter(body)),)}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/programme/phase", {"phase": "nonsense"}, "phase"),
        ("post", "/programme/recommendations/accept", {"logics": []}, "logics"),
        ("post", "/programme/recommendations/accept", {"logics": ["nonsense"]}, "logics"),
        ("post", "/roadmap/initiatives", {"logic": "nonsense"}, "logic"),
        ("post", "/roadmap/topics", {"field": "strategy", "title": "   "}, "title"),
    ],
)
def test_values_outside_the_declared_ones_are_a_422(api, head, method, path, body, field):
    response = api(head, method, path, body)
    assert response.status_code == 422
    assert field in {loc[0] for loc in _locs(response) if loc}


def test_opportunity_roles_and_qualification_elements_are_declared(api, kam):
    account = AccountFactory(name="Schindler Group")
    TeamMemberFactory(account=account, user=kam)
    contact = ContactFactory(last_name="Meier")
    PositionFactory(contact=contact, account=account)
    opportunity = make_opportunity(account=account, actor=kam)
    response = api(kam, "put", f"/opportunities/{opportunity.pk}/contacts/{contact.pk}", {"roles": []})
    assert response.status_code == 422
    assert _locs(response) == {("roles",)}
    response = api(kam, "put", f"/opportunities/{opportunity.pk}/qualification/nonsense", {"status": "missing"})
    assert response.status_code == 422
    assert "element" in {loc[-1] for loc in _locs(response) if loc}


def test_texts_declare_that_they_hold_no_control_characters(doc):
    # a search text: tab and line breaks are fine, other control and text-direction characters are not
    q = next(p for p in doc["paths"]["/api/v1/accounts"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["pattern"] == TEXT_PATTERN
    # a name (stored in a CharField): no control character at all; a free text (TextField): tabs and line breaks
    assert _declares(_body_field(doc, "post", "/accounts", "name"), "pattern", NAME_PATTERN)
    assert _declares(_body_field(doc, "post", "/accounts", "notes"), "pattern", TEXT_PATTERN)
    # values from a list keep their enum and nothing more
    assert not _declares(_body_field(doc, "post", "/accounts", "kam_status"), "pattern", TEXT_PATTERN)
    assert re.search(TEXT_PATTERN, "two\tcolumns\nand lines")
    assert not re.search(NAME_PATTERN, "tab\there")
    for text in ("NUL\x00", "bell\x07", "C1\x85", "RLO\u202eevil"):
        assert not re.search(TEXT_PATTERN, text), text


@pytest.mark.parametrize("text", ["NUL\x00", "C1\x85", "RLO\u202eevil"])
def test_a_search_text_the_pattern_refuses_is_a_422(api, head, text):
    response = api(head, "get", f"/accounts?q={quote(text)}")
    assert response.status_code == 422
    assert _locs(response) == {("q",)}


def test_a_name_with_a_tab_is_refused_as_its_pattern_says(api, head):
    response = api(head, "post", "/accounts", {"name": "tab\there"})
    assert response.status_code == 422
    assert "name" in {loc[-1] for loc in _locs(response) if loc}


def test_a_rating_declares_and_needs_one_of_level_self_level_and_note(doc, api, head, kam):
    operation = doc["paths"]["/api/v1/organisation/profiles/{user_id}/ratings/{competence_id}"]["put"]
    body = _resolve(doc, operation["requestBody"]["content"]["application/json"]["schema"])
    assert body["anyOf"] == [{"required": ["level"]}, {"required": ["self_level"]}, {"required": ["note"]}]
    competence = CompetenceFactory()
    response = api(head, "put", f"/organisation/profiles/{kam.pk}/ratings/{competence.pk}", {"version": 0})
    assert response.status_code == 422
