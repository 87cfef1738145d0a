"""Import invoice lines from CSV (plain or gzipped) and XLSX files into the analytics store.

* :mod:`~kampass.core.analytics.ingest.dialect` recognises encoding, delimiter, decimal comma
  and date style;
* :mod:`~kampass.core.analytics.ingest.mapping` loads the YAML mappings (source columns,
  date formats, product groups, category rules);
* :mod:`~kampass.core.analytics.ingest.staging` compiles them to DuckDB SQL;
* :mod:`~kampass.core.analytics.ingest.dateorder` decides the day/month order of the date column
  from all its values (or asks: :class:`DateOrderQuestion`);
* :mod:`~kampass.core.analytics.ingest.overlap` finds the lines earlier imports already hold;
* :mod:`~kampass.core.analytics.ingest.pipeline` runs an import: all good lines or nothing.
"""

from kampass.core.analytics.ingest.dateorder import DateOrderQuestion
from kampass.core.analytics.ingest.dialect import Dialect, detect_dialect
from kampass.core.analytics.ingest.errors import IngestError
from kampass.core.analytics.ingest.mapping import (
    CategoryRule,
    Mapping,
    MappingError,
    ProductGroupRule,
    load_mapping,
    parse_mapping,
)
from kampass.core.analytics.ingest.overlap import OVERLAP_MODES, EarlierImport, Overlap
from kampass.core.analytics.ingest.pipeline import (
    FilePreview,
    ImportResult,
    PreviewLine,
    Reject,
    delete_orphan_lines,
    import_file,
    preview_file,
)

__all__ = [
    "OVERLAP_MODES",
    "CategoryRule",
    "DateOrderQuestion",
    "Dialect",
    "EarlierImport",
    "FilePreview",
    "ImportResult",
    "IngestError",
    "Mapping",
    "MappingError",
    "Overlap",
    "PreviewLine",
    "ProductGroupRule",
    "Reject",
    "delete_orphan_lines",
    "detect_dialect",
    "import_file",
    "load_mapping",
    "parse_mapping",
    "preview_file",
]
