"""Backup and restore of an installation: the operational database and the analytics store in one file.

A backup is a gzipped tar archive:

``manifest.json``
    kampass version, time taken, database vendor, analytics backend, the applied migrations and row
    counts of every table of the operational database (to check a restore against).
``database.sqlite3`` or ``database.pgdump``
    SQLite: a copy taken with SQLite's online backup API (consistent while the server writes);
    PostgreSQL: ``pg_dump --format=custom`` (one snapshot transaction).
``analytics.duckdb``
    The embedded analytics store: its newest published copy (complete by construction, see
    docs/adr/0003-analytics-store-access.md). A PostgreSQL analytics store is dumped with ``pg_dump``
    (``analytics.pgdump``); a Spark store is not included (back it up with the cluster's tools).
``uploads/``
    Uploaded import files still kept in the data directory (their rejects files too).

Restoring needs a stopped server and an empty target (or ``force``), then applies pending migrations,
so a backup of an older version comes back on a newer one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

import kampass
from kampass.common.analytics import analytics_store
from kampass.core.analytics.backends import Snapshots, backend_name, duckdb_path

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    analytics: str
    tables: int
    rows: int
    bytes: int


def _row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        counts[model._meta.db_table] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def _pg_env_and_url(url_settings: dict[str, Any]) -> tuple[dict[str, str], str]:
    env = {**os.environ}
    if url_settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(url_settings["PASSWORD"])
    user = url_settings.get("USER") or "postgres"
    host = url_settings.get("HOST") or "localhost"
    port = url_settings.get("PORT") or 5432
    return env, f"postgresql://{user}@{host}:{port}/{url_settings['NAME']}"


#: where Debian and Ubuntu install the client tools of each PostgreSQL major version side by side
PG_BIN_DIRS = "/usr/lib/postgresql/{major}/bin"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _server_major(url: str, env: dict[str, str] | None = None) -> int:
    import psycopg

    # psycopg leaves out parameters that are None
    with psycopg.connect(url, connect_timeout=10, password=(env or {}).get("PGPASSWORD")) as conn:
        return int(conn.info.server_version) // 10000


def _tool_major(tool: str) -> int | None:
    try:
        done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return None
    found = _VERSION.search(done.stdout)
    return int(found.group(1)) if found else None


def pg_tool(name: str, server_major: int) -> str:
    """The ``pg_dump`` or ``pg_restore`` for a server of major version ``server_major``.

    The tool of exactly that version (``/usr/lib/postgresql/<major>/bin``) when it is installed, else the one
    on ``PATH`` when it is not older than the server (an older ``pg_dump`` refuses a newer server, and an older
    ``pg_restore`` cannot read a newer dump). Anything else is a ``BackupError`` naming the versions.
    """
    exact = Path(PG_BIN_DIRS.format(major=server_major)) / name
    if exact.is_file():
        return str(exact)
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(_("%(tool)s is not installed; it is needed for PostgreSQL.") % {"tool": name})
    major = _tool_major(on_path)
    if major is None or major < server_major:
        raise BackupError(
            _(
                "%(tool)s is version %(tool_version)s but the PostgreSQL server is version %(server_version)s: "
                "install the client tools of version %(server_version)s (e.g. postgresql-client-%(server_version)s)."
            )
            % {"tool": on_path, "tool_version": major or "?", "server_version": server_major}
        )
    return on_path


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed tool, our arguments)
    except FileNotFoundError as exc:
        raise BackupError(_("%(tool)s is not installed; it is needed for PostgreSQL.") % {"tool": command[0]}) from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]}: {done.stderr.strip()[-500:]}")


def backup_create(*, path: Path) -> BackupSummary:
    """Write a backup of this installation to ``path`` (``.tar.gz``) while it may be running."""
    db = settings.DATABASES["default"]
    vendor = connection.vendor
    url = settings.KAMPASS_ANALYTICS_URL
    with tempfile.TemporaryDirectory(prefix="kampass-backup-") as tmp:
        work = Path(tmp)
        manifest: dict[str, Any] = {
            "format": FORMAT, "kampass": kampass.__version__, "database": vendor,
            "analytics": backend_name(url), "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "migrations": sorted(f"{m.app}.{m.name}" for m in MigrationRecorder.Migration.objects.all()),
        }  # fmt: skip
        if vendor == "sqlite":
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(work / "database.sqlite3"))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif vendor == "postgresql":
            env, pg_url = _pg_env_and_url(db)
            pg_dump = pg_tool("pg_dump", _server_major(pg_url, env))
            _run([pg_dump, "--format=custom", "--no-owner", f"--file={work / 'database.pgdump'}", pg_url], env)
        else:
            raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
        manifest["rows"] = _row_counts()
        kind = backend_name(url)
        store_file = duckdb_path(url)
        if store_file is not None:
            with analytics_store():  # publishes the first copy of a store that has none yet
                pass
            current = Snapshots(store_file).current()
            assert current is not None
            shutil.copyfile(current, work / "analytics.duckdb")
        elif kind == "postgres":
            pg_dump = pg_tool("pg_dump", _server_major(url))
            _run([pg_dump, "--format=custom", "--no-owner", f"--file={work / 'analytics.pgdump'}", url])
        else:
            manifest["analytics_included"] = False
        uploads = Path(settings.KAMPASS_HOME) / "uploads"
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
            if uploads.is_dir():
                archive.add(uploads, arcname="uploads")
        os.chmod(partial, 0o600)  # it holds every contact and figure
        partial.replace(path)
    rows = manifest["rows"]
    return BackupSummary(path, vendor, manifest["analytics"], len(rows), sum(rows.values()), path.stat().st_size)


def _has_data() -> bool:
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.exists()
    except Exception:  # no tables yet
        return False


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(_("The backup holds an unsafe entry: %(name)s") % {"name": member.name})
        members.append(member)
    return members


def backup_restore(*, path: Path, force: bool = False) -> dict[str, Any]:
    """Restore the backup at ``path`` into this installation (stop the server first)."""
    if not path.is_file():
        raise BackupError(_("No backup file %(path)s.") % {"path": path})
    if _has_data() and not force:
        raise BackupError(_("This installation already holds data; restore into an empty one or use --force."))
    db = settings.DATABASES["default"]
    vendor = connection.vendor
    url = settings.KAMPASS_ANALYTICS_URL
    with tempfile.TemporaryDirectory(prefix="kampass-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, members=_safe_members(archive), filter="data")
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(_("%(path)s is not a kampass backup: %(error)s") % {"path": path, "error": exc}) from exc
        if manifest.get("format") != FORMAT or manifest.get("database") != vendor:
            raise BackupError(
                _("The backup was taken from a %(source)s database; this installation uses %(target)s.")
                % {"source": manifest.get("database"), "target": vendor}
            )
        connections.close_all()
        if vendor == "sqlite":
            target = Path(db["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            source = sqlite3.connect(str(work / "database.sqlite3"))
            dest = sqlite3.connect(str(target))
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        else:
            env, pg_url = _pg_env_and_url(db)
            pg_restore = pg_tool("pg_restore", _server_major(pg_url, env))
            _run([pg_restore, "--clean", "--if-exists", "--no-owner", f"--dbname={pg_url}",
                  str(work / "database.pgdump")], env)  # fmt: skip
        store_file = duckdb_path(url)
        if (work / "analytics.duckdb").exists():
            if store_file is None:
                raise BackupError(
                    _("The backup holds an embedded analytics store; set KAMPASS_ANALYTICS_URL to a duckdb file.")
                )
            store_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(Snapshots(store_file).dir, ignore_errors=True)
            for suffix in ("", ".wal"):
                Path(f"{store_file}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(work / "analytics.duckdb", store_file)
        elif (work / "analytics.pgdump").exists():
            _run(
                [
                    pg_tool("pg_restore", _server_major(url)),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    f"--dbname={url}",
                    str(work / "analytics.pgdump"),
                ]
            )
        if (work / "uploads").is_dir():
            shutil.copytree(work / "uploads", Path(settings.KAMPASS_HOME) / "uploads", dirs_exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if store_file is not None:
        with analytics_store(write=True):
            pass  # publish the restored store for the readers
    return manifest
