"""Forms of the master-data import pages: the upload, and the mapping step's column per field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kampass.common.imports.framework import Importer

#: the files every import reads (:func:`kampass.common.imports.table.read_table`), and the upload fields' hint
SUFFIXES = (".csv", ".csv.gz", ".gz", ".txt", ".xlsx", ".xlsm")
ACCEPT = ".csv,.gz,.txt,.xlsx,.xlsm"


class DataUploadForm(forms.Form):
    """Upload a file of one kind (accounts, contacts, users ...) with the mapping to start from."""

    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (any delimiter, UTF-8 or Windows-1252, also .csv.gz) or an Excel workbook (first sheet)."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    mapping = forms.CharField(
        label=_("Column mapping"),
        initial="generic",
        max_length=100,
        help_text=_(
            "generic (columns suggested from their names, English or German), salesforce, hubspot, or the name "
            "of a mapping you saved. You check and change the columns on the next step."
        ),
    )

    def __init__(self, *args: Any, importers: list[type[Importer]], refusal: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(i.kind, str(i.label)) for i in importers]
        self.refusal = refusal
        if refusal is not None:
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


class ColumnsForm(forms.Form):
    """The mapping step: for every field the file's column that holds it (or none)."""

    mapping_name = forms.CharField(label=_("Save this mapping as"), max_length=100, required=False)
    strict = forms.BooleanField(label=_("Store nothing if any row is rejected"), required=False)

    def __init__(self, *args: Any, importer: type[Importer], header: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *((h, h) for h in header if h)]
        for spec in importer.fields:
            self.fields[f"col_{spec.name}"] = forms.ChoiceField(
                label=str(spec.label), choices=choices, required=spec.required,
                error_messages={"required": _("Choose the column that holds this field.")},
            )  # fmt: skip

    def columns(self) -> dict[str, str]:
        return {k.removeprefix("col_"): v for k, v in self.cleaned_data.items() if k.startswith("col_") and v}


class ColumnChoices(forms.Form):
    """A mapping step's form: one choice of the file's column per field (``col_<field>``, none required by the
    form: the service names the required fields still without a column), plus the form's own fields."""

    def add_column_choices(self, fields: Iterable[tuple[str, Any, bool]], header: tuple[str, ...]) -> None:
        """A choice per ``(name, label, required)`` of ``fields`` among the columns of ``header``."""
        choices = [("", _("— not in the file —")), *((h, h) for h in header if h)]
        for name, label, required in fields:
            self.fields[f"col_{name}"] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.fields[f"col_{name}"].is_required_field = required  # type: ignore[attr-defined]

    def columns(self) -> dict[str, str]:
        """field -> the column chosen for it (fields without one left out)."""
        return {k.removeprefix("col_"): v for k, v in self.cleaned_data.items() if k.startswith("col_") and v}

    def column_fields(self) -> list[tuple[forms.BoundField, bool]]:
        """The column choices with whether their field is required, in the fields' order."""
        return [(self[n], bool(getattr(f, "is_required_field", False))) for n, f in self.fields.items()
                if n.startswith("col_")]  # fmt: skip
