"""The background import's bar covers both phases (issue 16): checking the rows fills its first half
("正在检查……"), writing the records — inside the same one transaction — its second ("正在写入……"),
so it no longer stands at 100 % while the import still writes."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gongzhi.jobs import selectors
from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst
from gongzhi.registry import models as r
from gongzhi.registry.importers import import_start

UNITS = 2_500  # more than one write batch (1,000)


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


def workbook() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民区")
    sheet.append(["居民区名称", "办公地址"])
    sheet.append(["进度居民区", "进度路1号"])
    sheet = book.create_sheet("小区")
    sheet.append(["居民区", "小区名称", "地址", "建成年份"])
    sheet.append(["进度居民区", "进度小区", "进度路1弄", 1995])
    sheet = book.create_sheet("房屋")
    sheet.append(["居民区", "小区", "楼号", "层数", "室号", "专有部分面积（m²）"])
    for i in range(UNITS):
        b, u = divmod(i, 100)
        sheet.append(["进度居民区", "进度小区", f"{b + 1}号", 30, f"{u // 4 + 1}{u % 4 + 1:02d}", 60])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_bar_runs_through_checking_then_writing(world, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)  # every step reaches the page
    seen: list[tuple[str, int, int, int]] = []
    real = jobs.JobContext.progress

    def progress(self, done, total, *, force=False):
        real(self, done, total, force=force)
        view = selectors.job_view(Job.objects.get(pk=self.pk))  # what the polled fragment shows now
        seen.append((view["phase_title"], view["done"], view["total"], view["percent"]))

    monkeypatch.setattr(jobs.JobContext, "progress", progress)
    upload = SimpleUploadedFile("进度.xlsx", workbook())
    job = import_start(actor=world.user("admin"), street_id=world.street.pk, upload=upload)
    before = r.Unit.objects.count()
    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["written"], job.result
    assert r.Unit.objects.count() == before + UNITS

    checking = [s for s in seen if s[0] == "正在检查……"]
    writing = [s for s in seen if s[0] == "正在写入……"]
    assert checking and writing and seen.index(writing[0]) > seen.index(checking[-1])  # check, then write
    rows = UNITS + 2
    assert checking[-1][1:3] == (rows, rows) and all(p <= 50 for *_x, p in checking)
    assert checking[-1][3] == 50  # checked everything: half the bar
    records = UNITS + 1 + 1 + UNITS // 100  # units, the area, the estate, the buildings
    assert writing[0][1:] == (0, records, 50)
    assert writing[-1][1:] == (records, records, 100)
    percents = [p for *_x, p in writing]
    assert percents == sorted(percents) and len(set(percents)) >= 3  # the units go in batches
    html = selectors.job_view(job)
    assert html["percent"] == 100 and html["phase_title"] == ""  # done: the report, not a phase
