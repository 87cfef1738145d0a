"""The plan template editor: the service's validation (clear messages naming section and field),
new versions on every save and the default mark; the editor page (editing steps with buttons,
inline problems, saving) and its denial for a key account manager; the API of the templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kampass.planning.models import PlanTemplate
from kampass.planning.services import default_template, template_problems, template_save

pytestmark = pytest.mark.django_db

GOALS: list[dict[str, Any]] = [
    {
        "key": "goals",
        "label_en": "Goals",
        "label_de": "Ziele",
        "fields": [
            {"key": "main", "label_en": "Main goal", "label_de": "Hauptziel", "required": True},
            {"key": "notes", "label_en": "Notes", "label_de": "Notizen", "required": False},
        ],
    },
    {"key": "risks", "label_en": "Risks", "label_de": "Risiken", "fields": []},
]


def _post(name, sections, *, op="save", version=None, is_default=False):
    """The editor's form as a browser posts it."""
    data = {"name": name, "op": op, "s-count": str(len(sections))}
    if version is not None:
        data["version"] = str(version)
    if is_default:
        data["is_default"] = "on"
    for i, s in enumerate(sections):
        data |= {f"s-{i}-key": s["key"], f"s-{i}-label_en": s["label_en"], f"s-{i}-label_de": s["label_de"]}
        data[f"s-{i}-f-count"] = str(len(s["fields"]))
        for j, f in enumerate(s["fields"]):
            p = f"s-{i}-f-{j}-"
            data |= {p + "key": f["key"], p + "label_en": f["label_en"], p + "label_de": f["label_de"]}
            if f.get("required"):
                data[p + "required"] = "on"
    return data


# ---------------------------------------------------------------- service


def test_problems_name_the_section_and_field_of_duplicate_keys_and_empty_labels():
    sections = [
        {"key": "goals", "label_en": "Goals", "label_de": "", "fields": [
            {"key": "main", "label_en": "Main", "label_de": "Haupt"},
            {"key": "main", "label_en": "", "label_de": "Zweit"},
        ]},
        {"key": "goals", "label_en": "Again", "label_de": "Nochmal", "fields": [{"key": "bad key", "label_en": "X",
                                                                                 "label_de": "X"}]},
    ]  # fmt: skip

    problems = template_problems(sections)

    assert problems == {
        "sections.0.label_de": "Section 1: give it a German label.",
        "sections.0.fields.1.key": "Section 1, field 2: the key “main” is used by another field of this section.",
        "sections.0.fields.1.label_en": "Section 1, field 2: give it an English label.",
        "sections.1.key": "Section 2: the key “goals” is used by another section.",
        "sections.1.fields.0.key": "Section 2, field 1: the key “bad key” may contain only letters, digits and "
        "underscores.",
    }


def test_saving_refuses_every_problem_at_once_and_writes_nothing(head):
    bad = [{"key": "a", "label_en": "", "label_de": "", "fields": []}]

    with pytest.raises(ValidationError) as caught:
        template_save(actor=head, name="Short", sections=bad)

    assert caught.value.message_dict["sections"] == [
        "Section 1: give it an English label.",
        "Section 1: give it a German label.",
    ]
    assert not PlanTemplate.objects.filter(name="Short").exists()
    with pytest.raises(ValidationError) as empty:
        template_save(actor=head, name="Empty", sections=[])
    assert empty.value.message_dict["sections"] == ["A template needs at least one section."]


def test_every_save_is_a_new_version_and_one_template_is_the_default(head):
    # given the built-in default template
    builtin = default_template()
    assert builtin.is_default

    # when the head saves a new template as default, then changes it
    template = template_save(actor=head, name="Short", sections=GOALS, is_default=True)
    changed = template_save(
        actor=head, name="Short", sections=list(reversed(GOALS)), is_default=True, template=template, version=1
    )

    # then each save is a version of its own, the order is kept and the default moved
    assert (template.version, changed.version) == (1, 2)
    assert [s.key for s in changed.specs()] == ["risks", "goals"]
    assert changed.specs()[1].fields[0].required
    assert sorted(changed.history.values_list("version", flat=True)) == [1, 2]
    builtin.refresh_from_db()
    assert not builtin.is_default
    assert default_template().pk == changed.pk


def test_a_key_account_manager_may_not_save_templates(kam):
    with pytest.raises(PermissionDenied):
        template_save(actor=kam, name="Mine", sections=GOALS)


# ---------------------------------------------------------------- editor page


def test_the_editor_shows_the_templates_sections_as_inputs(client, head):
    template = template_save(actor=head, name="Short", sections=GOALS)
    client.force_login(head)

    page = client.get(reverse("plan-template-edit", args=[template.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="s-0-f-0-label_de" value="Hauptziel"' in body
    assert 'name="s-0-f-0-required" checked' in body
    assert 'name="s-1-key" value="risks"' in body
    assert 'data-testid="template-history"' in body


def test_the_buttons_add_remove_and_move_sections_and_fields_without_saving(client, head):
    template = template_save(actor=head, name="Short", sections=GOALS)
    client.force_login(head)
    url = reverse("plan-template-edit", args=[template.pk])

    moved = client.post(url, _post("Short", GOALS, op="down_field-0-0", version=1))
    added = client.post(url, _post("Short", GOALS, op="add_section", version=1))
    removed = client.post(url, _post("Short", GOALS, op="remove_section-0", version=1))
    up = client.post(url, _post("Short", GOALS, op="up_section-1", version=1))

    assert [f["key"] for f in moved.context["sections"][0]["fields"]] == ["notes", "main"]
    assert moved.context["focus"] == "op-up_field-0-1"  # on the moved field (now last: its "up" button)
    assert len(added.context["sections"]) == 3
    assert 'id="s-2-key" name="s-2-key" value="" maxlength="50" class="mono" autofocus' in added.content.decode()
    assert [s["key"] for s in removed.context["sections"]] == ["risks"]
    assert [s["key"] for s in up.context["sections"]] == ["risks", "goals"]
    template.refresh_from_db()
    assert template.version == 1  # nothing saved by the steps
    assert [s["key"] for s in template.sections] == ["goals", "risks"]


def test_saving_with_problems_shows_them_next_to_the_inputs(client, head):
    template = template_save(actor=head, name="Short", sections=GOALS)
    client.force_login(head)
    bad = [dict(GOALS[0]), {"key": "goals", "label_en": "Risks", "label_de": "", "fields": []}]

    page = client.post(reverse("plan-template-edit", args=[template.pk]), _post("Short", bad, version=1))

    body = page.content.decode()
    assert page.status_code == 422
    assert 'data-testid="template-problems"' in body
    assert "Section 2: the key “goals” is used by another section." in body
    assert 'id="s-1-key-error"' in body
    assert 'id="s-1-label_de-error"' in body
    assert '<a href="#s-1-key">' in body
    template.refresh_from_db()
    assert template.version == 1


def test_saving_creates_a_new_version_and_returns_to_the_list(client, head):
    template = template_save(actor=head, name="Short", sections=GOALS)
    client.force_login(head)
    changed = [GOALS[0] | {"label_de": "Unsere Ziele"}]

    response = client.post(
        reverse("plan-template-edit", args=[template.pk]), _post("Short v2", changed, version=1, is_default=True)
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.version, template.name, template.is_default) == (2, "Short v2", True)
    assert template.specs()[0].label_de == "Unsere Ziele"
    assert len(template.specs()) == 1


def test_a_stale_version_is_refused_and_the_entries_are_kept(client, head):
    template = template_save(actor=head, name="Short", sections=GOALS)
    template_save(actor=head, name="Short", sections=GOALS[:1], template=template, version=1)
    client.force_login(head)

    page = client.post(reverse("plan-template-edit", args=[template.pk]), _post("Mine", GOALS, version=1))

    assert page.status_code == 409
    assert 'data-testid="template-conflict"' in page.content.decode()
    assert page.context["name"] == "Mine"
    template.refresh_from_db()
    assert (template.version, template.name) == (2, "Short")


def test_a_new_template_starts_from_the_default_sections(client, head):
    client.force_login(head)

    page = client.get(reverse("plan-template-create"))
    created = client.post(reverse("plan-template-create"), _post("Lean", GOALS))

    assert [s["key"] for s in page.context["sections"]][:2] == ["situation", "swot"]
    assert created.status_code == 302
    assert PlanTemplate.objects.get(name="Lean").version == 1


def test_a_key_account_manager_cannot_open_or_post_the_editor(client, head, kam):
    template = template_save(actor=head, name="Short", sections=GOALS)
    client.force_login(kam)

    assert client.get(reverse("plan-templates")).status_code == 403
    assert client.get(reverse("plan-template-edit", args=[template.pk])).status_code == 403
    assert (
        client.post(reverse("plan-template-edit", args=[template.pk]), _post("X", GOALS, version=1)).status_code == 403
    )
    template.refresh_from_db()
    assert template.name == "Short"


def test_the_editor_speaks_german(client, head, settings):
    client.force_login(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    body = client.get(reverse("plan-template-create")).content.decode()

    assert "Abschnitt hinzufügen" in body
    assert "Vorlage speichern" in body


# ---------------------------------------------------------------- API


def test_the_api_creates_and_replaces_templates_with_versions(api, head):
    created = api(head, "post", "/plan-templates", {"name": "Short", "sections": GOALS})
    assert created.status_code == 201, created.content
    tid = created.json()["id"]

    replaced = api(head, "put", f"/plan-templates/{tid}", {"name": "Short", "sections": GOALS[:1], "version": 1})
    stale = api(head, "put", f"/plan-templates/{tid}", {"name": "Old", "sections": GOALS, "version": 1})
    listed = api(head, "get", "/plan-templates")

    assert replaced.status_code == 200
    assert replaced.json()["version"] == 2
    assert [s["key"] for s in replaced.json()["sections"]] == ["goals"]
    assert stale.status_code == 409
    assert stale.json()["name"] == "Short"
    assert {t["name"] for t in listed.json()["items"]} >= {"Short"}
    assert listed.json()["count"] == len(listed.json()["items"])


def test_the_api_refuses_duplicate_keys_and_a_key_account_manager(api, head, kam):
    duplicate = [GOALS[0], GOALS[0]]

    refused = api(head, "post", "/plan-templates", {"name": "Dup", "sections": duplicate})
    denied = api(kam, "post", "/plan-templates", {"name": "Mine", "sections": GOALS})
    denied_list = api(kam, "get", "/plan-templates")

    assert refused.status_code == 422
    assert "used by another section" in refused.content.decode()
    assert denied.status_code == 403
    assert denied_list.status_code == 403
    assert not PlanTemplate.objects.filter(name__in=["Dup", "Mine"]).exists()
