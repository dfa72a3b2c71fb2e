"""The worker as the operator runs it: real ``gongzhi worker --once`` processes, two at the same time,
on this test's database (SQLite: a file copy of it, made with SQLite's backup API; PostgreSQL: the test
database itself). Each scheduled run due now is run once, by one of them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.jobs import registry

GONGZHI = [sys.executable, "-m", "gongzhi.cli"]


def _environment(tmp_path) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGZHI_VAR_DIR": str(tmp_path / "var"),
        "GONGZHI_JOBS_DIR": str(tmp_path / "var" / "jobs"),
        "GONGZHI_SECRET_KEY": "worker-test-" + "k" * 50,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
    }
    env.pop("DATABASE_URL", None)
    (tmp_path / "var").mkdir()
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST'] or '127.0.0.1'}:"
            f"{params['PORT'] or 5432}/{params['NAME']}"
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(tmp_path / "var" / "gongzhi.sqlite3") as target:
            connection.connection.backup(target)
    return env


def _jobs(tmp_path) -> list[tuple[str, str, str, int]]:
    """(task, key, status, attempts) of every job, read where the workers wrote them."""
    query = "SELECT task, key, status, attempts FROM jobs_job ORDER BY id"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(query)
            return list(cursor.fetchall())
    with sqlite3.connect(tmp_path / "var" / "gongzhi.sqlite3") as db:
        return list(db.execute(query).fetchall())


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_each_scheduled_job_once(tmp_path):
    env = _environment(tmp_path)
    now = timezone.localtime()
    due_daily = {
        s.task for s in registry.schedule() if s.when.period(now) is not None and hasattr(s.when, "at")
    }
    workers = [
        subprocess.Popen(  # noqa: S603 (our own command)
            [*GONGZHI, "worker", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "已处理" in out
    again = subprocess.run(
        [*GONGZHI, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300
    )  # noqa: S603
    assert again.returncode == 0, again.stderr
    jobs = _jobs(tmp_path)
    assert jobs, "the schedule enqueued nothing"
    assert all(status == "done" and attempts == 1 for _task, _key, status, attempts in jobs), jobs
    ran = sum(int("".join(ch for ch in out if ch.isdigit()) or 0) for out, _err in outputs)
    ran += int("".join(ch for ch in again.stdout if ch.isdigit()) or 0)
    assert ran == len(jobs)  # every job was run by exactly one of the processes
    for task in due_daily:
        assert [t for t, *_rest in jobs].count(task) == 1, task
