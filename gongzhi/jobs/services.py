"""Writes of the queue: enqueue, claim, finish, the schedule's tick, recovery and pruning.

Claiming is safe with several workers on both databases: PostgreSQL skips rows another worker has
locked (``SELECT … FOR UPDATE SKIP LOCKED``); SQLite runs every write transaction as ``BEGIN IMMEDIATE``
(settings.py), so claims are serialised; on both, the claim is a conditional update (``status =
queued``) that only one worker can win. A scheduled run's key is unique in the table, so two workers
that both see a period due insert one job between them (``schedule_tick``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import traceback
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.errors import UserError
from gongzhi.core.keyed import Keyed
from gongzhi.core.notify import notify
from gongzhi.jobs import registry
from gongzhi.jobs.models import Job, JobStatus, WorkerBeat
from gongzhi.jobs.rules import backoff_seconds, schedule_key

log = logging.getLogger("gongzhi.jobs")

STALE_BEAT_SECONDS = 60  # a worker silent this long is gone (it beats every few seconds)
PROGRESS_EVERY_SECONDS = 0.25
KEEP_SCHEDULED_DAYS = 7
KEEP_USER_JOBS_DAYS = 30


class JobError(UserError):
    pass


def jobs_dir() -> Path:
    folder = Path(getattr(settings, "GONGZHI_JOBS_DIR", None) or Path(settings.VAR_DIR) / "jobs")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def progress_path(job_id: int) -> Path:
    return jobs_dir() / "progress" / f"{job_id}.json"


def result_dir(job_id: int) -> Path:
    """Files a job produces (a zip of books): served to the job's owner only (views.download)."""
    folder = jobs_dir() / "results" / str(job_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


class JobContext:
    """What a running task sees of its job. ``progress`` goes to a small file, not the database: a task
    such as the registry import does its work in ONE transaction, whose writes (progress included) no
    other connection would see before the commit; on SQLite that transaction holds the write lock
    besides. The job's page reads the file while the job runs (web and worker share ``GONGZHI_VAR_DIR``)."""

    def __init__(self, job: Job):
        self.job = job
        self.pk = job.pk
        self.user_id = job.user_id
        self._last = 0.0
        self._phase = ""

    def phase(self, name: str) -> None:
        """The task enters one of its declared phases (registry ``phases``: e.g. the import's "check" then
        "write"); the next ``progress`` counts within it, and the bar shows it as its share of the whole."""
        self._phase = name
        self._last = 0.0  # the new phase is shown at once

    @property
    def user(self):
        return self.job.user

    def progress(self, done: int, total: int, *, force: bool = False) -> None:
        now = timezone.now().timestamp()
        if not force and now - self._last < PROGRESS_EVERY_SECONDS and done < total:
            return
        self._last = now
        path = progress_path(self.pk)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps({"done": int(done), "total": int(total), "phase": self._phase}))
        partial.replace(path)  # atomic: the page reads the whole file or the previous one


def read_progress(job: Job) -> tuple[int, int]:
    """(done, total) of a job: the live file while it runs, else what the row recorded."""
    done, total, _phase = read_progress_phase(job)
    return done, total


def read_progress_phase(job: Job) -> tuple[int, int, str]:
    """(done, total, phase) of a job; the phase is known only while it runs ("" otherwise)."""
    if job.status == JobStatus.RUNNING:
        try:
            data = json.loads(progress_path(job.pk).read_text())
            return int(data["done"]), int(data["total"]), str(data.get("phase") or "")
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.progress_done, job.progress_total, ""


# ---- enqueue ---------------------------------------------------------------------------------------


@transaction.atomic
def job_enqueue(
    *,
    task: str,
    args: dict[str, Any] | None = None,
    user=None,
    key: str | None = None,
    max_attempts: int | None = None,
    run_after: dt.datetime | None = None,
) -> Job:
    """Put a task on the queue (in the caller's transaction: a job of a rolled-back request never runs).
    With ``key``, a second call returns the first job instead of a new one (idempotent enqueue)."""
    found = registry.task(task)
    if found is None:
        raise ValueError(f"unknown task {task!r}")
    if key is not None and (existing := Job.objects.filter(key=key).first()) is not None:
        return existing
    job = Job(
        task=task,
        args=args or {},
        user=user,
        key=key,
        max_attempts=max_attempts or found.max_attempts,
        run_after=run_after or timezone.now(),
    )
    try:
        with (
            transaction.atomic()
        ):  # a savepoint: a lost race on the key leaves the caller's transaction usable
            job.save()
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)
    return job


def schedule_tick(*, now: dt.datetime | None = None) -> list[Job]:
    """Enqueue every scheduled task whose current period has no job yet; returns the new jobs."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    created = []
    for entry in registry.schedule():
        period = entry.when.period(local)
        if period is None:
            continue
        key = schedule_key(entry.task, period)
        if Job.objects.filter(key=key).exists():
            continue
        job = job_enqueue(task=entry.task, key=key, run_after=now)
        if job.created_at >= now - dt.timedelta(seconds=5) and job.status == JobStatus.QUEUED:
            created.append(job)
    return created


# ---- claim, run, finish ------------------------------------------------------------------------------


def job_claim(*, worker: str, now: dt.datetime | None = None) -> Job | None:
    """The oldest due job, now marked running by ``worker``; None when nothing is due."""
    now = now or timezone.now()
    for _attempt in range(5):  # a lost race (another worker won the same row): look again
        with transaction.atomic():
            due = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).order_by("run_after", "id")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            candidate = due.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            won = Job.objects.filter(pk=candidate, status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING,
                worker=worker,
                started_at=now,
                attempts=F("attempts") + 1,
            )
        if won:
            return Job.objects.select_related("user").get(pk=candidate)
    return None


def job_run(job: Job, *, now=None) -> Job:
    """Run a claimed job's task and record the outcome: done with its result; a ``UserError`` fails at
    once (the input is at fault, trying again changes nothing); any other error is tried again after
    ``rules.backoff_seconds`` until ``max_attempts``, then fails with the error."""
    task = registry.task(job.task)
    context = JobContext(job)
    if task is None:
        return _finish(job, status=JobStatus.FAILED, error=_("未知的任务“%(task)s”。") % {"task": job.task})
    try:
        result = task.run(context, **job.args)
    except UserError as error:
        return _finish(job, status=JobStatus.FAILED, error=error.message)
    except Exception as error:
        log.exception(
            "job %s (%s) failed, attempt %d of %d", job.pk, job.task, job.attempts, job.max_attempts
        )
        text = "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]
        if job.attempts < job.max_attempts:
            return _retry(job, error=text, now=now)
        return _finish(job, status=JobStatus.FAILED, error=text)
    return _finish(job, status=JobStatus.DONE, result=result)


def _retry(job: Job, *, error: str, now=None) -> Job:
    now = now or timezone.now()
    job.status = JobStatus.QUEUED
    job.error = error
    job.run_after = now + dt.timedelta(seconds=backoff_seconds(job.attempts))
    job.save(update_fields=["status", "error", "run_after"])
    return job


@transaction.atomic
def _finish(job: Job, *, status: str, result: Any = None, error: str = "") -> Job:
    done, total = read_progress(job)
    job.status = status
    job.result = result
    job.error = error
    job.finished_at = timezone.now()
    if status == JobStatus.DONE and total:
        done = total
    job.progress_done, job.progress_total = min(done, total) if total else 0, total
    job.save(update_fields=["status", "result", "error", "finished_at", "progress_done", "progress_total"])
    progress_path(job.pk).unlink(missing_ok=True)
    if job.user_id is not None:
        title = registry.title(job.task)
        if status == JobStatus.DONE:
            text = Keyed(gettext_noop("后台任务已完成：%(title)s。"), {"title": str(title)})
        else:
            text = Keyed(
                gettext_noop("后台任务失败：%(title)s（%(error)s）"),
                {"title": str(title), "error": error[:150]},
            )
        notify([job.user], text, url=reverse("jobs:detail", args=[job.pk]), urgent=status != JobStatus.DONE)
    return job


# ---- the workers' upkeep -----------------------------------------------------------------------------


def worker_beat(*, name: str, started_at: dt.datetime, jobs_done: int = 0) -> None:
    WorkerBeat.objects.update_or_create(
        name=name, defaults={"started_at": started_at, "seen_at": timezone.now(), "jobs_done": jobs_done}
    )


def worker_gone(*, name: str) -> None:
    WorkerBeat.objects.filter(name=name).delete()


def jobs_recover_stale(*, now: dt.datetime | None = None) -> int:
    """Jobs left running by a worker that stopped beating (killed, machine restarted): queued again
    (their attempt counts), so the work is not lost; tasks are idempotent."""
    now = now or timezone.now()
    alive = WorkerBeat.objects.filter(
        seen_at__gte=now - dt.timedelta(seconds=STALE_BEAT_SECONDS)
    ).values_list("name", flat=True)
    stale = Job.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=now - dt.timedelta(seconds=STALE_BEAT_SECONDS)
    ).exclude(worker__in=list(alive))
    return stale.update(status=JobStatus.QUEUED, run_after=now, worker="")


def jobs_prune(*, now: dt.datetime | None = None) -> int:
    """Finished scheduled runs older than a week and users' jobs older than a month, with their files."""
    now = now or timezone.now()
    old = Job.objects.filter(status__in=[JobStatus.DONE, JobStatus.FAILED]).filter(
        finished_at__lt=now - dt.timedelta(days=KEEP_SCHEDULED_DAYS), user__isnull=True
    ) | Job.objects.filter(
        status__in=[JobStatus.DONE, JobStatus.FAILED],
        finished_at__lt=now - dt.timedelta(days=KEEP_USER_JOBS_DAYS),
    )
    ids = list(old.values_list("pk", flat=True))
    for pk in ids:
        folder = jobs_dir() / "results" / str(pk)
        if folder.exists():
            for file in folder.iterdir():
                file.unlink(missing_ok=True)
            folder.rmdir()
    Job.objects.filter(pk__in=ids).delete()
    WorkerBeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return len(ids)


@transaction.atomic
def job_start_once(*, task: str, user, args: dict[str, Any] | None = None) -> Job:
    """A person's job: their unfinished job of this task with these arguments if there is one (a second
    click follows the first job), else a new one. The arguments are compared here, not in SQL: JSON
    equality differs between SQLite and PostgreSQL, and a person has few unfinished jobs."""
    unfinished = (
        Job.objects.select_for_update()
        .filter(task=task, user=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-id")
    )
    for running in unfinished:
        if running.args == (args or {}):
            return running
    return job_enqueue(task=task, args=args, user=user)
