"""Permission-matrix cases for the job pages (used by tests/test_permission_matrix.py). By hand:

- "My jobs" (/jobs/) lists the logged-in user's own jobs: 200 for every persona.
- A job's page, its polled status and its file are its owner's only (here the street admin's):
  everyone else gets 404, the answer for "no such job". The file of an unfinished job: 404 for all.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)


def cases(world):
    from gongzhi.jobs.models import Job, JobStatus
    from gongzhi.jobs.services import job_enqueue, result_dir

    admin = world.user("admin")
    queued = job_enqueue(task="jobs.prune", user=admin)
    done = Job.objects.create(
        task="disclosure.books_zip",
        user=admin,
        status=JobStatus.DONE,
        run_after=timezone.now(),
        finished_at=timezone.now(),
        result={"file": "books.zip", "filename": "公示本.zip", "count": 0},
    )
    (result_dir(done.pk) / "books.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    owner_only = {p: (200 if p == "admin" else 404) for p in EVERYONE}
    yield "jobs:index", reverse("jobs:index"), "get", {p: 200 for p in EVERYONE}
    for job in (queued, done):
        yield "jobs:detail", reverse("jobs:detail", args=[job.pk]), "get", owner_only
        yield "jobs:status", reverse("jobs:status", args=[job.pk]), "get", owner_only
    yield "jobs:download", reverse("jobs:download", args=[done.pk]), "get", owner_only
    yield "jobs:download", reverse("jobs:download", args=[queued.pk]), "get", {p: 404 for p in EVERYONE}
    yield "jobs:detail", reverse("jobs:detail", args=[999999]), "get", {p: 404 for p in EVERYONE}
