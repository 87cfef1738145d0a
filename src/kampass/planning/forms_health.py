"""Forms of the plan actions and of the health weights."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kampass.common.concurrency import VersionedFormMixin
from kampass.core import scorecard as core
from kampass.planning.models import ActionStatus, LinkKind, PlanAction

_LINK = re.compile(r"^\s*(opportunity|contact|risk)\s*[:#]\s*(\d+)\s*$")


def parse_links(text: str) -> list[dict[str, Any]]:
    """``"opportunity:12, contact:3"`` as ``[{"kind": "opportunity", "id": 12}, ...]``; ``ValueError``
    naming the part it cannot read.

    >>> parse_links("opportunity:12, contact #3")
    [{'kind': 'opportunity', 'id': 12}, {'kind': 'contact', 'id': 3}]
    """
    out = []
    for part in (p for p in re.split(r"[,;\n]", text or "") if p.strip()):
        m = _LINK.match(part)
        if m is None:
            raise ValueError(part.strip())
        out.append({"kind": m.group(1), "id": int(m.group(2))})
    return out


def links_text(links: list[dict[str, Any]]) -> str:
    """The links as the form shows them."""
    return ", ".join(f"{link['kind']}:{link['id']}" for link in links)


class ActionForm(VersionedFormMixin, forms.Form):
    """Add or change an action of a plan. For the team member the action is assigned to (``progress_only``)
    only its status and notes."""

    title = forms.CharField(label=pgettext_lazy("plan action", "Action"), max_length=300)
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Owner"), required=False,
        help_text=_("A member of the account team."),
    )  # fmt: skip
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        label=_("Links"), required=False, max_length=1000,
        help_text=_("What it concerns, e.g. “opportunity:12, contact:3, risk:5”."),
    )  # fmt: skip
    topics = forms.CharField(label=_("Topics"), required=False, max_length=300)

    def __init__(self, *args: Any, team_user_ids: list[int] | None = None, progress_only: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = (
            get_user_model()
            .objects.filter(pk__in=team_user_ids or [], is_active=True)
            .order_by("last_name", "username")
        )
        self.progress_only = progress_only
        if progress_only:
            for name in ("title", "owner", "due_date", "links", "topics"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, action: PlanAction) -> dict[str, Any]:
        return {
            "title": action.title,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "status": action.status,
            "notes": action.notes,
            "links": links_text(action.links),
            "topics": action.topics,
            "version": action.version,
        }

    def clean_links(self) -> list[dict[str, Any]]:
        try:
            return parse_links(self.cleaned_data.get("links", ""))
        except ValueError as exc:
            kinds = ", ".join(LinkKind.values)
            raise forms.ValidationError(
                _("“%(part)s” is not a link; write kind:id with kind one of %(kinds)s.") % {"part": exc, "kinds": kinds}
            ) from None

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        if self.progress_only:
            return {"status": d["status"], "notes": d.get("notes", "")}
        return {
            "title": d["title"],
            "owner_id": d["owner"].pk if d.get("owner") else None,
            "due_date": d.get("due_date"),
            "status": d["status"],
            "notes": d.get("notes", ""),
            "links": d.get("links") or [],
            "topics": d.get("topics", ""),
        }


class HealthWeightsForm(VersionedFormMixin, forms.Form):
    """The weights of the health components: one whole number 0..10 per component."""

    note = forms.CharField(label=_("Why"), required=False, max_length=300)

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in core.COMPONENTS:
            self.fields[spec.key] = forms.IntegerField(
                label=spec.label(lang), min_value=0, max_value=core.MAX_WEIGHT, initial=spec.default_weight
            )
        self.order_fields([*core.COMPONENT_KEYS, "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) == 0 for k in core.COMPONENT_KEYS if k in data) and all(
            k in data for k in core.COMPONENT_KEYS
        ):
            raise forms.ValidationError(_("Give at least one component a weight above 0."))
        return data

    def weights(self) -> dict[str, int]:
        return {k: int(self.cleaned_data[k]) for k in core.COMPONENT_KEYS}
