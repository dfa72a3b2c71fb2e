"""Real browser, real server, the demo street: the leader opens 标杆企业 — the 4 benchmarks the demo names,
the candidate list of the latest round — revokes one and names a candidate; at 390 px the page reads
without sideways scrolling. Screenshots at 1366 px and 390 px go to var/screenshots/benchmarks-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.core.demo_mode import DEMO_PASSWORD
from gongzhi.evaluation.models import Benchmark

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def live_demo(transactional_db):
    from conftest import demo_street_copy
    from gongzhi.demo.generator import demo_street_delete

    result = demo_street_copy()
    yield result
    demo_street_delete(street=result.street)


def _login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"benchmarks-{name}.png"), full_page=True)


def test_the_leader_revokes_and_names_a_benchmark(page, live_server, live_demo):
    street = live_demo.street
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server.url, "demo_leader")
    page.goto(f"{live_server.url}/evaluation/benchmarks/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".benchmark-card").count() == 4
    candidates = page.locator("#id_company option[value]:not([value=''])")
    assert candidates.count() >= 1
    _shoot(page, "1366")

    # Revoke the first, then name the first candidate.
    first = (
        Benchmark.objects.filter(street=street, revoked_at__isnull=True).order_by("-starts_on", "pk").first()
    )
    page.fill(f"#revoke-{first.pk}", "演示：服务投诉增多，领导小组决定撤销")
    page.locator(f"#revoke-{first.pk} ~ button").click()
    page.wait_for_load_state("networkidle")
    first.refresh_from_db()
    assert first.revoked_at is not None

    company_id = page.locator("#id_company option[value]:not([value=''])").first.get_attribute("value")
    page.select_option("#id_company", company_id)
    page.fill("#id_reason", "测评综合排名前列，四保服务规范")
    end = timezone.localdate() + dt.timedelta(days=364)
    page.fill("#id_ends_on", end.isoformat())
    page.click("form:has(#id_company) button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已命名标杆企业" in page.content()
    assert Benchmark.objects.filter(
        street=street, company_id=int(company_id), revoked_at__isnull=True
    ).exists()
    assert Benchmark.objects.filter(street=street, revoked_at__isnull=True).count() == 4

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/evaluation/benchmarks/")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"
    _shoot(page, "390")
