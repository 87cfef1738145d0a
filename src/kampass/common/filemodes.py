"""Who may read kampass's data files: their owner, and at most the owner's group.

The data directory holds every contact, figure and uploaded customer file. Every kampass process (the
``kampass`` command, gunicorn through :mod:`kampass.config.wsgi`) starts with :func:`restrict_umask`, so
whatever it creates there -- the SQLite database, the analytics store and its snapshots, backups -- is
``0640`` at most and its directories ``0750``; uploads, backups and the secret key are ``0600`` explicitly
(:func:`private_dir`, :func:`open_private`). Pure standard library: :mod:`kampass.cli` uses it before
Django is set up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

#: nothing for others, no writing for the group: new files 0640, new directories 0750
UMASK = 0o027
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def restrict_umask() -> int:
    """Take away at least :data:`UMASK` from the modes of the files this process creates (a stricter umask
    the administrator set stays); return the umask before.

    >>> old = restrict_umask(); now = os.umask(old); restrict_umask() == old
    True
    >>> oct(now & UMASK)
    '0o27'
    >>> _ = os.umask(old)  # (the example leaves the process as it found it)
    """
    old = os.umask(UMASK)
    os.umask(old | UMASK)
    return old


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and make it the owner's alone (0700)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def open_private(path: Path) -> BinaryIO:
    """Open ``path`` for writing (binary, truncated), created readable by its owner only (0600) from the start."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode in os.open
    return os.fdopen(fd, "wb")
