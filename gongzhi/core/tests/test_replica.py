"""Reads through a real PostgreSQL streaming replica (issue 17, docs/SCALING.md).

The test makes the replica itself: ``pg_basebackup -R`` of the test's PostgreSQL server into a fresh
folder, integrated as a second cluster with ``pg_createcluster`` on a free port of 127.0.0.1 and started
with ``pg_ctlcluster``; it is dropped afterwards, even when the test fails. It needs root (to act as the
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

PG_VERSION = "15"
HBA_LINE = "host replication postgres 127.0.0.1/32 trust  # gongzhi test_replica"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's"),
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("pg_createcluster"),
        reason="needs root and Debian's postgresql-common",
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _primary_hba() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        return Path(cursor.fetchone()[0])


def _reload_primary() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_reload_conf()")


@pytest.fixture
def streaming_replica(transactional_db):
    """A started hot standby of the test server; yields its port. Removed afterwards whatever happens."""
    settings = connections["default"].settings_dict
    if settings.get("HOST") not in {"127.0.0.1", "localhost"}:
        pytest.skip("the primary must be the PostgreSQL server on this machine")
    name = f"gongzhi_replica_{os.getpid()}"
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-replica-"))
    data = folder / "data"
    hba = _primary_hba()
    added_hba = HBA_LINE not in hba.read_text() and "\nhost replication" not in hba.read_text()
    created = False
    try:
        if added_hba:
            with hba.open("a") as handle:
                handle.write(HBA_LINE + "\n")
            _reload_primary()
        shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
        _as_postgres(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(settings.get("PORT") or 5432), "-U",
            settings.get("USER") or "postgres", "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        # pg_createcluster integrates an existing data folder; it wants the configuration files there.
        (data / "postgresql.conf").write_text(
            f"listen_addresses = '127.0.0.1'\nport = {port}\nhot_standby = on\n"
            "unix_socket_directories = '/var/run/postgresql'\n"
        )
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        for conf in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            shutil.chown(data / conf, "postgres", "postgres")
        _as_postgres("pg_createcluster", PG_VERSION, name, "-d", str(data), "-p", str(port))
        created = True
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, name, "start"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        yield port
    finally:
        if created:
            subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, name], capture_output=True, timeout=60)
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
