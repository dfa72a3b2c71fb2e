"""Real browser, real server, the demo street: the leader opens the wall (挂图作战), chooses an indicator
(htmx swaps the grid), hovers a tile to open its health card, drills down to the estate and follows the
evidence link. At 390 px the wall is a list without sideways scrolling. Screenshots at 1366 px and 390 px
go to var/screenshots/wall-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.demo_mode import DEMO_PASSWORD
from gongzhi.registry.models import Estate

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
    page.screenshot(path=str(SCREENSHOTS / f"wall-{name}.png"), full_page=True)


def test_the_leader_works_the_wall(page, live_server, live_demo):
    estates = Estate.objects.filter(area__street=live_demo.street).count()
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, live_server.url, "demo_leader")
    page.goto(f"{live_server.url}/wall/")
    assert page.locator("a.wall-tile").count() == estates
    assert "个小区有资金预警" in page.locator(".wall-headline").inner_text()
    _shoot(page, "1366")

    # Choose an indicator: the grid is swapped in place and the address remembers the choice.
    page.select_option("select[name=i]", "fee_collection")
    page.locator(".wall-explain", has_text="物业费收缴率").wait_for()
    assert "i=fee_collection" in page.url
    assert page.locator("a.wall-tile").count() == estates
    # Colour is never the only signal: every tile carries its icon and its word.
    first = page.locator("a.wall-tile").first
    assert first.locator(".icon").inner_text() in ("▲", "●", "✓", "—")
    assert first.locator(".sr").inner_text() in ("红", "黄", "绿", "无数据")

    # Hover a tile: its health card opens beside the wall.
    name = first.locator(".name").inner_text()
    first.hover()
    page.wait_for_selector("#wall-card .health-card")
    card = page.locator("#wall-card .health-card")
    assert name in card.locator("h2").inner_text()
    assert card.locator("text=查看依据").count() >= 10
    _shoot(page, "1366-card")

    # Drill down to the estate, then follow the evidence of the fee collection rate.
    first.click()
    page.wait_for_load_state("networkidle")
    assert "/wall/estate/" in page.url
    assert name in page.locator("h1").inner_text()
    row = page.locator("table.health tr", has_text="物业费收缴率")
    row.locator("a", has_text="查看依据").click()
    page.wait_for_load_state("networkidle")
    assert "/fees/" in page.url
    assert name in page.locator("main").inner_text()

    # A phone: a list, no sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/wall/?i=party_share")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shoot(page, "390")
