"""The queue on the database in use (SQLite and PostgreSQL): lifecycle, retries with backoff, idempotent
enqueue, the schedule once per period with two workers, recovery, the doctor's probe, the job pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import UserError
from gongzhi.core.models import Notification
from gongzhi.jobs import registry, services
from gongzhi.jobs.models import Job, JobStatus, WorkerBeat
from gongzhi.jobs.registry import Task
from gongzhi.jobs.worker import Worker, probe, run_burst

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[dict] = []


def _counting(job, *, n: int = 3) -> dict:
    for i in range(1, n + 1):
        job.progress(i, n, force=True)
    CALLS.append({"job": job.pk, "n": n})
    return {"sum": n * (n + 1) // 2}


def _flaky(job) -> dict:
    CALLS.append({"job": job.pk})
    raise ConnectionError("gateway down")


def _refused(job) -> None:
    raise UserError("文件不是有效的 Excel。")


@pytest.fixture(autouse=True)
def _test_tasks(monkeypatch, settings, tmp_path):
    settings.GONGZHI_JOBS_DIR = tmp_path / "jobs"
    CALLS.clear()
    table = registry.tasks()
    monkeypatch.setitem(table, "test.count", Task("test.count", _counting, "计数", max_attempts=3))
    monkeypatch.setitem(table, "test.flaky", Task("test.flaky", _flaky, "不稳定", max_attempts=3))
    monkeypatch.setitem(table, "test.refused", Task("test.refused", _refused, "被拒", max_attempts=3))


@pytest.fixture
def no_schedule(monkeypatch):
    # The lifecycle tests run only their own job, not the platform's timetable.
    monkeypatch.setattr(services.registry, "schedule", lambda: ())


def test_a_job_runs_once_records_its_result_and_tells_its_owner(world, no_schedule):
    admin = world.user("admin")
    job = services.job_enqueue(task="test.count", args={"n": 4}, user=admin)
    assert job.status == JobStatus.QUEUED and job.attempts == 0 and job.finished_at is None
    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"sum": 10}
    assert (job.attempts, job.progress_done, job.progress_total, job.percent) == (1, 4, 4, 100)
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert [{"job": job.pk, "n": 4}] == CALLS
    assert run_burst() == 0  # done is done: nothing runs again
    note = Notification.objects.get(user=admin)
    assert note.text == "后台任务已完成：计数。" and note.url == reverse("jobs:detail", args=[job.pk])


def test_a_failing_job_is_retried_with_backoff_then_fails_with_its_error(world, no_schedule):
    start = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        job = services.job_enqueue(task="test.flaky", user=world.user("admin"))
        assert run_burst() == 1
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
        assert job.run_after == start + dt.timedelta(seconds=30)
        assert "gateway down" in job.error
        assert run_burst() == 0  # not due yet
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert run_burst() == 1
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.QUEUED, 2)
        assert job.run_after == start + dt.timedelta(seconds=30 + 60)
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        assert run_burst() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert "ConnectionError: gateway down" in job.error
    assert len(CALLS) == 3
    assert Notification.objects.get(user=world.user("admin")).urgent


def test_a_user_error_fails_at_once_without_retrying(world, no_schedule):
    job = services.job_enqueue(task="test.refused", user=world.user("admin"))
    run_burst()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 1, "文件不是有效的 Excel。")


def test_enqueue_with_a_key_is_idempotent(world, no_schedule):
    first = services.job_enqueue(task="test.count", key="import:abc")
    again = services.job_enqueue(task="test.count", key="import:abc")
    assert first.pk == again.pk
    assert Job.objects.filter(key="import:abc").count() == 1
    with pytest.raises(ValueError):
        services.job_enqueue(task="no.such.task")


def test_a_claimed_job_cannot_be_claimed_by_a_second_worker(world, no_schedule):
    services.job_enqueue(task="test.count")
    first = services.job_claim(worker="a")
    assert first is not None and first.worker == "a" and first.status == JobStatus.RUNNING
    assert services.job_claim(worker="b") is None


def test_the_schedule_runs_each_daily_job_once_per_day_even_with_two_workers(world):
    noon = dt.datetime(2026, 12, 6, 12, 0, tzinfo=SHANGHAI)
    daily = {"problems.escalate_overdue", "finance.finance_check", "evaluation.evaluation_recompute"}
    assert daily <= {s.task for s in registry.schedule()}
    with time_machine.travel(noon, tick=False):
        one, two = Worker(name="host:1"), Worker(name="host:2")
        ran = one.burst() + two.burst() + one.burst()
    runs = Job.objects.filter(key__startswith="sched:")
    for name in [*daily, "voting.voting_close_due"]:
        assert runs.filter(task=name).count() == 1, name
        assert runs.get(task=name).status == JobStatus.DONE, runs.get(task=name).error
    assert ran == runs.count()
    assert runs.get(task="problems.escalate_overdue").key == "sched:problems.escalate_overdue:2026-12-06"
    # The next night, before its time, escalate_overdue (00:30) has not run again; after it, once more.
    with time_machine.travel(noon + dt.timedelta(hours=12, minutes=20), tick=False):  # 00:20 on 7 December
        Worker(name="host:1").burst()
    assert runs.filter(task="problems.escalate_overdue").count() == 1
    with time_machine.travel(noon + dt.timedelta(hours=12, minutes=31), tick=False):  # 00:31
        Worker(name="host:2").burst()
        Worker(name="host:1").burst()
    assert runs.filter(task="problems.escalate_overdue").count() == 2


def test_a_job_left_running_by_a_dead_worker_is_queued_again(world, no_schedule):
    start = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        services.job_enqueue(task="test.count")
        services.worker_beat(name="dead:1", started_at=start)
        job = services.job_claim(worker="dead:1")
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert services.jobs_recover_stale() == 0  # its worker beat half a minute ago: still alive
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert services.jobs_recover_stale() == 1
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED
        assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2


def test_the_doctor_probe_tells_a_live_worker_and_the_queue_depth(world, no_schedule, settings):
    from gongzhi.core import doctor

    settings.GONGZHI_WORKER_PROBE = "gongzhi.jobs.worker.probe"
    services.job_enqueue(task="test.count")
    services.job_enqueue(task="test.count")
    alive, depth, detail = probe()
    assert (alive, depth) == (False, 2) and "gongzhi worker" in detail
    assert doctor.check_worker().status == doctor.FAIL
    services.worker_beat(name="host:9", started_at=timezone.now())
    alive, depth, detail = probe()
    assert (alive, depth) == (True, 2) and "1 个后台进程在运行" in detail
    check = doctor.check_worker()
    assert check.status == doctor.OK and "队列中 2 项" in check.detail
    WorkerBeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=2))
    assert probe()[0] is False


def test_a_job_page_is_its_owners_only(client, world, no_schedule):
    job = services.job_enqueue(task="test.count", args={"n": 2}, user=world.user("admin"))
    for persona in ("leader", "secretary_a", "outsider"):
        client.force_login(world.user(persona))
        for name in ("jobs:detail", "jobs:status", "jobs:download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (persona, name)
    client.force_login(world.user("admin"))
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'hx-get="/jobs/{job.pk}/status/"' in page and "排队中" in page
    run_burst()
    fragment = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert 'data-status="done"' in fragment and "hx-get" not in fragment  # finished: polling stops
    assert "已完成" in fragment


def test_the_fragment_shows_live_progress_from_the_running_job(client, world, no_schedule):
    job = services.job_enqueue(task="test.count", user=world.user("admin"))
    claimed = services.job_claim(worker="w")
    services.JobContext(claimed).progress(1234, 40000, force=True)
    client.force_login(world.user("admin"))
    fragment = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert 'data-progress="1234/40000"' in fragment
    assert "已完成 1,234 / 40,000（3%）" in fragment
    assert 'value="3"' in fragment


def test_my_jobs_list_is_bounded_in_queries(client, world, no_schedule, django_assert_max_num_queries):
    for _i in range(5):
        services.job_enqueue(task="test.count", user=world.user("admin"))
    client.force_login(world.user("admin"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("jobs:index"))
    assert page.status_code == 200 and page.content.decode().count("计数") == 5
