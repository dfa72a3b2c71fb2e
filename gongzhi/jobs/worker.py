"""The worker process (``gongzhi worker``): the schedule's tick, then due jobs one at a time.

A thread beats every few seconds (``WorkerBeat``) so ``gongzhi doctor`` can tell a live worker from a
dead one (``probe``), and so jobs left running by a dead worker are queued again. SIGTERM/SIGINT stop
the loop after the current job. ``--once`` (burst) runs what is due and exits: the tests and a cron
fallback use it; nothing sleeps there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.jobs import services
from gongzhi.jobs.models import Job, JobStatus, WorkerBeat

log = logging.getLogger("gongzhi.jobs")

BEAT_SECONDS = 5.0
POLL_SECONDS = 1.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(self, *, name: str | None = None, poll: float = POLL_SECONDS, parent_pid: int | None = None):
        self.name = name or worker_name()
        self.poll = poll
        self.parent_pid = parent_pid
        self.started_at = timezone.now()
        self.done = 0
        self.stopping = threading.Event()

    # -- one pass: the schedule, recovery, then every due job
    def burst(self, *, max_jobs: int | None = None) -> int:
        """Run what is due now and return the number of jobs run."""
        services.schedule_tick()
        services.jobs_recover_stale()
        ran = 0
        while not self.stopping.is_set() and (max_jobs is None or ran < max_jobs):
            job = services.job_claim(worker=self.name)
            if job is None:
                break
            services.job_run(job)
            ran += 1
            self.done += 1
        return ran

    def _beat_loop(self) -> None:
        while not self.stopping.wait(BEAT_SECONDS):
            if self.parent_pid is not None and os.getppid() != self.parent_pid:
                log.info("worker %s: the server it was started with has stopped", self.name)
                self.stopping.set()  # the main loop stops after the current job
                break
            try:
                services.worker_beat(name=self.name, started_at=self.started_at, jobs_done=self.done)
            except DatabaseError:  # SQLite busy with a long import's transaction: beat next time
                log.debug("worker beat skipped", exc_info=True)
            finally:
                close_old_connections()
        connection.close()

    def run_forever(self) -> None:
        services.worker_beat(name=self.name, started_at=self.started_at)
        beat = threading.Thread(target=self._beat_loop, name="worker-beat", daemon=True)
        beat.start()
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    ran = self.burst()
                except DatabaseError:
                    log.exception("worker %s: database error, trying again", self.name)
                    ran = 0
                if not ran:
                    self.stopping.wait(self.poll)
        finally:
            self.stopping.set()
            with contextlib.suppress(DatabaseError):
                services.worker_gone(name=self.name)

    def install_signal_handlers(self) -> None:
        def stop(signum, frame):
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)


def run_burst(*, max_jobs: int | None = None) -> int:
    """Run what is due now in this process (tests, ``gongzhi worker --once``)."""
    return Worker().burst(max_jobs=max_jobs)


def probe(now: dt.datetime | None = None) -> tuple[bool, int | None, str]:
    """For ``gongzhi doctor`` (settings.GONGZHI_WORKER_PROBE): (alive, queue depth, detail)."""
    now = now or timezone.now()
    live = list(
        WorkerBeat.objects.filter(seen_at__gte=now - dt.timedelta(seconds=services.STALE_BEAT_SECONDS))
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
    )
    depth = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).count()
    failed = Job.objects.filter(status=JobStatus.FAILED, finished_at__gte=now - dt.timedelta(days=1)).count()
    parts = []
    if live:
        parts.append(_("%(n)d 个后台进程在运行") % {"n": len(live)})
    else:
        parts.append(_("没有运行中的后台进程：请启动 gongzhi worker"))
    if failed:
        parts.append(_("近 24 小时失败 %(n)d 项") % {"n": failed})
    return bool(live), depth, "；".join(parts)
