"""Finding a mapping by name: built-in (``generic``, ``salesforce``, ``hubspot``), saved in kampass, or a YAML file."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from kampass.common.imports.framework import ColumnMapping, Importer, ImportRefused, mapping_from_data


def mapping_named(importer: type[Importer], name: str, *, allow_path: bool = False) -> ColumnMapping:
    """The mapping ``name`` for ``importer``: a built-in one, one saved in kampass, or (``allow_path``:
    the command line) a YAML file."""
    from kampass.common.models import ImportMapping

    builtin = importer.builtin_mapping(name)
    if builtin is not None:
        return builtin
    saved = ImportMapping.objects.filter(kind=importer.kind, name=name).first()
    if saved is not None:
        return mapping_from_data(
            {"name": saved.name, "columns": saved.columns, "suggest": saved.suggest},
            kind=importer.kind, fields=importer.fields, source=saved.name,
        )  # fmt: skip
    path = Path(name)
    if allow_path and path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            raise ImportRefused(_("%(file)s: not valid YAML: %(error)s") % {"file": path, "error": exc}) from exc
        return mapping_from_data(data, kind=importer.kind, fields=importer.fields, source=str(path))
    known = ", ".join(
        [
            "generic",
            *importer.mappings,
            *ImportMapping.objects.filter(kind=importer.kind).values_list("name", flat=True),
        ]
    )
    raise ImportRefused(
        _("“%(name)s” is no mapping for %(kind)s (known: %(known)s)%(file)s.")
        % {"name": name, "kind": importer.kind, "known": known, "file": _(" and no YAML file") if allow_path else ""}
    )
