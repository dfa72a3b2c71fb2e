"""Reads through a real PostgreSQL streaming replica (issue 17, docs/SCALING.md).

The test makes the replica itself: ``pg_basebackup -R`` of the test's PostgreSQL server into a fresh
folder, started with the server's own ``pg_ctl`` on a free port of 127.0.0.1 (its log is shown if it does
not start); it is stopped and removed afterwards, even when the test fails. It needs root (to act as the
``postgres`` OS user) and the server on 127.0.0.1 as the primary; elsewhere it is skipped, and it is
not run on SQLite at all. A replication line for 127.0.0.1 is added to the primary's pg_hba.conf for
the test's length if none is there.

What it shows: a public page is read from the replica (with the replica's replay paused, it shows the
replica's older data), a reader who has just written reads the primary, and once the replica has
replayed, every reader sees the change.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse

from gongzhi.core import dbrouter
from gongzhi.registry import services

HBA_LINE = "host replication postgres 127.0.0.1/32 trust  # gongzhi test_replica"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's"),
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("runuser"),
        reason="needs root (to act as the postgres OS user)",
    ),
]


def _as_postgres(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _primary_hba() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        return Path(cursor.fetchone()[0])


def _reload_primary() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_reload_conf()")


def _free_port() -> int:
    """A port below Linux's ephemeral range (32768…), so that no client connection's local port takes it
    between this check and the standby's bind."""
    for port in range(24000 + os.getpid() % 4000, 32000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port for the standby below 32000")


def _server_bin(program: str) -> str:
    """The PostgreSQL program of the test server's own major version (Debian keeps each under
    /usr/lib/postgresql/<major>/bin)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    return f"/usr/lib/postgresql/{major}/bin/{program}"


def _hot_standby_settings() -> str:
    """The primary's values of the settings a hot standby must not have lower (PostgreSQL 15, §27.4.5):
    with any of them lower, recovery pauses and the standby never accepts connections."""
    names = (
        "max_connections", "max_prepared_transactions", "max_locks_per_transaction",
        "max_wal_senders", "max_worker_processes",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(names)])
        return "".join(f"{name} = {setting}\n" for name, setting in cursor.fetchall())


@pytest.fixture
def streaming_replica(transactional_db):
    """A started hot standby of the test server; yields its port. Removed afterwards whatever happens."""
    settings = connections["default"].settings_dict
    if settings.get("HOST") not in {"127.0.0.1", "localhost"}:
        pytest.skip("the primary must be the PostgreSQL server on this machine")
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-replica-"))
    data = folder / "data"
    log = folder / "standby.log"
    pg_ctl = _server_bin("pg_ctl")
    hba = _primary_hba()
    added_hba = HBA_LINE not in hba.read_text() and "\nhost replication" not in hba.read_text()
    started = False
    try:
        if added_hba:
            with hba.open("a") as handle:
                handle.write(HBA_LINE + "\n")
            _reload_primary()
        shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
        _as_postgres(
            _server_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(settings.get("PORT") or 5432), "-U",
            settings.get("USER") or "postgres", "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast",
            timeout=240,
        )  # fmt: skip
        # The data folder of a Debian cluster holds no configuration files; the standby gets its own.
        (data / "postgresql.conf").write_text(
            f"listen_addresses = '127.0.0.1'\nport = {port}\nhot_standby = on\n"
            f"unix_socket_directories = '{folder}'\n" + _hot_standby_settings()
        )
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        for conf in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            shutil.chown(data / conf, "postgres", "postgres")
        started = True
        try:
            _as_postgres(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "240", "start", timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            server_log = log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"
            raise AssertionError(
                f"the standby did not start: {error}\n--- its log ---\n{server_log}"
            ) from error
        yield port
    finally:
        if started:
            subprocess.run(
                ["runuser", "-u", "postgres", "--", pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True, timeout=120,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        if added_hba:
            hba.write_text("".join(line for line in hba.read_text().splitlines(True) if HBA_LINE not in line))
            _reload_primary()


@pytest.fixture
def replica_alias(streaming_replica):
    """The ``replica`` alias pointing at the standby, as settings.py makes it from
    GONGZHI_REPLICA_DATABASE_URL."""
    settings = dict(connections.settings["default"])
    settings.update(PORT=streaming_replica, HOST="127.0.0.1", CONN_MAX_AGE=None)
    connections.settings[dbrouter.REPLICA] = settings
    replica = connections[dbrouter.REPLICA]
    # Connect now: pytest-django's test case refuses to open a connection to an alias it was not told of
    # when the test started (the alias did not exist then), but lets an open one be used.
    replica.connect()
    yield replica
    connections[dbrouter.REPLICA].close()
    delattr(connections._connections, dbrouter.REPLICA)
    del connections.settings[dbrouter.REPLICA]


def _primary_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def _replica_sql(replica, sql: str, params=()) -> object:
    with replica.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _wait_for_replay(replica, timeout: float = 20) -> None:
    target = _primary_lsn()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _replica_sql(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")


def _board(client, estate, **cookies) -> str:
    """The estate's public board, rendered afresh (the page cache is emptied first)."""
    cache.clear()
    client.cookies.clear()
    for key, value in cookies.items():
        client.cookies[key] = value
    response = client.get(reverse("board:estate", args=[estate.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_public_page_is_read_from_the_streaming_replica(client, world, replica_alias):
    replica = replica_alias
    assert _replica_sql(replica, "SELECT pg_is_in_recovery()") is True
    estate = world.estate_a1
    _wait_for_replay(replica)
    assert estate.name in _board(client, estate)

    # Hold the replica where it is, then rename the estate on the primary.
    _replica_sql(replica, "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 10
    while _replica_sql(replica, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica did not pause"
        time.sleep(0.05)
    old_name = estate.name
    services.record_update(actor=world.user("admin"), obj=estate, data={"name": "甲一新村"})

    # An anonymous reader gets the replica's page: still the old name, although the primary has the new.
    page = _board(client, estate)
    assert old_name in page and "甲一新村" not in page
    # A reader who has just written (the pin cookie of core/dbrouter.py) reads the primary.
    pinned = _board(client, estate, **{dbrouter.PIN_COOKIE: str(int(time.time()) + 10)})
    assert "甲一新村" in pinned

    # Once the replica replays, everyone sees the change (the page's change mark moved with it).
    _replica_sql(replica, "SELECT pg_wal_replay_resume()::text")
    _wait_for_replay(replica)
    assert "甲一新村" in _board(client, estate)
