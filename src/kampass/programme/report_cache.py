"""The report cache: rendered programme report PDFs kept in the data directory, one file per
fingerprint of their inputs (``report.ReportInputs.fingerprint``).

Reading the inputs to fingerprint them takes a while (the assessment, every signal, the roadmap); a
cheap stamp of what they are made of (``report.report_inputs_stamp``) is mapped to the fingerprint of
the inputs read under it (:func:`remember`, :func:`recall`; a small ``<stamp>.key`` file each), so
that a request for an unchanged report finds its PDF without reading them.

Files are written whole or not at all (a temporary file renamed into place) with mode 0640 in a
directory of mode 0750 (``KAMPASS_REPORT_CACHE_DIR``, default ``$KAMPASS_HOME/reports``). Reading a
file marks it as used (its modification time); :func:`prune` removes the files not used for
``KAMPASS_REPORT_CACHE_DAYS`` days and, beyond ``KAMPASS_REPORT_CACHE_FILES`` files, the least
recently used ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

from django.conf import settings

FILE_MODE = 0o640
DIR_MODE = 0o750
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
# temporary files of a writer that died are removed after this many seconds
_STALE_TEMP_SECONDS = 3600


def cache_dir() -> Path:
    """``KAMPASS_REPORT_CACHE_DIR``, by default ``reports`` in the data directory."""
    configured = getattr(settings, "KAMPASS_REPORT_CACHE_DIR", "")
    return Path(configured) if configured else Path(settings.KAMPASS_HOME) / "reports"


def path_of(fingerprint: str) -> Path:
    """The file of ``fingerprint`` (refused unless it is a SHA-256 hex digest: no path tricks)."""
    if not _FINGERPRINT.match(fingerprint):
        raise ValueError(f"not a report fingerprint: {fingerprint!r}")
    return cache_dir() / f"{fingerprint}.pdf"


def lookup(fingerprint: str) -> Path | None:
    """The cached PDF of ``fingerprint`` if there is one (marked as used), else ``None``."""
    path = path_of(fingerprint)
    try:
        os.utime(path)
    except FileNotFoundError:
        return None
    return path


def read(fingerprint: str) -> bytes | None:
    """The cached PDF's bytes, or ``None`` when it is not (or no longer) in the cache."""
    path = lookup(fingerprint)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:  # pruned between the look-up and the read
        return None


def store(fingerprint: str, data: bytes) -> Path:
    """Keep ``data`` as the PDF of ``fingerprint`` (atomically, mode 0640) and prune the cache."""
    path = path_of(fingerprint)
    directory = path.parent
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    temp = directory / f".{fingerprint}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    prune(keep={path})
    return path


def _key_path(stamp: str) -> Path:
    if not _FINGERPRINT.match(stamp):
        raise ValueError(f"not an inputs stamp: {stamp!r}")
    return cache_dir() / f"{stamp}.key"


def remember(stamp: str, fingerprint: str) -> None:
    """Note that the inputs read under ``stamp`` have ``fingerprint`` (atomically, mode 0640). The
    stamp must have been taken before the inputs were read: a change made meanwhile changes the stamp
    of later requests, so they never find this note."""
    path_of(fingerprint)  # a fingerprint, nothing else
    path = _key_path(stamp)
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    temp = path.parent / f".{stamp}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(fingerprint)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def recall(stamp: str) -> str | None:
    """The fingerprint of the inputs read under ``stamp`` when its PDF is in the cache, else ``None``."""
    path = _key_path(stamp)
    try:
        fingerprint = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if not _FINGERPRINT.match(fingerprint) or lookup(fingerprint) is None:
        return None
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)
    return fingerprint


def prune(*, keep: set[Path] | None = None, now: float | None = None) -> list[Path]:
    """Remove the cached PDFs unused for ``KAMPASS_REPORT_CACHE_DAYS`` days and the least recently
    used beyond ``KAMPASS_REPORT_CACHE_FILES`` (never those in ``keep``); the removed paths."""
    directory = cache_dir()
    if not directory.is_dir():
        return []
    now = time.time() if now is None else now
    keep = keep or set()
    max_age = float(settings.KAMPASS_REPORT_CACHE_DAYS) * 86400
    max_files = int(settings.KAMPASS_REPORT_CACHE_FILES)
    removed: list[Path] = []
    files: list[tuple[float, Path]] = []
    for entry in directory.iterdir():
        try:
            mtime = entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if entry.name.endswith(".tmp"):
            if now - mtime > _STALE_TEMP_SECONDS:
                _remove(entry, removed)
        elif entry.suffix == ".pdf" and _FINGERPRINT.match(entry.stem):
            files.append((mtime, entry))
        elif entry.suffix == ".key" and _FINGERPRINT.match(entry.stem) and now - mtime > max_age:
            _remove(entry, removed)  # a note of a stamp not asked for since (a note of a pruned PDF is ignored)
    files.sort(reverse=True)  # most recently used first
    kept = 0
    for mtime, entry in files:
        if entry in keep:
            kept += 1
        elif now - mtime > max_age or kept >= max_files:
            _remove(entry, removed)
        else:
            kept += 1
    return removed


def _remove(path: Path, removed: list[Path]) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        removed.append(path)
