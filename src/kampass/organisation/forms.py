"""Forms of the organisation pages. They validate input; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.common.concurrency import VersionedFormMixin, version_field
from kampass.organisation.models import (
    ActionStatus,
    BlockedCause,
    Competence,
    DevelopmentAction,
    ProfileRole,
)
from kampass.organisation.selectors import Profile, profile_people
from kampass.users.models import User

LEVEL_CHOICES = [("", "–"), *[(str(i), str(i)) for i in range(1, 6)]]


class CatalogueEntryForm(VersionedFormMixin, forms.Form):
    """An entry of the KAM process, the function roles or the competence model."""

    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_de = forms.CharField(label=_("Name (German)"), max_length=200, required=False)
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_("Short identifier (letters, digits, hyphens); made from the English name when left empty."),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_de = forms.CharField(
        label=_("Description (German)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32767, initial=100, help_text=_("Smaller numbers come first.")
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Inactive entries are kept but not shown.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_en"].widget.attrs["autofocus"] = True


class StructureSettingsForm(forms.Form):
    max_accounts_per_kam = forms.IntegerField(
        label=_("Maximum accounts per key account manager"),
        min_value=1,
        max_value=500,
        help_text=_("Key account managers looking after more accounts than this are flagged."),
    )
    version = version_field(min_value=0)  # of the stored settings (0: none stored yet)


class RaciCellForm(forms.Form):
    code = forms.CharField(max_length=2, required=False)


class ProfileForm(forms.Form):
    """A whole competence profile at once: per competence the agreed rating, a personal target and a
    note (head of KAM, administrator) and the self-assessment (the person themselves)."""

    def __init__(self, *args: Any, profile: Profile, can_rate: bool, can_self_rate: bool, **kwargs: Any) -> None:
        self.profile = profile
        self.can_rate = can_rate
        self.can_self_rate = can_self_rate
        self.personal_targets: dict[int, int] = kwargs.pop("personal_targets", {})
        # the version of each competence's rating as loaded (0: none yet), so a stale save is refused
        versions: dict[int, int] = kwargs.pop("versions", {})
        target_versions: dict[int, int] = kwargs.pop("target_versions", {})
        super().__init__(*args, **kwargs)
        for line in profile.lines:
            cid = line.competence.pk
            name = line.competence.label
            self.fields[f"version_{cid}"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
            self.initial.setdefault(f"version_{cid}", versions.get(cid, 0))
            if can_rate:  # the version of the personal target as loaded (0: none)
                self.fields[f"version_target_{cid}"] = version_field(min_value=0)
                self.initial.setdefault(f"version_target_{cid}", target_versions.get(cid, 0))
            if can_rate:
                self.fields[f"level_{cid}"] = forms.TypedChoiceField(
                    label=_("%(competence)s: rating") % {"competence": name},
                    choices=LEVEL_CHOICES,
                    required=False,
                    coerce=int,
                    empty_value=None,
                )
                self.fields[f"target_{cid}"] = forms.TypedChoiceField(
                    label=_("%(competence)s: personal target") % {"competence": name},
                    choices=LEVEL_CHOICES,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    help_text=_("Empty: the target of the role applies."),
                )
                self.fields[f"note_{cid}"] = forms.CharField(
                    label=_("%(competence)s: note") % {"competence": name}, max_length=500, required=False
                )
                self.initial.setdefault(f"level_{cid}", line.row.level)
                self.initial.setdefault(f"target_{cid}", self.personal_targets.get(cid))
                self.initial.setdefault(f"note_{cid}", line.note)
            if can_self_rate:
                self.fields[f"self_{cid}"] = forms.TypedChoiceField(
                    label=_("%(competence)s: self-assessment") % {"competence": name},
                    choices=LEVEL_CHOICES,
                    required=False,
                    coerce=int,
                    empty_value=None,
                )
                self.initial.setdefault(f"self_{cid}", line.row.self_level)

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields per competence, for the table of the form."""
        out = []
        for line in self.profile.lines:
            cid = line.competence.pk
            out.append(
                {
                    "line": line,
                    "level": self[f"level_{cid}"] if self.can_rate else None,
                    "target": self[f"target_{cid}"] if self.can_rate else None,
                    "note": self[f"note_{cid}"] if self.can_rate else None,
                    "self": self[f"self_{cid}"] if self.can_self_rate else None,
                }
            )
        return out


class RoleTargetsForm(forms.Form):
    """The target level of every active competence for key account managers and heads of KAM, each
    with the version of the target as loaded (``version_<role>_<competence>``, 0: none)."""

    def __init__(
        self,
        *args: Any,
        competences: list[Competence],
        current: dict[tuple[str, int], int],
        versions: dict[tuple[str, int], int] | None = None,
        **kwargs: Any,
    ):
        self.competences = competences
        super().__init__(*args, **kwargs)
        for c in competences:
            for role, _label in ProfileRole.choices:
                name = f"{role}_{c.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{c.label} – {_label}", choices=LEVEL_CHOICES, required=False, coerce=int, empty_value=None
                )
                self.initial.setdefault(name, current.get((role, c.pk)))
                self.fields[f"version_{name}"] = version_field(min_value=0)
                self.initial.setdefault(f"version_{name}", (versions or {}).get((role, c.pk), 0))

    def rows(self) -> list[tuple[Competence, list[Any]]]:
        return [(c, [self[f"{role}_{c.pk}"] for role, _label in ProfileRole.choices]) for c in self.competences]


class ActionForm(VersionedFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Key account manager"), queryset=User.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    competence = forms.ModelChoiceField(
        label=_("Competence"), queryset=Competence.objects.filter(active=True), required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_("Who drives the action (e.g. the head of KAM or a trainer)."),
    )
    blocked = forms.BooleanField(
        label=_("Blocked by the organisation"),
        required=False,
        help_text=_("The action cannot go on because of the organisation, not because of the person."),
    )
    blocked_cause = forms.ChoiceField(label=_("Cause"), choices=[("", "–"), *BlockedCause.choices], required=False)
    blocked_note = forms.CharField(label=_("What blocks it"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, action: DevelopmentAction | None = None, **kwargs: Any) -> None:
        if action is not None:
            kwargs.setdefault(
                "initial",
                {
                    "person": action.person_id,
                    "title": action.title,
                    "competence": action.competence_id,
                    "due_date": action.due_date,
                    "status": action.status,
                    "owner": action.owner_id,
                    "blocked": action.blocked,
                    "blocked_cause": action.blocked_cause,
                    "blocked_note": action.blocked_note,
                    "notes": action.notes,
                    "version": action.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["autofocus"] = True
        if user.has_perm("organisation.view_all_profiles"):
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = profile_people()
        else:
            # a key account manager plans for themselves; the person of an existing action stays
            pk = action.person_id if action is not None else user.pk
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = User.objects.filter(pk=pk)
            self.fields["person"].initial = pk
            self.fields["person"].disabled = True
            self.initial["person"] = pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # a ModelForm returns its cleaned_data
        if data.get("blocked") and not data.get("blocked_cause"):
            self.add_error(
                "blocked_cause", _("Say what blocks the action: structure, process, resources or management.")
            )
        return data
