"""Forms of the commercial pages: the transactions upload and linking a customer to an account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.accounts.forms import AccountLookupWidget
from kampass.accounts.models import Account
from kampass.commercial.models import DateOrder, LinkMode, OnOverlap
from kampass.common.imports.forms import ColumnChoices
from kampass.core.analytics.ingest.limits import LimitExceeded

UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".xlsx")
MAPPINGS = (
    ("online-retail", _("Online Retail (InvoiceNo, StockCode, Quantity, UnitPrice, CustomerID …)")),
    ("generic", _("Generic (invoice_no, invoice_date, customer_id, quantity, unit_price …)")),
)


ENCODINGS = (
    ("", _("Recognise from the file")),
    ("utf-8", "UTF-8"),
    ("cp1252", _("Windows-1252 (Western European)")),
    ("latin-1", _("ISO-8859-1 (Latin-1)")),
    ("iso8859-15", _("ISO-8859-15 (Latin-9, with €)")),
    ("utf-16", "UTF-16"),
    ("mac_roman", _("Mac OS Roman")),
)


class ImportForm(forms.Form):
    """Upload a transactions file and choose how to read it and how to link its customers."""

    file = forms.FileField(
        label=_("Transactions file"),
        help_text=_("CSV, gzip-compressed CSV (.csv.gz) or Excel (.xlsx); one invoice line per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gz,.xlsx"}),
    )
    mapping = forms.ChoiceField(
        label=_("Column mapping"), choices=MAPPINGS, initial="online-retail",
        help_text=_("Which columns of the file hold invoice number, date, customer, quantity and price."),
    )  # fmt: skip
    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DateOrder.choices, initial="", required=False,
        help_text=_(
            "How to read slash dates such as 03/04/2011. kampass decides it from all dates of the file and asks "
            "when it cannot be told (every date fits both, or some fit only one order and others only the other)."
        ),
    )  # fmt: skip
    on_overlap = forms.ChoiceField(
        label=_("Lines imported before"), choices=OnOverlap.choices, initial=OnOverlap.SKIP, required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A line counts as imported before when an earlier import holds a line with the same invoice, stock "
            "code, quantity, price, date and customer."
        ),
    )  # fmt: skip
    encoding = forms.ChoiceField(
        label=_("Encoding"), choices=ENCODINGS, initial="", required=False,
        help_text=_("The file's text encoding. kampass recognises it; a file mixing encodings is refused until you "
                    "choose one."),
    )  # fmt: skip
    strict = forms.BooleanField(label=_("Strict: import nothing when a single line is rejected"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)
    link_mode = forms.ChoiceField(
        label=_("Customers"), choices=LinkMode.choices, initial=LinkMode.EXTERNAL_ID, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, refusal: LimitExceeded | None = None, **kwargs: Any) -> None:
        """``refusal``: the uploaded file was refused while it was received (over the size limit)."""
        from kampass.commercial.services_mapping import saved_mappings

        super().__init__(*args, **kwargs)
        self.refusal = refusal
        saved = [(name, name) for name in saved_mappings()]
        if saved:  # the mappings saved on earlier mapping steps, by their names
            mapping = self.fields["mapping"]
            assert isinstance(mapping, forms.ChoiceField)
            mapping.choices = [*MAPPINGS, (_("Saved mappings"), saved)]
        if refusal is not None:  # the file never arrived: say why instead of "required"
            self.fields["file"].required = False

    def clean_file(self) -> Any:
        if self.refusal is not None:
            from kampass.common.import_limits import limit_message

            raise forms.ValidationError(limit_message(self.refusal), code="file_size")
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV, CSV.GZ or XLSX file."), params={"name": upload.name}, code="file_type"
            )
        from kampass.common.import_limits import import_limits, limit_message
        from kampass.core.analytics.ingest.limits import check_size

        try:
            check_size(Path(upload.name or "upload"), import_limits(), size=upload.size)
        except LimitExceeded as exc:
            raise forms.ValidationError(limit_message(exc), code="file_size") from exc
        return upload


class CustomerLinkForm(forms.Form):
    """Link one customer number of an import to an account."""

    customer_id = forms.CharField(widget=forms.HiddenInput, max_length=100)
    account = forms.ModelChoiceField(
        queryset=Account.objects.all(), widget=AccountLookupWidget, label=_("Account"),
        error_messages={"required": _("Choose an account."), "invalid_choice": _("Choose an account from the list.")},
    )  # fmt: skip


class InvoiceColumnsForm(ColumnChoices):
    """The mapping step of a transactions upload: the file's column per invoice-line field, the date order,
    strict and dry run, and optionally a name to save the columns under."""

    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DateOrder.choices, required=False,
        help_text=_("Only for slash dates such as 03/04/2011 that the file's values cannot decide."),
    )  # fmt: skip
    strict = forms.BooleanField(label=_("Strict: import nothing when a single line is rejected"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check the file only, store nothing"), required=False)
    mapping_name = forms.CharField(label=_("Save these columns as mapping"), max_length=100, required=False)

    def __init__(self, *args: Any, header: tuple[str, ...], **kwargs: Any) -> None:
        from kampass.commercial.services_mapping import INVOICE_FIELDS

        super().__init__(*args, **kwargs)
        self.add_column_choices(((f.name, f.label, f.required) for f in INVOICE_FIELDS), header)
