"""Backups (core/backup.py, `gongzhi backup` / `gongzhi restore`) and the restore drill of issue 16.

The drill backs up a committed copy of the demo street with uploaded files, restores the archive into a
fresh place — a new var directory (SQLite) or a scratch database created and dropped here
(PostgreSQL) — with the real ``gongzhi`` command in a process of its own, and then checks what an
office would: ``gongzhi ledger verify --database`` and ``gongzhi check`` pass there, every table holds
the same number of rows as the source, and the uploaded files are the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from gongzhi.core.backup import (
    MANIFEST,
    BackupError,
    backup_create,
    backup_restore,
    current_state,
    last_backup,
)

GONGZHI = [sys.executable, "-m", "gongzhi.cli"]
UPLOADS = {
    "finance/evidence/2026/审价报告.pdf": b"%PDF-1.4\n% a price audit\n%%EOF\n",
    "problems/photos/漏水-1.jpg": bytes(range(256)) * 8,
    "voting/attachments/业主大会议事规则.txt": "第一条 业主大会由全体业主组成。\n".encode(),
}


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    # `gongzhi backup` records its last archive in the var directory: never the developer's var/.
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()


def _tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _write_uploads(media: Path) -> None:
    for name, data in UPLOADS.items():
        path = media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture
def committed_demo(transactional_db, demo, settings):
    """The small demo street, committed (pg_dump and a second process see only committed rows), with
    uploaded files. The flush after a transactional test meets the append-only ledger, so its entries
    are removed first the one sanctioned way, as the demo street's reset does."""
    _write_uploads(Path(settings.MEDIA_ROOT))
    yield demo
    from gongzhi.finance.maintenance import purge_demo_ledgers

    purge_demo_ledgers(demo.street)


class FreshPlace:
    """Where the drill restores to: its own var directory and, on PostgreSQL, a scratch database."""

    def __init__(self, root: Path):
        self.var = root / "fresh-var"
        self.var.mkdir()
        self.env = {
            **os.environ,
            "GONGZHI_VAR_DIR": str(self.var),
            "GONGZHI_SECRET_KEY": "drill-" + secrets.token_urlsafe(48),
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        }
        self.env.pop("DATABASE_URL", None)
        self.pg_name: str | None = None
        if connection.vendor == "postgresql":
            self.pg_name = f"gongzhi_drill_{secrets.token_hex(4)}"
            with _pg_admin() as admin:
                admin.execute(f'CREATE DATABASE "{self.pg_name}"')
            params = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST'] or '127.0.0.1'}:"
                f"{params['PORT'] or 5432}/{self.pg_name}"
            )

    def gongzhi(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*GONGZHI, *args], env=self.env, capture_output=True, text=True, timeout=300)

    def counts(self) -> dict[str, int]:
        if self.pg_name is None:
            with sqlite3.connect(self.var / "gongzhi.sqlite3") as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                return {
                    n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]  # noqa: S608
                    for n in names
                    if not n.startswith("sqlite_")
                }
        import psycopg

        params = {**connection.get_connection_params(), "dbname": self.pg_name}
        with psycopg.connect(**params) as db:
            names = [
                r[0]
                for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            ]
            return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608

    def drop(self) -> None:
        if self.pg_name:
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def _pg_admin():
    import psycopg

    params = {**connection.get_connection_params(), "dbname": "postgres"}
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def fresh_place(tmp_path):
    place = FreshPlace(tmp_path)
    yield place
    place.drop()


def test_restore_drill(committed_demo, fresh_place, settings, tmp_path):
    source_counts, source_migrations = current_state()
    assert source_counts["finance_ledgerentry"] > 0 and source_counts["registry_unit"] > 0
    source_media = _tree(Path(settings.MEDIA_ROOT))
    assert set(UPLOADS) <= set(source_media)

    call_command("backup", dir=str(tmp_path / "backups"))
    archive = last_backup()["archive"]

    restored = fresh_place.gongzhi("restore", archive)
    assert restored.returncode == 0, restored.stderr
    assert "每张表的行数都与备份清单一致" in restored.stdout

    verify = fresh_place.gongzhi("ledger", "verify", "--database")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "链完整" in verify.stdout
    # Django's system check, database included, passes on the restored place (`python -m django check`
    # is that check whatever `gongzhi check` is mapped to).
    system = subprocess.run(
        [sys.executable, "-m", "django", "check", "--database", "default"],
        env=fresh_place.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert system.returncode == 0, system.stdout + system.stderr
    if "datacheck" in get_commands():
        # The data-health report (数据体检) finds on the copy exactly what it finds on the source.
        day = timezone.localdate().isoformat()
        copy_report = fresh_place.gongzhi("datacheck", "--json", "--today", day)
        out = StringIO()
        with contextlib.suppress(SystemExit):
            call_command("datacheck", "--json", "--today", day, stdout=out)
        assert json.loads(copy_report.stdout) == json.loads(out.getvalue())

    assert fresh_place.counts() == source_counts
    assert _tree(fresh_place.var / "media") == source_media

    # A second restore into the place that now holds data is refused, and changes nothing.
    again = fresh_place.gongzhi("restore", archive)
    assert again.returncode != 0
    assert "目标不是空的" in again.stderr and "--force" in again.stderr
    assert fresh_place.counts() == source_counts

    # With --force it replaces what is there (on PostgreSQL: drops the schema and restores it in one
    # transaction) and sets the uploads it found aside instead of deleting them.
    forced = fresh_place.gongzhi("restore", "--force", archive)
    assert forced.returncode == 0, forced.stderr
    assert fresh_place.counts() == source_counts
    assert _tree(fresh_place.var / "media") == source_media
    (aside,) = [p for p in fresh_place.var.iterdir() if p.name.startswith("media.before-restore-")]
    assert _tree(aside) == source_media


def test_the_manifest_lists_tables_migrations_and_every_file(committed_demo, tmp_path, settings):
    result = backup_create(directory=tmp_path)
    with tarfile.open(result.archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        data = {n: tar.extractfile(n).read() for n in names if n != MANIFEST}
    counts, migrations = current_state()
    assert manifest["tables"] == counts
    assert manifest["migrations"] == migrations
    assert manifest["engine"] == connection.vendor
    assert manifest["secret_key_included"] is False
    assert set(manifest["files"]) == names - {MANIFEST}
    assert {f"media/{name}" for name in UPLOADS} <= names
    for name, body in data.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    assert not any("secret_key" in name for name in names)
    assert result.archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


def test_a_backup_directory_inside_the_upload_folder_is_not_backed_up(tmp_path):
    from gongzhi.core.backup import _media_files

    media = tmp_path / "media"
    _write_uploads(media)
    (media / "backups").mkdir()
    (media / "backups" / "gongzhi-backup-20261205-011500.tar").write_bytes(b"an older archive")
    names = [name for _path, name in _media_files(media, skip=media / "backups")]
    assert names == sorted(f"media/{n}" for n in UPLOADS)


# --- refusals (no transactional data needed: they stop before writing) --------------------------------


def _archive_with(tmp_path: Path, manifest: dict, files: dict[str, bytes]) -> Path:
    import io

    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as tar:
        for name, body in [(MANIFEST, json.dumps(manifest).encode()), *files.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _manifest(files: dict[str, bytes], **overrides) -> dict:
    member = "database/gongzhi.sqlite3" if connection.vendor == "sqlite" else "database/gongzhi.dump"
    manifest = {
        "format": "gongzhi-backup/1",
        "created_at": "2026-12-06T20:00:00+08:00",
        "engine": connection.vendor,
        "database": member,
        "migrations": [],
        "tables": {},
        "files": {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in files.items()},
    }
    manifest.update(overrides)
    return manifest


def _db_member() -> str:
    return "database/gongzhi.sqlite3" if connection.vendor == "sqlite" else "database/gongzhi.dump"


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused_in_chinese(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(CommandError, match="不是 tar 格式的备份文件"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar"))


@pytest.mark.django_db
def test_a_tar_without_a_manifest_is_refused(tmp_path):
    path = tmp_path / "plain.tar"
    with tarfile.open(path, "w") as tar:
        tar.add(__file__, arcname="something.py")
    with pytest.raises(BackupError, match="这不是共治的备份文件"):
        backup_restore(archive=path, force=True)


@pytest.mark.django_db
def test_a_damaged_file_is_refused_before_anything_is_written(tmp_path, settings):
    files = {_db_member(): b"database bytes", "media/a.txt": b"upload"}
    manifest = _manifest(files)
    damaged = {**files, "media/a.txt": b"uploaD"}
    path = _archive_with(tmp_path, manifest, damaged)
    before = current_state()
    with pytest.raises(BackupError, match="备份已损坏：media/a.txt"):
        backup_restore(archive=path, force=True)
    assert current_state() == before
    assert not (Path(settings.MEDIA_ROOT) / "a.txt").exists()


@pytest.mark.django_db
def test_members_outside_the_manifest_and_unsafe_names_are_refused(tmp_path):
    files = {_db_member(): b"database bytes"}
    path = _archive_with(tmp_path, _manifest(files), {**files, "../escape.txt": b"x"})
    with pytest.raises(BackupError, match="清单以外的内容"):
        backup_restore(archive=path, force=True)
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.django_db
def test_a_backup_of_the_other_engine_is_refused(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    files = {_db_member(): b"database bytes"}
    path = _archive_with(tmp_path, _manifest(files, engine=other), files)
    with pytest.raises(BackupError, match="不能直接恢复"):
        backup_restore(archive=path, force=True)


@pytest.mark.django_db
def test_a_backup_of_a_newer_program_is_refused(tmp_path):
    files = {_db_member(): b"database bytes"}
    manifest = _manifest(files, migrations=[["finance", "9999_from_the_future"]])
    path = _archive_with(tmp_path, manifest, files)
    with pytest.raises(BackupError, match="更新版本的程序.*finance.9999_from_the_future"):
        backup_restore(archive=path, force=True)


@pytest.mark.django_db
def test_no_backup_inside_a_transaction(tmp_path):
    with pytest.raises(BackupError, match="不能在数据库事务之中备份"):
        backup_create(directory=tmp_path)


@pytest.mark.django_db
def test_a_database_that_holds_data_is_not_overwritten_without_force(tmp_path):
    files = {_db_member(): b"database bytes"}
    path = _archive_with(tmp_path, _manifest(files), files)
    with pytest.raises(BackupError, match="目标不是空的") as refused:
        backup_restore(archive=path)
    assert "--force" in str(refused.value.message)


def test_force_restores_over_data_and_sets_the_old_uploads_aside(committed_demo, tmp_path, settings):
    """On SQLite in a process of its own (the test database lives in memory): `--force` replaces a
    place that holds data and keeps the old upload folder under another name."""
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL replacement is exercised by the drill's scratch database")
    result = backup_create(directory=tmp_path / "backups")
    var = tmp_path / "occupied"
    env = {**os.environ, "GONGZHI_VAR_DIR": str(var), "GONGZHI_SECRET_KEY": "x" * 60}
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*GONGZHI, *args], env=env, capture_output=True, text=True, timeout=300)

    var.mkdir()
    with sqlite3.connect(var / "gongzhi.sqlite3") as db:
        db.execute("CREATE TABLE leftover (x)")
        db.execute("INSERT INTO leftover VALUES (1)")
    (var / "media").mkdir()
    (var / "media" / "old.txt").write_text("old")
    refused = run("restore", str(result.archive))
    assert refused.returncode != 0 and "目标不是空的" in refused.stderr
    forced = run("restore", "--force", str(result.archive))
    assert forced.returncode == 0, forced.stderr
    with sqlite3.connect(var / "gongzhi.sqlite3") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "leftover" not in tables and "registry_street" in tables
    assert _tree(var / "media") == _tree(Path(settings.MEDIA_ROOT))
    aside = [p for p in var.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(aside) == 1 and (aside[0] / "old.txt").read_text() == "old"
