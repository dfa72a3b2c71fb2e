"""A large problems export goes to the worker (issue 16): the same rows and cells as the direct download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst
from gongzhi.problems.tests.office_helpers import accept, report


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


def cells(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_a_large_problems_export_is_a_job_with_the_direct_exports_cells(as_user, world, categories, settings):
    accept(world, report(world, categories, days_ago=40, description="北门私家车占用消防通道"), days_ago=40)
    report(world, categories, code="ebike", description="3号楼楼道里电动车充电")
    report(
        world,
        categories,
        code="cleaning",
        who="secretary_b",
        estate=world.estate_b1,
        description="垃圾箱房满溢",
    )
    client = as_user("secretary_a")
    expected = cells(client.get(reverse("problems:export"), {"status": "active"}).content)
    assert len(expected) == 3  # the header and A's two problems (B1 is out of scope)

    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1
    response = client.get(reverse("problems:export"), {"status": "active"})
    job = Job.objects.get(task="problems.export")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    run_burst()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["rows"] == 2 and (job.progress_done, job.progress_total) == (2, 2)
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert cells(content) == expected
    assert as_user("admin").get(reverse("jobs:download", args=[job.pk])).status_code == 404
