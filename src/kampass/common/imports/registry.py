"""The importers the contexts register, by kind (``accounts``, ``contacts``, ``users`` ...)."""

from __future__ import annotations

from kampass.common.imports.framework import Importer

_IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    """Class decorator: make ``importer`` available under its ``kind``."""
    _IMPORTERS[importer.kind] = importer
    return importer


def importer_for(kind: str) -> type[Importer]:
    """The importer of ``kind``; ``KeyError`` names the kinds there are."""
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise KeyError(f"no importer for {kind!r}; there are: {', '.join(kinds())}") from None


def kinds() -> list[str]:
    return sorted(_IMPORTERS)
