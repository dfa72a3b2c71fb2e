"""Household activation letters as a background job, in a real browser (issue 16):

The street admin opens an estate's letters page and asks for all its letters in the background; the page
becomes the job's page, whose bar (htmx polling of /jobs/<id>/status/) counts buildings while the worker
issues the codes and renders one PDF per building; at 100 % the download is offered. The zip holds one PDF
per building with exactly the expected households (masked names, their units, a code each); the inbox has
the result. The worker runs in this test's thread (``Worker.burst``), as in test_jobs_in_browser.py.
Screenshots: var/screenshots/letters-job-*.png; the first page of a PDF: letters-job-pdf-1.png.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.masking import mask_name
from gongzhi.core.pdf import pdf_text
from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import Worker
from gongzhi.portal.models import ActivationCode
from gongzhi.registry import models as r

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
CODE_RE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")


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
    page.screenshot(path=str(SCREENSHOTS / f"letters-job-{name}.png"), full_page=True)


def test_the_street_admin_prepares_an_estates_letters_in_the_background(
    browser, live_server, live_world, monkeypatch
):
    from gongzhi.jobs import registry, services

    monkeypatch.setattr(registry, "schedule", lambda: ())
    world = live_world
    estate = world.estate_a1
    building2 = r.Building.objects.create(estate=estate, number="2号", floors=6)
    newcomers = []
    for i, name in enumerate(("孙小梅", "周大福", "吴亦凡"), start=1):
        owner = r.Owner.objects.create(
            street=world.street, ref=f"A1-2{i}", name=name, phone=f"1391111{i:04d}"
        )
        r.Unit.objects.create(building=building2, number=f"{i}02", area=Decimal("70.00"), owner=owner)
        newcomers.append(owner)
    expected = {  # building → the households whose letters it holds (A1-1 activated: no letter)
        "1号": {
            (mask_name(u.owner.name), f"1号 {u.number}")
            for u in world.building_a1.units.exclude(owner__ref="A1-1")
        },
        "2号": {(mask_name(o.name), f"2号 {i}02") for i, o in enumerate(newcomers, start=1)},
    }

    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    login(page, base, "admin")
    page.goto(f"{base}/my/letters/{estate.pk}/")
    page.check("input[name=which][value=new]")
    page.click("button[data-background]")
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector('#job-status[data-status="queued"] progress')
    assert "可以离开本页" in page.inner_text("#job-status")
    assert not ActivationCode.objects.exists()
    shot(page, "queued")

    seen: dict[str, str] = {}
    real_progress = services.JobContext.progress

    def progress(self, done, total, *, force=False):
        real_progress(self, done, total, force=True)
        if done == 1 and total == 2:  # one building of two rendered: the page's next poll shows it
            page.wait_for_selector('#job-status[data-status="running"] [data-progress="1/2"]')
            seen["text"] = page.inner_text("#job-status")
            seen["bar"] = page.get_attribute("#job-status progress", "value") or ""
            shot(page, "progress")

    monkeypatch.setattr(services.JobContext, "progress", progress)
    Worker(name="browser-test:1").burst()
    assert "已生成 1 / 2 栋楼的激活信" in seen["text"] and seen["bar"] == "50", seen

    page.wait_for_selector('#job-status[data-status="done"]')
    assert page.get_attribute("#job-status progress", "value") == "100"
    result = page.inner_text("#letters-job")
    assert "已生成 5 封激活信" in result and "1号 2 封" in result and "2号 3 封" in result, result
    shot(page, "done")
    with page.expect_download() as download:
        page.click("[data-download]")
    assert download.value.suggested_filename.endswith(".zip")
    path = download.value.path()
    with zipfile.ZipFile(path) as archive:
        pdfs = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(pdfs) == ["甲一小区-1号-激活信.pdf", "甲一小区-2号-激活信.pdf"]
    codes = []
    for building, households in expected.items():
        text = pdf_text(pdfs[f"甲一小区-{building}-激活信.pdf"])
        for masked, unit in households:
            assert masked in text and unit in text, (building, masked, unit)
        assert text.count("业主账号激活信") >= len(households)
        codes += CODE_RE.findall(text)
        assert "孙小梅" not in text  # the letter goes through letter boxes: names are masked
    assert len(codes) == len(set(codes)) == 5 == ActivationCode.objects.count()

    if shutil.which("pdftoppm"):  # a person looks at the first page (var/screenshots)
        first = SCREENSHOTS / "letters-job-2号.pdf"
        first.write_bytes(pdfs["甲一小区-2号-激活信.pdf"])
        subprocess.run(  # noqa: S603 — a fixed program on our own file
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(first),
                str(SCREENSHOTS / "letters-job-pdf"),
            ],
            check=True,
            timeout=60,
        )
        first.unlink()

    job = Job.objects.get(task="portal.letters")
    assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (2, 2)
    page.goto(f"{base}/inbox/")
    assert "后台任务已完成：生成业主激活信（PDF）。" in page.inner_text("main")
    context.close()
