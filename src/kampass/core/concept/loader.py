"""Reading and validating catalogue files (work in progress: interface first)."""

from __future__ import annotations

from pathlib import Path

from kampass.core.concept.model import Catalogue


class CatalogueError(ValueError):
    """A catalogue file was refused; ``location`` names file, path inside the document and line."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def builtin_catalogue() -> Catalogue:
    """The built-in catalogue, complete in English and German (cached)."""
    raise NotImplementedError("the built-in catalogue is being written")


def load_catalogue(path: Path, base: Catalogue | None = None) -> Catalogue:
    """Merge the extension/translation file ``path`` over ``base`` (default: the built-in catalogue)."""
    raise NotImplementedError("the loader is being written")
