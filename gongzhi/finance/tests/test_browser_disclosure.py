"""In a real browser: the owners' committee of A1 sees its fund overdue for disclosure and a fund use
flagged for a missing price audit, records the disclosure and uploads the audit report; both flags go.
Screenshots go to var/screenshots/finance-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.finance.models import Disclosure, FundUseEvidence
from gongzhi.finance.services import ledger_post

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    yield world
    # The test database is flushed after a transactional test; the append-only triggers refuse SQLite's
    # DELETE and PostgreSQL's TRUNCATE while the ledger holds entries. Empty the ledgers the one
    # sanctioned way, as the demo reset does (this throw-away street is marked as a demo street for it).
    from gongzhi.finance.maintenance import purge_demo_ledgers
    from gongzhi.registry.models import Street

    Street.objects.filter(pk=world.street.pk).update(is_demo=True)
    world.street.refresh_from_db()
    purge_demo_ledgers(world.street)


def test_oc_records_a_disclosure_and_uploads_a_price_audit(browser, live_server, live_world, tmp_path):
    world = live_world
    today = timezone.localdate()
    for direction, amount, days, extra in (
        ("in", "20000.00", 400, {"category": "首期归集"}),
        ("out", "1500.00", 300, {"reference": "业主大会决议 2025-02号", "project": "1号楼屋面防水"}),
    ):
        ledger_post(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            ledger="maintenance_fund",
            date=today - dt.timedelta(days=days),
            direction=direction,
            amount=amount,
            summary="测试",
            **extra,
        )
    report = tmp_path / "审价报告.pdf"
    report.write_bytes(PDF)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "oc_a1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/finance/{world.estate_a1.pk}/")
    assert page.locator(".ledger-tabs .badge.red", has_text="公示超期").count() == 1
    assert page.locator("#alerts", has_text="维修资金使用缺审价报告").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "finance-before.png"), full_page=True)

    page.click("#disclosure summary")
    page.fill("#id_period_end", (today - dt.timedelta(days=10)).isoformat())
    page.fill("#id_posted_on", (today - dt.timedelta(days=2)).isoformat())
    page.select_option("#id_place", "board")
    page.click("#disclosure button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages", has_text="已登记公示记录").count() == 1
    assert page.locator(".ledger-tabs .badge.red", has_text="公示超期").count() == 0

    row = page.locator("#entry-2")
    row.locator("summary", has_text="上传材料").click()
    row.locator("select[name=kind]").select_option("price_audit")
    row.locator("input[type=file]").set_input_files(str(report))
    row.locator("button", has_text="上传").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#alerts").count() == 0
    assert page.locator("#entry-2 .evidence-links a", has_text="审价报告").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "finance-after.png"), full_page=True)
    assert Disclosure.objects.get().place == "board"
    assert FundUseEvidence.objects.get().kind == "price_audit"
