"""Real browser, real server, the demo street: the leader opens the trends (趋势判断) — a line chart drawn by
the vendored ECharts for every indicator, the direction since last month and last year in an arrow and a
word, the table beside it — chooses an area, and at 390 px reads it without sideways scrolling.
Screenshots at 1366 px and 390 px go to var/screenshots/trends-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.demo_mode import DEMO_PASSWORD
from gongzhi.registry.models import Area
from gongzhi.wall import indicators as ind

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def live_demo(transactional_db):
    from conftest import demo_street_copy
    from gongzhi.demo.generator import demo_street_delete

    result = demo_street_copy()
    yield result
    demo_street_delete(street=result.street)  # the ledgers are append-only: the flush could not


def _login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"trends-{name}.png"), full_page=True)


def test_the_leader_reads_the_trends(page, live_server, live_demo):
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server.url, "demo_leader")
    page.goto(f"{live_server.url}/wall/trends/")
    page.wait_for_load_state("networkidle")
    panels = page.locator("section.trend")
    assert panels.count() == len(ind.indicator_keys())
    # every chart drawn (ECharts renders SVG into its box), each with its table
    page.wait_for_function(
        "document.querySelectorAll('.trend-chart svg').length === document.querySelectorAll('.trend-chart').length"
    )
    assert page.locator("table.trend-table").count() == len(ind.indicator_keys())
    fees = page.locator("#trend-fee_collection-panel")
    changes = fees.locator(".trend-change").all_inner_texts()
    assert any("较上月" in c for c in changes) and any("较去年同月" in c for c in changes)
    assert all(any(w in c for w in ("好转", "变差", "持平", "无可比数据")) for c in changes)
    _shoot(page, "1366")

    area = Area.objects.filter(street=live_demo.street).order_by("name").first()
    page.select_option("select[name=of]", f"area-{area.pk}")
    page.click(".trend-chooser button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"of=area-{area.pk}" in page.url
    assert area.name in page.locator("h1").inner_text()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/wall/trends/")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelectorAll('.trend-chart svg').length > 0")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"
    _shoot(page, "390")
