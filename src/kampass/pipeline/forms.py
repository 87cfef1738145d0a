"""Forms of the pipeline pages. They validate input; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kampass.accounts.facade import contacts_linkable
from kampass.accounts.forms import AccountLookupWidget
from kampass.accounts.models import Account, BuyingRole, Contact
from kampass.common.concurrency import VersionedFormMixin, version_field
from kampass.common.currencies import CURRENCIES
from kampass.common.imports.forms import ACCEPT, SUFFIXES, ColumnChoices
from kampass.pipeline.models import (
    PERIODS_PER_YEAR,
    ForecastCategory,
    Opportunity,
    QualificationStatus,
    RiskCategory,
    RiskStatus,
    Stage,
    StageKind,
    StageSet,
    Target,
    TargetPeriod,
    TargetScope,
)
from kampass.users.actors import Actor
from kampass.users.models import OrgUnit, User

LIKELIHOOD_CHOICES = [
    (1, _("1 – rare")),
    (2, _("2 – unlikely")),
    (3, _("3 – possible")),
    (4, _("4 – likely")),
    (5, _("5 – almost certain")),
]
IMPACT_CHOICES = [
    (1, _("1 – negligible")),
    (2, _("2 – minor")),
    (3, _("3 – moderate")),
    (4, _("4 – major")),
    (5, _("5 – severe")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StageChoiceField(forms.ModelChoiceField):
    """Stages labelled in the user's language (the default stage names are translated)."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext(obj.name)


def _grouped_stage_choices(stages: Any) -> list[Any]:
    """Choices grouped by sales process (``<optgroup>``) when there is more than one."""
    groups: dict[StageSet, list[tuple[int, str]]] = {}
    for s in stages:
        groups.setdefault(s.stage_set, []).append((s.pk, gettext(s.name)))
    if len(groups) == 1:
        return [("", "---------"), *next(iter(groups.values()))]
    return [("", "---------"), *[(gettext(str(k)), v) for k, v in groups.items()]]


def _owners() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def _text_list_initial(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list | tuple) else (value or "")


class OpportunityForm(VersionedFormMixin, forms.Form):
    """Create or edit an opportunity. The stage is chosen on creation only (later moves go through
    the stage change, which records the history)."""

    name = forms.CharField(label=_("Name"), max_length=300)
    account = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        label=_("Account"),
        widget=AccountLookupWidget(attrs={"aria-label": _("Account"), "data-perm": "pipeline.add_opportunity"}),
    )
    stage = StageChoiceField(
        queryset=Stage.objects.none(),
        label=_("Stage"),
        required=False,
        help_text=_("Empty: the first stage of the default sales process."),
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"), required=False)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[("", _("the account's currency")), *CURRENCIES],
        required=False,
    )
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=DATE)
    owner_probability = forms.IntegerField(
        label=_("Owner's probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_(
            "Your own estimate of the chance to win, 0–100. Empty: you give none (the forecast then uses the "
            "stage's default and says so)."
        ),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), choices=ForecastCategory.choices, initial=ForecastCategory.PIPELINE
    )
    competitors = forms.CharField(
        label=_("Competitors"), required=False, max_length=1000, help_text=_("Separate several by commas.")
    )
    products = forms.CharField(
        label=_("Products"), required=False, max_length=1000, help_text=_("Separate several by commas.")
    )
    lead_source = forms.CharField(label=_("Lead source"), required=False, max_length=100)
    opportunity_type = forms.CharField(label=_("Type"), required=False, max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, creating: bool = True, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].widget.attrs.update({"autofocus": True})
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _owners()
        if creating:
            stages = (
                Stage.objects.filter(kind=StageKind.OPEN).select_related("stage_set").order_by("stage_set", "order")
            )
            cast(forms.ModelChoiceField, self.fields["stage"]).queryset = stages
            cast(forms.ChoiceField, self.fields["stage"]).choices = _grouped_stage_choices(stages)
        else:
            del self.fields["stage"]

    @classmethod
    def initial_from(cls, opportunity: Opportunity) -> dict[str, Any]:
        fields = [
            "name", "amount", "currency", "expected_close_date", "owner_probability", "forecast_category",
            "lead_source", "opportunity_type", "description",
        ]  # fmt: skip
        initial = {f: getattr(opportunity, f) for f in fields}
        initial.update(
            account=opportunity.account_id,
            owner=opportunity.owner_id,
            competitors=_text_list_initial(opportunity.competitors),
            products=_text_list_initial(opportunity.products),
            version=opportunity.version,
        )
        return initial

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the opportunity a name."))
        return name

    def clean_account(self) -> Account:
        account = self.cleaned_data["account"]
        changed = "account" in self.changed_data or "stage" in self.fields
        if self.user is not None and changed and not self.user.has_perm("pipeline.add_opportunity", account):
            raise forms.ValidationError(
                _("You may not add opportunities to %(account)s: you are not on its team.") % {"account": account}
            )
        return account

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (empty currency: the account's)."""
        data = dict(self.cleaned_data)
        if not data.get("currency"):
            data.pop("currency", None)  # on creation the account's currency; on edit unchanged
        if "stage" in data and data["stage"] is None:
            data.pop("stage")
        return data


class StageChangeForm(VersionedFormMixin, forms.Form):
    """Move an opportunity to another stage of its sales process (the keyboard- and script-free way)."""

    stage = StageChoiceField(queryset=Stage.objects.none(), label=_("New stage"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the opportunity is lost; kept as the reason for a won deal too."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        cast(forms.ModelChoiceField, self.fields["stage"]).queryset = opportunity.stage_set.stages.exclude(
            pk=opportunity.stage_id
        ).order_by("order")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stage = data.get("stage")
        if stage is not None and stage.kind == StageKind.LOST and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the opportunity was lost."))
        return data


class QualificationForm(VersionedFormMixin, forms.Form):
    """Status and evidence of one MEDDPICC element."""

    status = forms.ChoiceField(
        label=_("Status"), choices=QualificationStatus.choices, widget=forms.Select(attrs={"autofocus": True})
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you know and how you know it (needed unless the element is missing)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") in (QualificationStatus.PARTIAL, QualificationStatus.CONFIRMED)
            and not (data.get("evidence") or "").strip()
        ):
            self.add_error("evidence", _("Say what you know and how you know it."))
        return data


class OpportunityContactForm(forms.Form):
    """A contact of the account's hierarchy who takes part in deciding this project, with roles."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"))
    roles = forms.MultipleChoiceField(
        label=_("Roles in this project"), choices=BuyingRole.choices, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # the version of the link as loaded (0: the contact was not linked), so a change made meanwhile is kept
    version = version_field(min_value=0)

    def __init__(self, *args: Any, opportunity: Opportunity, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", 0)
        account = opportunity.account
        tree = Q(positions__account__path__startswith=account.path) | Q(
            positions__account_id__in=account.ancestor_ids()
        )
        # only the contacts of the hierarchy the user may link (accounts.link_contact)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = (
            contacts_linkable(user=user).filter(tree).distinct().order_by("last_name", "first_name")
        )
        self.fields["contact"].help_text = _("People with a position at %(account)s, above or below it.") % {
            "account": account.name
        }


class RiskForm(VersionedFormMixin, forms.Form):
    """One entry of a customer project's risk register."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=LIKELIHOOD_CHOICES, coerce=int, initial=3)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=IMPACT_CHOICES, coerce=int, initial=3)
    cost = forms.DecimalField(
        label=_("Cost if it occurs"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text=_(
            "The expected risk cost is the likelihood's probability (10 %, 30 %, 50 %, 70 %, 90 %) × this cost."
        ),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mitigation = forms.CharField(label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices, initial=RiskStatus.OPEN)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _owners()
        self.fields["title"].widget.attrs.update({"autofocus": True})

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Name the risk."))
        return title


class TargetForm(VersionedFormMixin, forms.Form):
    """Set or change a target (quota) for an owner, a team or an account subtree in a month, quarter or year."""

    scope = forms.ChoiceField(label=_("For"), choices=TargetScope.choices, initial=TargetScope.OWNER)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Owner"), required=False, help_text=_("When the target is an owner's.")
    )
    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), label=_("Team"), required=False, help_text=_("When the target is a team's.")
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        label=_("Account"),
        required=False,
        widget=AccountLookupWidget(attrs={"aria-label": _("Account")}),
        help_text=_("When the target is an account's, with everything below it."),
    )
    period = forms.ChoiceField(label=_("Period"), choices=TargetPeriod.choices, initial=TargetPeriod.QUARTER)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("Month 1–12 or quarter 1–4; empty for a year."),
    )
    amount = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _owners()
        cast(forms.ModelChoiceField, self.fields["org_unit"]).queryset = OrgUnit.objects.order_by("name")
        self.fields["scope"].widget.attrs.update({"autofocus": True})

    @classmethod
    def initial_from(cls, target: Target) -> dict[str, Any]:
        return {
            "scope": target.scope,
            "owner": target.owner_id,
            "org_unit": target.org_unit_id,
            "account": target.account_id,
            "period": target.period,
            "year": target.year,
            "number": None if target.period == TargetPeriod.YEAR else target.number,
            "amount": target.amount,
            "currency": target.currency,
            "note": target.note,
            "version": target.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject = {"owner": "owner", "team": "org_unit", "account": "account"}.get(data.get("scope", ""))
        if subject and not data.get(subject):
            self.add_error(subject, _("Choose for whom the target is."))
        period, number = data.get("period"), data.get("number")
        if period == TargetPeriod.YEAR:
            data["number"] = 1
        elif period in (TargetPeriod.MONTH, TargetPeriod.QUARTER):
            most = PERIODS_PER_YEAR[TargetPeriod(period)]
            if number is None or not 1 <= number <= most:
                self.add_error(
                    "number",
                    _("Give the month (1–12).") if period == TargetPeriod.MONTH else _("Give the quarter (1–4)."),
                )
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (``version`` only when editing; the service keeps the
        subject the scope names and clears the others)."""
        return dict(self.cleaned_data)


LINK_CHOICES = [
    ("external_id", _("reject them (accounts by external id)")),
    ("name", _("reject them (accounts by external id, then by name)")),
    ("create", _("create the missing accounts")),
    ("keep", _("keep deals without a matching account as unlinked opportunities")),
]
LINK_HELP = _("Kept deals are listed under Pipeline › Without account, to be linked or turned into accounts.")
PREFER_CHOICES = [
    ("", _("refuse the import and list them")),
    ("stage", _("the stage decides")),
    ("flags", _("the flags decide")),
]
DATE_ORDER_CHOICES = [("", _("recognise")), ("dmy", _("day/month")), ("mdy", _("month/day"))]
DATE_ORDER_HELP = _("How to read slash dates such as 03/04/2024.")


class _PipelineUploadForm(forms.Form):
    """An uploaded pipeline file (CSV or gzip-compressed CSV), refused when over the import limits."""

    def __init__(self, *args: Any, refusal: Any = None, **kwargs: Any) -> None:
        """``refusal``: the uploaded file was refused while it was received (over the size limit)."""
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        if refusal is not None:  # the file never arrived: say why instead of "required"
            self.fields["file"].required = False

    def clean_file(self) -> Any:
        from kampass.common.import_limits import limit_message

        if self.refusal is not None:
            raise forms.ValidationError(limit_message(self.refusal), code="file_size")
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUFFIXES):
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV or Excel file."), params={"name": upload.name}, code="file_type"
            )
        return upload


class StageHistoryUploadForm(_PipelineUploadForm):
    """Upload a stage-history export (e.g. Salesforce OpportunityHistory) of opportunities already imported."""

    file = forms.FileField(
        label=_("Stage-history file"),
        help_text=_(
            "CSV (or .csv.gz) or an Excel workbook (first sheet), one row per recorded change: OpportunityId, "
            "StageName, CreatedDate, Amount, "
            "CloseDate, Probability (Salesforce OpportunityHistory), or opportunity_id, stage, changed_at, amount."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    mapping = forms.ChoiceField(
        label=_("Column mapping"),
        choices=[("salesforce", _("Salesforce")), ("generic", _("Generic"))],
        initial="salesforce",
        help_text=_("The mapping the opportunities were imported with (it names their source and stages)."),
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        choices=[("", _("recognise")), ("dmy", _("day/month")), ("mdy", _("month/day"))],
        required=False,
        help_text=_("How to read slash dates such as 03/04/2024."),
    )
    strict = forms.BooleanField(label=_("Strict: import nothing when a single row is rejected"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)


class OpportunityUploadForm(_PipelineUploadForm):
    """Upload a CRM export of opportunities (``kampass import opportunities`` in the background)."""

    file = forms.FileField(
        label=_("Opportunities file"),
        help_text=_(
            "CSV (or .csv.gz) or an Excel workbook (first sheet) of opportunities, "
            "e.g. a Salesforce Opportunity export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    mapping = forms.ChoiceField(
        label=_("Column mapping"),
        choices=[("salesforce", _("Salesforce")), ("generic", _("Generic"))],
        initial="salesforce",
        help_text=_("The columns are suggested from it; you check them and see a preview on the next step."),
    )
    link = forms.ChoiceField(label=_("Deals without a matching account"), choices=LINK_CHOICES, initial="external_id",
                             help_text=LINK_HELP)  # fmt: skip
    prefer = forms.ChoiceField(label=_("Stage and IsClosed/IsWon contradict"), choices=PREFER_CHOICES, required=False)
    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DATE_ORDER_CHOICES, required=False, help_text=DATE_ORDER_HELP
    )
    strict = forms.BooleanField(label=_("Strict: import nothing when a single row is rejected"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kampass.pipeline.importing import saved_mapping_names

        super().__init__(*args, **kwargs)
        mapping = cast(forms.ChoiceField, self.fields["mapping"])
        mapping.choices = [*cast(list[tuple[str, str]], mapping.choices), *((n, n) for n in saved_mapping_names())]


#: the fields of an opportunity file, as the mapping step names them
OPPORTUNITY_FIELD_LABELS = {
    "external_id": _("Opportunity id"),
    "name": _("Opportunity name"),
    "account_id": _("Account id"),
    "account_name": _("Account name"),
    "account_industry": _("Account industry"),
    "account_country": _("Account country"),
    "account_parent": _("Parent account"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "close_date": _("Close date"),
    "created_date": _("Created date"),
    "stage_changed_date": _("Date of the last stage change"),
    "age_days": _("Age in days"),
    "stage": _("Stage"),
    "open_stage": _("Open stage (when the flags say open)"),
    "is_closed": _("Closed (IsClosed)"),
    "is_won": _("Won (IsWon)"),
    "probability": _("Probability"),
    "forecast_category": _("Forecast category"),
    "owner": _("Owner"),
    "lead_source": _("Lead source"),
    "type": _("Type"),
    "description": _("Description"),
}


class OpportunityColumnsForm(ColumnChoices):
    """The mapping step of an opportunity upload: the file's column per field, the upload's options, and
    optionally a name to save the columns under."""

    link = forms.ChoiceField(label=_("Deals without a matching account"), choices=LINK_CHOICES, help_text=LINK_HELP)
    prefer = forms.ChoiceField(label=_("Stage and IsClosed/IsWon contradict"), choices=PREFER_CHOICES, required=False)
    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DATE_ORDER_CHOICES, required=False, help_text=DATE_ORDER_HELP
    )
    strict = forms.BooleanField(label=_("Strict: import nothing when a single row is rejected"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)
    mapping_name = forms.CharField(label=_("Save these columns as mapping"), max_length=100, required=False)

    def __init__(self, *args: Any, header: tuple[str, ...], **kwargs: Any) -> None:
        from kampass.pipeline.importing import FIELDS, REQUIRED

        super().__init__(*args, **kwargs)
        self.add_column_choices(((n, OPPORTUNITY_FIELD_LABELS[n], n in REQUIRED) for n in FIELDS), header)


class TargetUploadForm(_PipelineUploadForm):
    """Upload a targets file: owner, team or account, period, amount, currency, category."""

    file = forms.FileField(
        label=_("Targets file"),
        help_text=_(
            "CSV or an Excel workbook (first sheet) with the columns owner (username or e-mail) or team or "
            "account (id or name), period (2027, "
            "2027-Q1 or 2027-01), amount, and optionally currency, category and note."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)


class UnlinkedLinkForm(forms.Form):
    """The account the selected opportunities without an account are linked to (the list's bulk action)."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        label=_("Account"),
        widget=AccountLookupWidget(
            attrs={
                "aria-label": _("Account to link to"),
                "data-perm": "pipeline.add_opportunity",
                "id": "id_link_account",
            }
        ),
    )


class UnlinkedAcceptForm(forms.Form):
    """The suggested account accepted for one opportunity without an account (a button of the list's row)."""

    suggested = forms.ModelChoiceField(queryset=Account.objects.all(), widget=forms.HiddenInput)
