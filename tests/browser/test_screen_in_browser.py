"""Real browser, real server, the demo street: the street admin makes a display link; a second browser with
no login opens it at 1920×1080 and sees the big screen with the street's offline map drawn by ECharts from
the demo's own GeoJSON, then the area table, the red estates and the trends; the admin revokes the link and the screen answers 404. The map page at 390 px shows
the list instead of the map. Screenshots go to the test's tmp path and to var/screenshots/wall-screen-*.png
for a person to look at."""

from __future__ import annotations

import shutil
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


def _shoot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"wall-screen-{name}.png"
    page.screenshot(path=str(path))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENSHOTS / path.name)
    return path


def test_the_big_screen_on_a_display_link_until_it_is_revoked(
    page, browser, live_server, live_demo, tmp_path
):
    estates = Estate.objects.filter(area__street=live_demo.street).count()
    _login(page, live_server.url, "demo_admin")
    page.goto(f"{live_server.url}/wall/screen/links/")
    page.fill("input[name=label]", "指挥室大屏")
    page.click("text=创建展示链接")
    page.wait_for_load_state("networkidle")
    url = page.input_value("input.wall-link-url")
    assert "/wall/screen/d/" in url

    # The command room's browser: no login, 1920×1080.
    room = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = room.new_page()
    response = screen.goto(url)
    assert response.status == 200
    assert "/accounts/login/" not in screen.url
    screen.wait_for_selector(".wall-map[data-drawn]")
    assert int(screen.get_attribute(".wall-map", "data-drawn")) == estates  # every demo estate has a place
    assert screen.locator(".wall-map canvas").count() >= 1
    box = screen.locator(".wall-map").bounding_box()
    assert box["width"] > 1500 and box["height"] > 600  # the map fills the screen
    assert screen.evaluate("document.documentElement.scrollWidth") <= 1920
    assert screen.locator("a[href*='/wall/estate/']").count() == 0  # read-only: no cards, no drill-down
    _shoot(screen, tmp_path, "1920-map")
    # The next panel (the area table) comes up by itself.
    screen.wait_for_selector("#panel-areas:not([hidden])", timeout=25_000)
    assert screen.locator(".screen-table tbody tr").count() > 0
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080  # 32 areas on one screen
    _shoot(screen, tmp_path, "1920-areas")
    screen.wait_for_selector("#panel-reds:not([hidden])", timeout=25_000)
    assert screen.locator(".screen-reds li").count() > 0
    _shoot(screen, tmp_path, "1920-reds")
    # Then the trends, over the link's street, read-only: every indicator with its line drawn.
    screen.wait_for_selector("#panel-trends:not([hidden])", timeout=25_000)
    from gongzhi.wall import indicators as ind

    screen.wait_for_function(
        f"document.querySelectorAll('.screen-chart[data-drawn]').length === {len(ind.indicator_keys())}"
    )
    assert screen.locator(".screen-trend").count() == len(ind.indicator_keys())
    assert "较去年同月" in screen.locator("#panel-trends").inner_text()
    assert screen.locator("#panel-trends a").count() == 0  # no link to the trends page on a display link
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080
    _shoot(screen, tmp_path, "1920-trends")

    # The admin revokes the link: the screen's next load answers 404.
    page.goto(f"{live_server.url}/wall/screen/links/")
    assert "最近使用" in page.locator("table.wall-links").inner_text()
    page.locator("table.wall-links tr", has_text="指挥室大屏").locator("button", has_text="撤销").click()
    page.wait_for_load_state("networkidle")
    assert "已撤销" in page.locator("main").inner_text()
    assert screen.goto(url).status == 404
    room.close()


def test_the_map_is_a_list_at_phone_width(page, live_server, live_demo, tmp_path):
    estates = Estate.objects.filter(area__street=live_demo.street).count()
    _login(page, live_server.url, "demo_leader")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/wall/map/?i=fund_health")
    page.wait_for_selector(".wall-map[data-drawn]")
    _shoot(page, tmp_path, "map-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/wall/map/?i=fund_health")
    assert not page.locator(".wall-map").is_visible()
    assert page.locator(".wall-map-list a.wall-tile").count() == estates
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shoot(page, tmp_path, "map-390")
