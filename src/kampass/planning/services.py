"""Writes of the planning context: plan templates, account plans, their versions and life cycle,
sections, SWOT items, comments and the relationship stage. One transaction per function; the
actor's permission is checked here, so the UI, the API and the CLI share one rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.common import comments
from kampass.common.concurrency import expect_version
from kampass.common.models import Comment, NotificationKind
from kampass.common.notifications import (
    PLAN_APPROVED,
    PLAN_REVIEW_REQUESTED,
    PLAN_SENT_BACK,
    heads_of_kam,
    notify_each,
)
from kampass.common.permissions import authorize
from kampass.core import planning as core
from kampass.planning.models import (
    AccountPlan,
    PlanSection,
    PlanStatus,
    PlanTemplate,
    RelationshipStage,
    RelationshipStageEntry,
    SwotItem,
)
from kampass.users.actors import Actor
from kampass.users.history import is_user

DEFAULT_TEMPLATE_NAME = "St. Gallen KAM"

#: functions that copy further parts of a plan (objectives, actions, ...) into its new version:
#: ``copy(old_plan, new_plan)``; the modules owning those parts register here
VERSION_COPIERS: list[Callable[[AccountPlan, AccountPlan], None]] = []


def _account(account_id: int) -> Any:
    from django.apps import apps

    account = apps.get_model("accounts", "Account").objects.filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"account": [_("Unknown account %(id)s.") % {"id": account_id}]})
    return account


@transaction.atomic
def default_template() -> PlanTemplate:
    """The template new plans use unless another is chosen: the one marked default, else the
    built-in St. Gallen template (created on first use)."""
    found = PlanTemplate.objects.filter(is_default=True).order_by("pk").first()
    if found is not None:
        return found
    template, _created = PlanTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME,
        defaults={"is_default": True, "sections": core.sections_to_json(core.DEFAULT_SECTIONS)},
    )
    return template


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    account_id: int,
    period_start: dt.date,
    period_end: dt.date,
    template_id: int | None = None,
    as_of: dt.date | None = None,
) -> AccountPlan:
    """Start the first version of an account's plan for a period, with the template's empty sections.

    A period that already has a plan is continued with :func:`plan_new_version`, not started again."""
    account = _account(account_id)
    authorize(actor, "planning.add_plan", account)
    errors: dict[str, list[str]] = {}
    if period_end <= period_start:
        errors["period_end"] = [_("The period must end after it starts.")]
    template = default_template() if template_id is None else PlanTemplate.objects.filter(pk=template_id).first()
    if template is None:
        errors["template"] = [_("Unknown plan template %(id)s.") % {"id": template_id}]
    if AccountPlan.objects.filter(account=account, period_start=period_start).exists():
        errors["period_start"] = [
            _("This account already has a plan for the period starting %(date)s; start a new version of it.")
            % {"date": period_start.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    assert template is not None
    plan = AccountPlan(
        account=account,
        period_start=period_start,
        period_end=period_end,
        number=1,
        template=template,
        template_version=template.version,
        template_sections=template.sections,
        status=PlanStatus.DRAFT,
        as_of=as_of or timezone.localdate(),
        created_by=_user(actor),
    )
    _save(plan, actor)
    PlanSection.objects.bulk_create([PlanSection(plan=plan, key=spec.key, content={}) for spec in template.specs()])
    return plan


def _user(actor: Actor) -> Any:
    return actor if is_user(actor) else None


def _save(obj: Any, actor: Actor) -> None:
    """Save ``obj`` recording ``actor`` in its change history (the programme's tool usage reads it)."""
    if is_user(actor):
        obj._history_user = actor
    obj.save()


@transaction.atomic
def plan_new_version(*, actor: Actor, plan: AccountPlan, as_of: dt.date | None = None) -> AccountPlan:
    """A new draft version that starts from ``plan`` (its sections, SWOT and relationship stage, and
    whatever the registered :data:`VERSION_COPIERS` copy). Only one version of a period may be open
    (draft or in review) at a time."""
    authorize(actor, "planning.change_plan", plan.account)
    open_version = (
        AccountPlan.objects.filter(account_id=plan.account_id, period_start=plan.period_start)
        .filter(status__in=core.EDITABLE)
        .first()
    )
    if open_version is not None:
        raise ValidationError(
            {
                "status": [
                    _("Version %(number)s of this plan is still open; edit that one.") % {"number": open_version.number}
                ]
            }
        )
    number = (
        AccountPlan.objects.filter(account_id=plan.account_id, period_start=plan.period_start).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1
    new = AccountPlan(
        account_id=plan.account_id,
        period_start=plan.period_start,
        period_end=plan.period_end,
        number=number,
        based_on=plan,
        template=plan.template,
        template_version=plan.template_version,
        template_sections=plan.template_sections or plan.template.sections,
        status=PlanStatus.DRAFT,
        as_of=as_of or timezone.localdate(),
        relationship_now=plan.relationship_now,
        relationship_target=plan.relationship_target,
        created_by=_user(actor),
    )
    _save(new, actor)
    PlanSection.objects.bulk_create(
        [PlanSection(plan=new, key=s.key, content=dict(s.content)) for s in plan.sections.order_by("pk")]
    )
    SwotItem.objects.bulk_create(
        [
            SwotItem(
                plan=new,
                kind=i.kind,
                text=i.text,
                evidence_kind=i.evidence_kind,
                evidence_id=i.evidence_id,
                evidence_note=i.evidence_note,
                position=i.position,
            )
            for i in plan.swot_items.order_by("pk")
        ]
    )
    for copy in VERSION_COPIERS:
        copy(plan, new)
    return new


@transaction.atomic
def plan_adopt_template(*, actor: Actor, plan: AccountPlan, version: int | None = None) -> list[str]:
    """Let an open (draft or in-review) version follow its template's current sections: new sections
    start empty, the content of sections the template still has is kept. Sections the template no
    longer has keep their stored content but are no longer shown; their keys are returned (the page
    names them). ``version`` is the plan version the user saw."""
    authorize(actor, "planning.change_plan", plan.account)
    expect_version(plan, version)
    _require_editable(plan)
    template = PlanTemplate.objects.get(pk=plan.template_id)
    current = {s.key for s in template.specs()}
    present = set(plan.sections.values_list("key", flat=True))
    hidden = sorted(
        s.key
        for s in plan.sections.exclude(key__in=current)
        if any(v not in (None, "", [], {}) for v in (s.content or {}).values())
    )
    plan.template_sections = template.sections
    plan.template_version = template.version
    _save(plan, actor)
    PlanSection.objects.bulk_create(
        [PlanSection(plan=plan, key=spec.key, content={}) for spec in template.specs() if spec.key not in present]
    )
    return hidden


def _require_editable(plan: AccountPlan) -> None:
    if not plan.editable:
        raise ValidationError(
            {
                "status": [
                    _("This plan version is %(status)s and can no longer be changed; start a new version.")
                    % {"status": plan.get_status_display()}
                ]
            }
        )


@transaction.atomic
def plan_section_save(
    *, actor: Actor, plan: AccountPlan, key: str, content: Mapping[str, Any], version: int | None
) -> PlanSection:
    """Save one section's fields. ``version`` is the section version the editor loaded: a save based
    on an older one raises :class:`~kampass.common.concurrency.ConcurrentEdit` (nothing is lost)."""
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    spec = {s.key: s for s in plan.specs()}.get(key)
    if spec is None:
        raise ValidationError({"key": [_("This plan has no section “%(key)s”.") % {"key": key}]})
    allowed = {f.key for f in spec.fields}
    unknown = sorted(set(content) - allowed)
    if unknown:
        raise ValidationError({"content": [_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}]})
    section = PlanSection.objects.select_for_update().get(plan=plan, key=key)
    expect_version(section, version)
    section.content = {k: str(v or "").strip() for k, v in content.items()}
    section.updated_by = _user(actor)
    _save(section, actor)
    return section


def _plan_content(plan: AccountPlan) -> dict[str, dict[str, str]]:
    return {s.key: dict(s.content) for s in plan.sections.all()}


@transaction.atomic
def plan_transition(
    *, actor: Actor, plan: AccountPlan, target: str, comment: str = "", version: int | None = None
) -> AccountPlan:
    """Move a plan in its life cycle: submit for review (all required fields filled), send back to
    draft, approve (sign-off by the head of KAM or the executive sponsor, with comment), make active
    (the account's previously active plan becomes superseded) or supersede."""
    plan = AccountPlan.objects.select_for_update().get(pk=plan.pk)
    expect_version(plan, version)
    if target in (PlanStatus.APPROVED, PlanStatus.DRAFT) and plan.status == PlanStatus.IN_REVIEW:
        authorize(actor, "planning.approve_plan", plan.account)
    else:
        authorize(actor, "planning.change_plan", plan.account)
    if not core.allowed_transition(plan.status, target):
        raise ValidationError(
            {
                "status": [
                    _("A plan that is %(status)s cannot move to “%(target)s”.")
                    % {"status": plan.get_status_display(), "target": dict(PlanStatus.choices).get(target, target)}
                ]
            }
        )
    now = timezone.now()
    before = plan.status
    if target == PlanStatus.IN_REVIEW:
        missing = core.missing_required(plan.specs(), _plan_content(plan))
        if missing:
            names = [label for _key, label in missing_labels(plan.specs(), missing)]
            raise ValidationError({"status": [_("Fill in before review: %(fields)s.") % {"fields": "; ".join(names)}]})
        plan.submitted_at = now
        plan.submitted_by = _user(actor)
    elif target == PlanStatus.APPROVED:
        plan.approved_at = now
        plan.approved_by = _user(actor)
        plan.approval_comment = comment.strip()
    elif target == PlanStatus.ACTIVE:
        for other in (
            AccountPlan.objects.select_for_update()
            .filter(account_id=plan.account_id, status__in=(PlanStatus.ACTIVE, PlanStatus.APPROVED))
            .exclude(pk=plan.pk)
        ):
            other.status = PlanStatus.SUPERSEDED
            _save(other, actor)
    plan.status = target
    _save(plan, actor)
    if comment.strip() and target != PlanStatus.APPROVED:
        # the remark that goes with the move (e.g. why it was sent back) is a comment on the whole plan
        try:
            comments.comment_add(actor=actor, kind="plan", target_id=plan.pk, body=comment)
        except ValidationError as exc:
            raise ValidationError({"comment": exc.messages}) from exc
    _tell_about_approval(actor, plan, before)
    return plan


def _tell_about_approval(actor: Actor, plan: AccountPlan, before: str) -> None:
    """The approval notifications: a plan put in review asks the heads of KAM and the account's executive
    sponsors to sign it off; a plan in review that is approved or sent back to draft tells whoever put it in
    review (its creator for plans put in review before this was recorded). Never the actor."""
    if plan.status == PlanStatus.IN_REVIEW:
        sponsor_ids = accounts_facade.executive_sponsor_ids(plan.account)
        sponsors = get_user_model().objects.filter(pk__in=sponsor_ids).order_by("pk")
        recipients: list[Any] = [*heads_of_kam(), *sponsors]
        message = PLAN_REVIEW_REQUESTED
    elif before == PlanStatus.IN_REVIEW and plan.status in (PlanStatus.APPROVED, PlanStatus.DRAFT):
        recipients = [plan.submitted_by or plan.created_by]
        message = PLAN_APPROVED if plan.status == PlanStatus.APPROVED else PLAN_SENT_BACK
    else:
        return
    params = {
        "by": str(actor) if is_user(actor) else "kampass",
        "account": plan.account.name,
        "period": f"{plan.period_start:%Y-%m} – {plan.period_end:%Y-%m}",
    }
    link = reverse("plan-detail", args=[plan.pk])
    notify_each(
        [r for r in recipients if r is not None],
        actor=actor,
        kind=NotificationKind.APPROVAL,
        message=message,
        params=params,
        link=link,
    )


def missing_labels(specs: tuple[core.SectionSpec, ...], missing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(section key, "Section: field")`` in the active language for each missing required field."""
    from django.utils.translation import get_language

    lang = get_language() or "en"
    by_key = {s.key: s for s in specs}
    labels = []
    for section, field_key in missing:
        spec = by_key[section]
        f = next(f for f in spec.fields if f.key == field_key)
        labels.append((section, f"{spec.label(lang)}: {f.label_de if lang.startswith('de') else f.label_en}"))
    return labels


@transaction.atomic
def plan_relationship_set(
    *, actor: Actor, plan: AccountPlan, now: str, target: str = "", version: int | None = None
) -> AccountPlan:
    """Place the relationship on a stage now and the stage aimed for; the change is kept in the
    account's relationship history."""
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    errors: dict[str, list[str]] = {}
    if now not in RelationshipStage.values:
        errors["relationship_now"] = [_("Unknown relationship stage “%(value)s”.") % {"value": now}]
    if target and target not in RelationshipStage.values:
        errors["relationship_target"] = [_("Unknown relationship stage “%(value)s”.") % {"value": target}]
    if errors:
        raise ValidationError(errors)
    plan = AccountPlan.objects.select_for_update().get(pk=plan.pk)
    expect_version(plan, version)
    changed = (plan.relationship_now, plan.relationship_target) != (now, target)
    plan.relationship_now, plan.relationship_target = now, target
    _save(plan, actor)
    if changed:
        RelationshipStageEntry.objects.create(
            account_id=plan.account_id,
            plan=plan,
            stage=now,
            target=target,
            recorded_at=timezone.now(),
            recorded_by=_user(actor),
        )
    return plan


@transaction.atomic
def plan_comment_add(*, actor: Actor, plan: AccountPlan, body: str, section_key: str = "") -> Comment:
    """Write a comment on a section of a plan (or on the whole plan): a comment of the kind ``"plan"`` in
    :mod:`kampass.common.comments` (the sections' comment panels show it; its ``@mentions`` notify)."""
    authorize(actor, "planning.comment_plan", plan.account)
    errors: dict[str, list[str]] = {}
    if not (body or "").strip():
        errors["body"] = [_("Write a comment.")]
    if section_key and section_key not in {s.key for s in plan.specs()}:
        errors["section_key"] = [_("This plan has no section “%(key)s”.") % {"key": section_key}]
    if errors:
        raise ValidationError(errors)
    return comments.comment_add(actor=actor, kind="plan", target_id=plan.pk, key=section_key, body=body).comment


# ---- SWOT items ------------------------------------------------------------------------------------


def _swot_clean(
    plan: AccountPlan, *, kind: str, text: str, evidence_kind: str, evidence_id: int | None, evidence_note: str
) -> dict[str, Any]:
    from kampass.planning.models import EvidenceKind, SwotKind

    errors: dict[str, list[str]] = {}
    text = text.strip()
    if kind not in SwotKind.values:
        errors["kind"] = [_("Unknown SWOT quadrant “%(value)s”.") % {"value": kind}]
    if not text:
        errors["text"] = [_("Describe the item.")]
    elif len(text) > 500:
        errors["text"] = [_("At most 500 characters.")]
    evidence_kind = evidence_kind or ""
    if evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = [_("Unknown kind of evidence “%(value)s”.") % {"value": evidence_kind}]
    elif evidence_kind in ("opportunity", "risk", "contact"):
        if evidence_id is None:
            errors["evidence_id"] = [_("Choose the evidence.")]
        else:
            from kampass.planning import evidence

            if evidence_id not in {e.id for e in evidence.choices(plan.account_id, evidence_kind)}:
                errors["evidence_id"] = [_("This is no evidence of this account.")]
    elif evidence_kind == "figure" and not evidence_note.strip():
        errors["evidence_note"] = [_("Write the figure.")]
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "text": text,
        "evidence_kind": evidence_kind,
        "evidence_id": evidence_id if evidence_kind in ("opportunity", "risk", "contact") else None,
        "evidence_note": evidence_note.strip()[:300],
    }


@transaction.atomic
def swot_item_add(
    *,
    actor: Actor,
    plan: AccountPlan,
    kind: str,
    text: str,
    evidence_kind: str = "",
    evidence_id: int | None = None,
    evidence_note: str = "",
) -> SwotItem:
    """Add a strength, weakness, opportunity or threat to an open plan version, at the end of its
    quadrant, optionally citing evidence (an opportunity, risk or contact of the account, or a figure)."""
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    values = _swot_clean(
        plan, kind=kind, text=text, evidence_kind=evidence_kind, evidence_id=evidence_id, evidence_note=evidence_note
    )
    last = SwotItem.objects.filter(plan=plan, kind=values["kind"]).aggregate(n=Max("position"))["n"]
    item = SwotItem(plan=plan, position=(last + 1) if last is not None else 0, **values)
    _save(item, actor)
    return item


@transaction.atomic
def swot_item_update(
    *,
    actor: Actor,
    item: SwotItem,
    text: str,
    evidence_kind: str = "",
    evidence_id: int | None = None,
    evidence_note: str = "",
    version: int | None = None,
) -> SwotItem:
    """Change the text or evidence of a SWOT item (``version``: the one the user saw)."""
    plan = item.plan
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    item = SwotItem.objects.select_for_update().get(pk=item.pk)
    expect_version(item, version)
    values = _swot_clean(
        plan,
        kind=item.kind,
        text=text,
        evidence_kind=evidence_kind,
        evidence_id=evidence_id,
        evidence_note=evidence_note,
    )
    for name, value in values.items():
        setattr(item, name, value)
    _save(item, actor)
    return item


@transaction.atomic
def swot_item_remove(*, actor: Actor, item: SwotItem, version: int | None = None) -> None:
    """Remove a SWOT item from an open plan version (refused when it changed since ``version``)."""
    from kampass.common.concurrency import expect_saved_version

    plan = item.plan
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    expect_saved_version(item, version)
    if is_user(actor):
        item._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    item.delete()


@transaction.atomic
def swot_item_move(*, actor: Actor, item: SwotItem, offset: int) -> SwotItem:
    """Move a SWOT item up (``offset`` -1) or down (+1) within its quadrant."""
    plan = item.plan
    authorize(actor, "planning.change_plan", plan.account)
    _require_editable(plan)
    items = list(SwotItem.objects.select_for_update().filter(plan=plan, kind=item.kind).order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, other in enumerate(items):
            if other.position != position:
                other.position = position
                _save(other, actor)
    return next(other for other in items if other.pk == item.pk)


# ---- plan templates --------------------------------------------------------------------------------


def template_problem_message(problem: core.TemplateProblem) -> str:
    """The message an editor reads for a problem of a template's sections (numbers count from 1)."""
    if problem.code == "no_sections":
        return _("A template needs at least one section.")
    if problem.section is None:  # not produced by the core rules; kept for safety
        return _("The sections are not valid.")
    if problem.field is None:
        where = _("Section %(section)s") % {"section": problem.section + 1}
    else:
        where = _("Section %(section)s, field %(field)s") % {"section": problem.section + 1, "field": problem.field + 1}
    value = {"where": where, "value": problem.value, "max": core.KEY_MAX}
    if problem.code == "key_missing":
        return _("%(where)s: give it a key.") % value
    if problem.code == "key_invalid":
        return _("%(where)s: the key “%(value)s” may contain only letters, digits and underscores.") % value
    if problem.code == "key_too_long":
        return _("%(where)s: the key is longer than %(max)s characters.") % value
    if problem.code == "key_duplicate":
        if problem.field is None:
            return _("%(where)s: the key “%(value)s” is used by another section.") % value
        return _("%(where)s: the key “%(value)s” is used by another field of this section.") % value
    if problem.code == "label_too_long":
        return _("%(where)s: the label is longer than %(max)s characters.") % {**value, "max": core.LABEL_MAX}
    if problem.attribute == "label_de":
        return _("%(where)s: give it a German label.") % value
    return _("%(where)s: give it an English label.") % value


def template_problems(sections: Any) -> dict[str, str]:
    """``{path: message}`` of every problem of the sections as entered (``sections.1.fields.0.key``,
    ``sections`` for the list): what the template editor shows next to the inputs."""
    if not isinstance(sections, list) or not all(isinstance(s, Mapping) for s in sections):
        return {"sections": _("The sections must be a list of objects.")}
    for raw in sections:
        fields = raw.get("fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, Mapping) for f in fields):
            return {"sections": _("The fields of a section must be a list of objects.")}
    out: dict[str, str] = {}
    for problem in core.template_problems(sections):
        out.setdefault(problem.path, template_problem_message(problem))
    return out


def _template_sections(sections: Any) -> list[dict[str, Any]]:
    if isinstance(sections, str):
        import json

        try:
            sections = json.loads(sections)
        except ValueError as exc:
            raise ValidationError(
                {"sections": [_("The sections are not valid JSON: %(error)s") % {"error": exc}]}
            ) from exc
    problems = template_problems(sections)
    if problems:
        raise ValidationError({"sections": list(problems.values())})
    return core.sections_to_json(core.sections_from_json(sections))


@transaction.atomic
def template_save(
    *,
    actor: Actor,
    name: str,
    sections: Any,
    is_default: bool = False,
    template: PlanTemplate | None = None,
    version: int | None = None,
) -> PlanTemplate:
    """Create a plan template (``template`` None) or change one: its name, its sections and fields
    (labels in both languages, required flags, order) and whether new plans use it by default.
    Every save raises the template's version by one (its history keeps each version); plans record
    the template version they were written against. ``sections``: the list stored by
    :func:`kampass.core.planning.sections_to_json` (or its JSON text); every problem is refused
    with a message naming the section and field (:func:`template_problems`)."""
    authorize(actor, "planning.manage_templates")
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the template a name.")]
    elif PlanTemplate.objects.filter(name=name).exclude(pk=template.pk if template is not None else 0).exists():
        errors["name"] = [_("A template with this name exists already.")]
    try:
        cleaned = _template_sections(sections)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if template is None:
        template = PlanTemplate(name=name, sections=cleaned)
    else:
        template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
        expect_version(template, version)
        template.name, template.sections = name, cleaned
    if is_default:
        for other in PlanTemplate.objects.select_for_update().filter(is_default=True).exclude(pk=template.pk):
            other.is_default = False
            _save(other, actor)
    template.is_default = is_default
    _save(template, actor)
    return template
