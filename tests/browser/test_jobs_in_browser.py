"""Background jobs in a real browser against a real server (issue 16, docs/OPERATIONS.md "Background jobs"):

1. The street admin uploads a registry workbook of 12,000 units; the page becomes the job's page, whose
   progress bar (htmx polling of /jobs/<id>/status/) shows rows checked / total while the worker imports,
   then the import report; the inbox has the result.
2. The street admin asks for every disclosure book as one zip; the worker makes the books, the job's
   page offers the download, the zip holds one PDF per estate, and the inbox has the result.

The worker runs in this test's thread (``Worker.burst``); the live server answers the page's polls
meanwhile (the same in-memory test database). Screenshots go to var/screenshots/jobs-*.png for a person to look at.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.models import Notification
from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import Worker
from gongzhi.registry import models as r

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
UNITS = 12_000


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"jobs-{name}.png"), full_page=True)


def workbook(units: int) -> bytes:
    """Two new areas, their estates and ``units`` units (50 a building, 1,000 an estate)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    estates = -(-units // 1000)
    sheet = book.create_sheet("居民区")
    sheet.append(["居民区名称", "办公地址"])
    for a in (1, 2):
        sheet.append([f"导入{a}居民区", f"导入路{a}号"])
    sheet = book.create_sheet("小区")
    sheet.append(["居民区", "小区名称", "地址", "建成年份"])
    for e in range(estates):
        sheet.append([f"导入{e % 2 + 1}居民区", f"导入{e + 1}小区", f"导入路{e + 1}弄", 1990 + e])
    sheet = book.create_sheet("房屋")
    sheet.append(["居民区", "小区", "楼号", "层数", "室号", "专有部分面积(m²)"])
    for i in range(units):
        e, rest = divmod(i, 1000)
        b, u = divmod(rest, 50)
        floor, door = divmod(u, 2)
        sheet.append(
            [f"导入{e % 2 + 1}居民区", f"导入{e + 1}小区", f"{b + 1}号", 25, f"{floor + 1}{door + 1:02d}", 60]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_shows_its_progress_then_the_report_and_lands_in_the_inbox(
    browser, live_server, live_world, tmp_path, monkeypatch
):
    from gongzhi.jobs import registry, services

    monkeypatch.setattr(registry, "schedule", lambda: ())  # only the import, not the daily timetable
    base = live_server.url
    upload = tmp_path / "台账.xlsx"
    upload.write_bytes(workbook(UNITS))
    before = r.Unit.objects.count()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, "admin")
    page.goto(f"{base}/registry/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector('#job-status[data-status="queued"] progress')
    assert "可以离开本页" in page.inner_text("#job-status")
    shot(page, "import-queued")

    # The worker runs here, in the test's thread, as the worker process would. Halfway through the rows the
    # test looks at the page: its next poll of the status fragment shows that very count.
    seen: dict[str, str] = {}
    real_progress = services.JobContext.progress

    def progress(self, done, total, *, force=False):
        halfway = total and not seen and done >= total // 2 and done < total
        real_progress(self, done, total, force=force or bool(halfway))
        if halfway:
            page.wait_for_selector(f'#job-status[data-status="running"] [data-progress="{done}/{total}"]')
            seen["text"] = page.inner_text("#job-status")
            shot(page, "import-progress")

    monkeypatch.setattr(services.JobContext, "progress", progress)
    Worker(name="browser-test:1").burst()
    rows = 2 + UNITS // 1000 + UNITS  # the data rows of the three sheets
    assert "已检查" in seen["text"] and f"/ {rows:,} 行" in seen["text"], seen
    page.wait_for_selector('#job-status[data-status="done"]')
    report = page.inner_text("#report")
    assert "导入完成" in report and f"房屋：新增 {UNITS}" in report.replace(",", ""), report
    shot(page, "import-done")
    assert r.Unit.objects.count() == before + UNITS

    job = Job.objects.get(task="registry.import")
    assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (
        job.progress_total,
        job.progress_total,
    )
    page.goto(f"{base}/inbox/")
    assert "后台任务已完成：Excel 导入台账。" in page.inner_text("main")
    context.close()


def test_every_disclosure_book_as_one_zip_from_the_inbox(browser, live_server, live_world, monkeypatch):
    from gongzhi.disclosure.permissions import book_estates
    from gongzhi.jobs import registry

    monkeypatch.setattr(registry, "schedule", lambda: ())
    admin = live_world.user("admin")
    estates = book_estates(admin).count()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    login(page, base, "admin")
    page.goto(f"{base}/disclosure/office/")
    page.click("text=打包下载全部公示本（后台生成）")
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector("#job-status progress")
    shot(page, "books-queued")

    Worker(name="browser-test:1").burst()
    # The person left and comes back through the inbox.
    page.goto(f"{base}/inbox/")
    page.click("text=后台任务已完成：打包全部公示本（PDF）。")
    page.wait_for_selector('#job-status[data-status="done"]')
    assert f"已生成 {estates} 本公示本" in page.inner_text("#books-zip")
    shot(page, "books-done")
    with page.expect_download() as download:
        page.click("[data-download]")
    path = download.value.path()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert len(names) == estates
        assert all(name.endswith("公示本.pdf") for name in names)
        assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert Notification.objects.filter(user=admin, text__startswith="后台任务已完成").count() == 1
    context.close()
