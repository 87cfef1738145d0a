"""A plan keeps the template version it was written against: a changed template does not change an
approved plan (page, export, required fields), a new version keeps the structure, an open version
adopts the new template only when asked (page, API), and the migration gives existing plans the
sections of the template version they recorded."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.common.concurrency import ConcurrentEdit
from kampass.core import planning as core
from kampass.planning import selectors
from kampass.planning.exports.content import plan_export
from kampass.planning.models import AccountPlan, PlanSection, PlanStatus
from kampass.planning.services import (
    default_template,
    plan_adopt_template,
    plan_new_version,
    plan_section_save,
    template_save,
)
from kampass.planning.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(kam):
    account = AccountFactory(name="Schindler Group", kam_status="key_account")
    TeamMemberFactory(account=account, user=kam)
    return account


def _changed_default(head) -> None:
    """The head of KAM renames the first section, drops "resources" and adds a required "sustainability"
    section to the default template."""
    template = default_template()
    sections = [dict(s) for s in template.sections if s["key"] != "resources"]
    sections[0] = {**sections[0], "label_en": "Customer situation", "label_de": "Lage des Kunden"}
    sections.append(
        {
            "key": "sustainability",
            "label_en": "Sustainability",
            "label_de": "Nachhaltigkeit",
            "fields": [{"key": "goals", "label_en": "Goals", "label_de": "Ziele", "required": True}],
        }
    )
    template_save(
        actor=head, name=template.name, sections=sections, is_default=True, template=template, version=template.version
    )


def _keys(plan: AccountPlan) -> list[str]:
    return [s.key for s in plan.specs()]


def test_a_changed_template_does_not_change_an_approved_plan(head, account):
    plan = make_plan(account=account, status=PlanStatus.APPROVED)
    PlanSection.objects.filter(plan=plan, key="resources").update(content={"team": "Anna, Ben"})

    _changed_default(head)

    plan = AccountPlan.objects.get(pk=plan.pk)
    assert _keys(plan) == [s.key for s in core.DEFAULT_SECTIONS]
    assert plan.specs()[0].label("en") == "Situation"
    assert [spec.key for spec, _section in selectors.plan_sections(plan)][-1] == "resources"
    exported = plan_export(plan, lang="en")
    resources, situation = exported.section("resources"), exported.section("situation")
    assert resources is not None
    assert situation is not None
    assert exported.section("sustainability") is None
    assert resources.fields[0].text == "Anna, Ben"
    assert situation.label == "Situation"


def test_a_new_version_keeps_the_structure_of_the_one_it_starts_from(kam, head, account):
    approved = make_plan(account=account, status=PlanStatus.APPROVED)
    _changed_default(head)

    new = plan_new_version(actor=kam, plan=approved)

    assert _keys(new) == _keys(approved)
    assert new.template_version == approved.template_version
    assert new.template_changed
    # a required field of the new template does not block a plan that does not follow it yet
    assert "sustainability" not in {key for key, _field in core.missing_required(new.specs(), {})}


def test_an_open_version_adopts_the_current_template_and_keeps_its_text(kam, head, account):
    plan = make_plan(account=account)
    plan_section_save(actor=kam, plan=plan, key="resources", content={"team": "Anna, Ben"}, version=None)
    _changed_default(head)
    plan.refresh_from_db()
    before = PlanSection.objects.get(plan=plan, key="situation").content

    hidden = plan_adopt_template(actor=kam, plan=plan, version=plan.version)

    plan.refresh_from_db()
    template = default_template()
    assert hidden == ["resources"]
    assert plan.template_version == template.version
    assert not plan.template_changed
    assert _keys(plan)[-1] == "sustainability"
    assert "resources" not in _keys(plan)
    assert plan.specs()[0].label("de") == "Lage des Kunden"
    assert PlanSection.objects.get(plan=plan, key="situation").content == before
    assert PlanSection.objects.get(plan=plan, key="sustainability").content == {}
    assert PlanSection.objects.get(plan=plan, key="resources").content == {"team": "Anna, Ben"}  # kept, not shown
    assert "sustainability" in [key for key, _label in selectors.missing_fields(plan)]
    saved = plan_section_save(actor=kam, plan=plan, key="sustainability", content={"goals": "CO2 -30 %"}, version=None)
    assert saved.content == {"goals": "CO2 -30 %"}


def test_adopting_is_refused_for_approved_versions_others_and_stale_versions(kam, kam2, head, account):
    approved = make_plan(account=account, status=PlanStatus.APPROVED)
    draft = make_plan(account=AccountFactory(kam_status="key_account"))
    TeamMemberFactory(account=draft.account, user=kam)
    _changed_default(head)

    with pytest.raises(ValidationError):
        plan_adopt_template(actor=head, plan=approved, version=None)
    with pytest.raises(PermissionDenied):
        plan_adopt_template(actor=kam2, plan=draft, version=None)
    with pytest.raises(ConcurrentEdit):
        plan_adopt_template(actor=kam, plan=draft, version=draft.version - 1 if draft.version > 1 else 99)
    approved.refresh_from_db()
    assert approved.template_changed


def test_the_plan_page_offers_adopting_and_the_post_adopts(client, kam, head, account):
    plan = make_plan(account=account)
    url = reverse("plan-detail", args=[plan.pk])
    client.force_login(kam)
    assert 'data-testid="template-changed"' not in client.get(url).content.decode()

    _changed_default(head)
    page = client.get(url).content.decode()
    assert 'data-testid="template-changed"' in page
    assert 'data-testid="adopt-template"' in page
    assert 'id="section-resources"' in page
    assert 'id="section-sustainability"' not in page

    plan.refresh_from_db()
    response = client.post(reverse("plan-adopt-template", args=[plan.pk]), {"version": plan.version}, follow=True)
    page = response.content.decode()
    assert 'id="section-sustainability"' in page
    assert 'data-testid="template-changed"' not in page


def test_the_api_reports_and_adopts_a_changed_template(api, kam, viewer, head, account):
    plan = make_plan(account=account)
    _changed_default(head)
    plan.refresh_from_db()

    shown = api(viewer, "get", f"/plans/{plan.pk}").json()
    denied = api(viewer, "post", f"/plans/{plan.pk}/adopt-template", {"version": plan.version})
    stale = api(kam, "post", f"/plans/{plan.pk}/adopt-template", {"version": plan.version + 5})
    adopted = api(kam, "post", f"/plans/{plan.pk}/adopt-template", {"version": plan.version})

    assert shown["template_changed"] is True
    assert "resources" in [s["key"] for s in shown["sections"]]
    assert denied.status_code == 403
    assert stale.status_code == 409
    assert adopted.status_code == 200
    body = adopted.json()
    assert body["template_changed"] is False
    assert [s["key"] for s in body["sections"]][-1] == "sustainability"


def test_the_migration_gives_plans_the_sections_of_their_template_version(head, account):
    plan = make_plan(account=account, status=PlanStatus.APPROVED)
    recorded = list(default_template().sections)
    _changed_default(head)
    AccountPlan.objects.filter(pk=plan.pk).update(template_sections=[])
    gone = AccountPlan.objects.create(
        account=AccountFactory(kam_status="key_account"),
        period_start=plan.period_start,
        period_end=plan.period_end,
        template=default_template(),
        template_version=999,  # no such version in the history: the current sections
        as_of=plan.as_of,
    )

    migration = importlib.import_module("kampass.planning.migrations.0006_plan_template_sections")
    migration.copy_template_sections(django_apps, None)

    assert AccountPlan.objects.get(pk=plan.pk).template_sections == recorded
    assert AccountPlan.objects.get(pk=gone.pk).template_sections == default_template().sections
