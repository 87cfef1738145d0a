"""Which concept catalogue the programme works with, and its texts in the user's language.

The running catalogue is the built-in one (complete in English and German), extended or translated
by the administrator's file ``<KAMPASS_HOME>/catalogue/extension.yaml`` when there is one. That file
is only ever written by :func:`catalogue_install`, after the whole file was checked by the core
loader, so a refused file never changes the running catalogue
(``kampass programme catalogue check|load|reset|show``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from kampass.core.concept import Catalogue, builtin_catalogue, load_catalogue

_cache: dict[str, tuple[tuple[int, int], Catalogue]] = {}


def extension_path() -> Path:
    """Where the installed extension of the catalogue lives (it may not exist)."""
    return Path(settings.KAMPASS_HOME) / "catalogue" / "extension.yaml"


def active_catalogue() -> Catalogue:
    """The running catalogue: the built-in one merged with the installed extension, if any."""
    path = extension_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return builtin_catalogue()
    key, stamp = str(path), (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        _cache[key] = (stamp, load_catalogue(path))
    return _cache[key][1]


def catalogue_stamp() -> tuple[str, int, int] | None:
    """What says whether the installed extension changed (its path, modification time and size), or
    ``None`` when none is installed."""
    path = extension_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


def catalogue_check(source: Path) -> Catalogue:
    """The catalogue that ``source`` would give, merged over the built-in one; raises ``CatalogueError``."""
    return load_catalogue(source)


def catalogue_install(source: Path) -> Catalogue:
    """Check ``source`` and, only if it is valid, install it as the extension (atomically)."""
    catalogue = load_catalogue(source)
    target = extension_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".extension-", suffix=".yaml")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return catalogue


def catalogue_reset() -> bool:
    """Remove the installed extension; the built-in catalogue runs again. Returns whether one was installed."""
    path = extension_path()
    if path.exists():
        path.unlink()
        return True
    return False
