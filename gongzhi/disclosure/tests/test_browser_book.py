"""The public disclosure book on a phone, in a real browser against a real server: no login, the PDF button
at the top, sections that fold, the charts drawn, no horizontal scroll; the PDF link first shows the "being
prepared" page (a visitor never renders, issue 16), which reloads itself and serves the PDF once the worker
has rendered it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.core.testing import build_world
from gongzhi.finance.services import ledger_post
from gongzhi.jobs.worker import run_burst

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    day = timezone.localdate() - dt.timedelta(days=40)
    oc = world.user("oc_a1")
    ledger_post(
        actor=oc,
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=day,
        direction="in",
        amount="5000.00",
        summary="续筹",
    )
    ledger_post(
        actor=oc,
        estate=world.estate_a1,
        ledger="public_income",
        date=day,
        direction="in",
        amount="800.00",
        summary="停车收益",
        category="停车收益",
    )
    yield world
    # The flush after a live-server test cannot delete append-only entries; the one sanctioned way around
    # the triggers is the demo purge, so this throw-away street is marked as a demo street for it.
    from gongzhi.finance.maintenance import purge_demo_ledgers
    from gongzhi.registry.models import Street

    Street.objects.filter(pk=world.street.pk).update(is_demo=True)
    world.street.refresh_from_db()
    purge_demo_ledgers(world.street)


def test_a_resident_reads_the_book_on_a_phone(browser, live_server, live_world):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/disclosure/{live_world.estate_a1.pk}/")
    download = page.locator("a.download")
    assert download.is_visible() and download.bounding_box()["y"] < 200  # the PDF button at the top
    page.wait_for_selector('[data-chart="chart-fund"] svg')
    page.wait_for_selector('[data-chart="chart-income"] svg')
    services = page.locator("details.section", has_text="“四保”服务内容")
    assert services.get_attribute("open") is None
    services.locator("summary").click()
    assert services.get_attribute("open") is not None
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    href = live_server.url + download.get_attribute("href")
    waiting = page.request.get(href)
    assert waiting.status == 202 and waiting.headers["cache-control"] == "no-store"
    page.goto(href)  # what the visitor sees: a small page that reloads itself every 5 s
    assert page.locator("h1").inner_text() == "正在准备，请稍候"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "book-pdf-preparing-390.png"), full_page=True)
    run_burst()  # the worker (with its due scheduled jobs) renders the book once
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    context.close()
