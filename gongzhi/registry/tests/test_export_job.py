"""A large registry list export goes to the worker (issue 16): above GONGZHI_EXPORT_DIRECT_MAX_ROWS the
request enqueues a job and sends the person to its page; the workbook there is the direct download's,
cell for cell — the same filters, the same order, and personal data masked exactly as it is directly."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


def cells(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def direct(client, settings, params) -> list[tuple]:
    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1_000_000
    response = client.get(reverse("registry:export", args=["units"]), params)
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


@pytest.mark.parametrize("persona", ["staff_x", "oc_a1", "admin"])
def test_a_large_units_export_is_a_job_with_the_direct_exports_cells(as_user, world, settings, persona):
    client = as_user(persona)
    params = {"estate": world.estate_a1.pk, "o": "-number"}
    expected = direct(client, settings, params)
    assert len(expected) >= 3  # the header and the A1 units

    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1
    response = client.get(reverse("registry:export", args=["units"]), params)
    job = Job.objects.get(task="registry.export", user=world.user(persona))
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert client.get(reverse("registry:export", args=["units"]), params)["Location"] == response["Location"]

    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    rows = len(expected) - 1
    assert job.result["rows"] == rows and (job.progress_done, job.progress_total) == (rows, rows)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f"已导出 {rows} 行" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert cells(b"".join(download.streaming_content)) == expected

    owner = world.unit_a1.owner.name
    flat = " ".join(str(c) for row in expected for c in row)
    if persona == "staff_x":  # a company's staff never sees an owner's name, in the file either
        assert owner not in flat and owner[0] + "*" * (len(owner) - 1) in flat
    else:
        assert owner in flat


def test_the_export_file_is_its_owners_only(as_user, world, settings):
    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1
    as_user("oc_a1").get(reverse("registry:export", args=["units"]))
    run_burst()
    job = Job.objects.get(task="registry.export")
    assert job.status == JobStatus.DONE
    for persona in ("admin", "staff_x", "secretary_a"):
        assert as_user(persona).get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_large_export_in_the_import_templates_columns_is_a_job_too(as_user, world, settings):
    client = as_user("admin")
    params = {"estate": world.estate_a1.pk, "format": "import"}
    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1_000_000
    expected = cells(client.get(reverse("registry:export", args=["units"]), params).content)
    assert len(expected) == 4  # the header and A1's three units

    settings.GONGZHI_EXPORT_DIRECT_MAX_ROWS = 1
    response = client.get(reverse("registry:export", args=["units"]), params)
    job = Job.objects.get(task="registry.export")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    run_burst()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["rows"] == 3, job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert cells(b"".join(download.streaming_content)) == expected
