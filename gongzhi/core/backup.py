"""Backups of the whole installation and their restore (issue 16, docs/OPERATIONS.md "Backups").

One archive (an uncompressed tar) holds everything a street's data is made of:

- ``database/gongzhi.sqlite3`` — SQLite, copied page by page through the online backup API
  (``sqlite3.Connection.backup``), so the web server may keep writing meanwhile; or
  ``database/gongzhi.dump`` — PostgreSQL, ``pg_dump`` in its custom format;
- ``media/…`` — the uploaded files (``MEDIA_ROOT``: photos, fund-use evidence, attachments);
- ``manifest.json`` — when, which engine, the applied schema migrations, the row count of every
  table and the SHA-256 and size of every file in the archive.

The secret key is never in the archive: the sealed ballots and survey answers are sealed with keys
derived from it, so a copy of the database without it cannot open them (docs/OPERATIONS.md).

The counts are taken from the very state that was copied — SQLite: from the copy itself; PostgreSQL:
in a repeatable-read transaction whose snapshot ``pg_dump`` shares (``--snapshot``) — so a restore can
compare them exactly. ``backup_restore`` refuses a damaged or foreign archive, an archive of the
other engine or of a newer program, and a target that already holds data unless ``force`` is given;
after restoring it counts again and reports any difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError

FORMAT = "gongzhi-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/gongzhi.sqlite3"
PG_MEMBER = "database/gongzhi.dump"
MEDIA_PREFIX = "media/"
LAST_BACKUP_FILE = "last-backup.json"  # in VAR_DIR: what `gongzhi doctor` reads for the backup's age
CHUNK = 1024 * 1024


class BackupError(UserError):
    """A backup or restore refused or failed, with the reason in plain Chinese; nothing was changed
    (a restore checks everything before it writes)."""


@dataclass
class BackupResult:
    archive: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def media_files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(MEDIA_PREFIX))


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    media_files: int
    differences: list[str] = field(default_factory=list)  # tables whose counts differ after restore
    moved_aside: list[Path] = field(default_factory=list)  # what --force set aside instead of deleting
    pending_migrations: int = 0  # migrations of this program the backup predates (run `gongzhi migrate`)


# --- where things are -----------------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(getattr(settings, "GONGZHI_BACKUP_DIR", None) or Path(settings.VAR_DIR) / "backups")


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def last_backup_path() -> Path:
    return Path(settings.VAR_DIR) / LAST_BACKUP_FILE


def last_backup() -> dict[str, Any] | None:
    """The record the last ``gongzhi backup`` on this installation left (None if none or unreadable)."""
    try:
        record = json.loads(last_backup_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "created_at" in record else None


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持的数据库类型：%(vendor)s。") % {"vendor": vendor})
    return vendor


# --- hashing and counting -----------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for ``tarfile.addfile`` and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _media_files(root: Path, *, skip: Path | None = None) -> Iterator[tuple[Path, str]]:
    """(file, archive name) for every regular file under ``root``, in a stable order; nothing under
    ``skip`` (the backup directory, should it lie inside the upload folder: no backup of backups)."""
    if not root.is_dir():
        return
    # only a backup directory strictly inside the upload folder is left out (not one that contains it)
    skip = skip.resolve() if skip and root.resolve() in skip.resolve().parents else None
    for path in sorted(root.rglob("*")):
        if skip is not None and skip in path.resolve().parents:
            continue
        if path.is_file() and not path.is_symlink():
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_state(db: sqlite3.Connection) -> tuple[dict[str, int], list[list[str]]]:
    """Row counts of every table and the applied migrations of an SQLite database."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {name: db.execute(f"SELECT COUNT(*) FROM {_quote(name)}").fetchone()[0] for name in names}  # noqa: S608
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
        migrations = [[app, name] for app, name in rows]
    return counts, migrations


def pg_state(cursor: Any) -> tuple[dict[str, int], list[list[str]]]:
    """Row counts of every table of the current schema and the applied migrations (PostgreSQL)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")  # noqa: S608 (names from the catalogue)
        counts[name] = cursor.fetchone()[0]
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    return counts, migrations


def current_state() -> tuple[dict[str, int], list[list[str]]]:
    """Row counts and applied migrations of the configured database, as it is now."""
    if _engine() == "sqlite":
        connection.ensure_connection()
        return sqlite_state(connection.connection)
    with connection.cursor() as cursor:
        return pg_state(cursor.cursor)


# --- PostgreSQL command-line tools --------------------------------------------------------------


def _pg_env(params: dict[str, Any] | None = None) -> dict[str, str]:
    """libpq's environment for pg_dump/pg_restore from the Django connection's settings."""
    db = params or connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run_tool(argv: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(
            _(
                "找不到 %(tool)s。请安装与数据库服务器同一大版本的 PostgreSQL 客户端（Debian：postgresql-client）。"
            )
            % {"tool": argv[0]}
        )
    done = subprocess.run([tool, *argv[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)d）：%(error)s")
            % {"tool": argv[0], "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


def _pg_connect() -> Any:
    """A connection of its own (not Django's), for a transaction that pg_dump can share."""
    import psycopg

    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


# --- backup -------------------------------------------------------------------------------------


def _dump_database(workdir: Path) -> tuple[str, Path, dict[str, int], list[list[str]]]:
    """Copy the database into ``workdir``; (archive name, file, counts, migrations) of that copy."""
    if _engine() == "sqlite":
        target = workdir / "gongzhi.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # online: pages are copied while writers carry on
            counts, migrations = sqlite_state(copy)
        finally:
            copy.close()
        return SQLITE_MEMBER, target, counts, migrations
    target = workdir / "gongzhi.dump"
    with _pg_connect() as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run_tool(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], _pg_env())
        counts, migrations = pg_state(conn.cursor())  # the same snapshot as the dump
        conn.execute("COMMIT")
    return PG_MEMBER, target, counts, migrations


def backup_create(*, directory: Path | None = None, now: dt.datetime | None = None) -> BackupResult:
    """Write one archive of the database and the uploaded files into ``directory`` (default
    ``GONGZHI_BACKUP_DIR``, else ``var/backups``) and record it for ``gongzhi doctor``."""
    if connection.in_atomic_block:  # its own uncommitted rows would not be in the copy (or block it)
        raise BackupError(_("不能在数据库事务之中备份。"))
    now = now or timezone.now()
    directory = Path(directory) if directory else backup_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # the archives hold personal data
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    archive = directory / f"gongzhi-backup-{stamp}.tar"
    partial = archive.with_name(archive.name + ".partial")
    files: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-", dir=directory) as work:
        member, dump, counts, migrations = _dump_database(Path(work))
        partial.touch(mode=0o600)
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for path, name in [(dump, member), *_media_files(media_root(), skip=directory)]:
                info = tar.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with open(path, "rb") as handle:
                    reader = _HashingReader(handle)
                    tar.addfile(info, reader)  # a file-like reader suffices
                files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}
            manifest = {
                "format": FORMAT,
                "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
                "engine": connection.vendor,
                "database": member,
                "migrations": migrations,
                "tables": counts,
                "files": files,
                "secret_key_included": False,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
    os.replace(partial, archive)
    record = {
        "archive": str(archive.resolve()),
        "created_at": manifest["created_at"],
        "engine": manifest["engine"],
        "size": archive.stat().st_size,
        "rows": sum(counts.values()),
        "files": len(files),
    }
    last_backup_path().write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupResult(archive, manifest)


# --- restore ------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError, tarfile.TarError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("这不是共治的备份文件（缺少或无法读取备份清单 manifest.json）。"))
    for key, kind in (
        ("engine", str),
        ("database", str),
        ("tables", dict),
        ("files", dict),
        ("migrations", list),
    ):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(_("备份清单不完整：缺少“%(key)s”。") % {"key": key})
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _unpack_and_check(tar: tarfile.TarFile, manifest: dict[str, Any], into: Path) -> None:
    """Extract every file the manifest lists into ``into`` and check its size and SHA-256; refuse
    anything else in the archive (links, devices, names outside, files the manifest does not list)."""
    listed = manifest["files"]
    if manifest["database"] not in listed:
        raise BackupError(_("备份清单没有列出数据库文件。"))
    seen = set()
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not _safe_name(member.name) or member.name not in listed:
            raise BackupError(_("备份文件含有清单以外的内容：%(name)s。") % {"name": member.name})
        target = into / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:  # pragma: no cover - isfile() members always have data
            raise BackupError(_("无法读取备份中的 %(name)s。") % {"name": member.name})
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        expected = listed[member.name]
        if digest.hexdigest() != expected.get("sha256") or member.size != expected.get("size"):
            raise BackupError(
                _("备份已损坏：%(name)s 的校验值与清单不符。没有恢复任何内容。") % {"name": member.name}
            )
        seen.add(member.name)
    if missing := sorted(set(listed) - seen):
        raise BackupError(
            _("备份不完整：清单列出的 %(count)d 个文件不在备份中（如 %(name)s）。")
            % {"count": len(missing), "name": missing[0]}
        )


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _target_holdings() -> tuple[int, int]:
    """(tables, rows) the configured database holds now; (0, 0) for a fresh place."""
    path = _sqlite_file() if _engine() == "sqlite" else None
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return 0, 0
    counts, _migrations = current_state()
    return len(counts), sum(counts.values())


def _media_holdings() -> int:
    return sum(1 for _ in _media_files(media_root()))


def _sqlite_file() -> Path | None:
    """The configured SQLite database's file; None for an in-memory database (the test database)."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return Path(name)


def _restore_sqlite(dump: Path) -> None:
    target = _sqlite_file()
    if target is None:
        raise BackupError(_("不能恢复到内存数据库，请配置数据库文件。"))
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # replaces every page of the target, WAL included
    finally:
        destination.close()
        source.close()


def _restore_postgresql(dump: Path, *, clear: bool) -> None:
    connections.close_all()
    if clear:
        with _pg_connect() as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
    _run_tool(
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(),
    )


def _set_aside(path: Path, stamp: str) -> Path:
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    os.replace(path, aside)
    return aside


def backup_restore(*, archive: Path, force: bool = False, now: dt.datetime | None = None) -> RestoreResult:
    """Restore ``archive`` into the configured database and ``MEDIA_ROOT``.

    Everything is checked before anything is written: the manifest, every file's SHA-256, the engine,
    that the program knows every migration of the backup, and — unless ``force`` — that the database
    and the upload folder are empty. With ``force`` the old database is replaced and the old upload
    folder set aside (renamed, not deleted)."""
    now = now or timezone.now()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    engine = _engine()
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError):
        raise BackupError(_("无法打开 %(path)s：不是 tar 格式的备份文件。") % {"path": archive}) from None
    with tar, tempfile.TemporaryDirectory(prefix="gongzhi-restore-") as work:
        manifest = read_manifest(tar)
        if manifest["engine"] != engine:
            raise BackupError(
                _("这是 %(source)s 数据库的备份，当前配置的是 %(target)s 数据库，不能直接恢复。")
                % {"source": manifest["engine"], "target": engine}
            )
        unknown = {tuple(pair) for pair in manifest["migrations"]} - _known_migrations()
        if unknown:
            app, name = sorted(unknown)[0]
            raise BackupError(
                _(
                    "备份来自更新版本的程序（含本程序不认识的数据库迁移 %(app)s.%(name)s 等 %(count)d 个）。请先升级程序再恢复。"
                )
                % {"app": app, "name": name, "count": len(unknown)}
            )
        tables, rows = _target_holdings()
        media_now = _media_holdings()
        if (tables or media_now) and not force:
            raise BackupError(
                _(
                    "目标不是空的：数据库已有 %(tables)d 张表、%(rows)d 行，上传目录已有 %(files)d 个文件。恢复会取代这些数据；确认无误请加 --force。"
                )
                % {"tables": tables, "rows": rows, "files": media_now}
            )
        _unpack_and_check(tar, manifest, Path(work))
        dump = Path(work) / manifest["database"]
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
        moved: list[Path] = []
        if engine == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, clear=bool(tables))
        media = media_root()
        if media.exists() and media_now:
            moved.append(_set_aside(media, stamp))
        media.mkdir(parents=True, exist_ok=True)
        restored_media = Path(work) / MEDIA_PREFIX.rstrip("/")
        if restored_media.is_dir():
            shutil.copytree(restored_media, media, dirs_exist_ok=True)
    counts, migrations = current_state()
    expected: dict[str, int] = manifest["tables"]
    differences = [
        f"{table}: {expected.get(table)} → {counts.get(table)}"
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    ]
    pending = len(_known_migrations() - {tuple(pair) for pair in migrations})
    return RestoreResult(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=sum(1 for name in manifest["files"] if name.startswith(MEDIA_PREFIX)),
        differences=differences,
        moved_aside=moved,
        pending_migrations=pending,
    )
