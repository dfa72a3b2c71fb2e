"""Real browser, real server: the secretary, the company and the owner log in and their landing
page starts with 今日待办 — the secretary's report to accept, the company's overdue work order,
the owner's own report — each one click from its page; a role with nothing to do is told so.
Screenshots at 1366 px and 390 px go to var/screenshots/today-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from gongzhi.core.testing import build_world
from gongzhi.problems.services import category_defaults_ensure
from gongzhi.problems.tests.office_helpers import accept, anchor_reset, report
from tests.browser.test_roles_in_browser import login

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
WIDTHS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def live_work(transactional_db):
    anchor_reset()
    world = build_world()
    categories = {c.code: c for c in category_defaults_ensure(street=world.street)}
    overdue = accept(
        world,
        report(world, categories, who="secretary_a", code="ebike", days_ago=30, description="车棚充电桩损坏"),
        days_ago=30,
    )
    waiting = report(world, categories, who="owner_a1", description="楼下乱停车，消防通道被堵")
    return world, overdue, waiting


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"today-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_each_role_starts_with_what_to_do_today(page, live_server, live_work, width):
    world, overdue, waiting = live_work
    page.set_viewport_size(WIDTHS[width])

    # The secretary: the report to accept (and the overdue order the company owes is not theirs to do).
    login(page, live_server.url, "secretary_a")
    today = page.locator("section.today")
    assert today.locator("h2").inner_text().startswith("今日待办")
    item = today.locator(
        f'li[data-kind="problems.accept"] a[href="{reverse("problems:detail", args=[waiting.pk])}"]'
    )
    assert "待受理" in item.inner_text() and "待办" in item.inner_text()
    assert (
        page.locator("section.today").bounding_box()["y"]
        < page.locator(".grid .kpi").first.bounding_box()["y"]
    )
    _shoot(page, f"secretary-{width}")
    item.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("problems:detail", args=[waiting.pk]))
    page.context.clear_cookies()

    # The company: its overdue work order, in red with the words that say so.
    login(page, live_server.url, "staff_x")
    order = page.locator(
        f'li[data-kind="problems.overdue"] a[href="{reverse("problems:detail", args=[overdue.pk])}"]'
    )
    assert "已超期" in order.inner_text() and "车棚充电桩损坏" in order.inner_text()
    assert "red" in order.locator(".today-when").get_attribute("class")
    _shoot(page, f"company-{width}")
    page.context.clear_cookies()

    # The evaluator has nothing to do today, and is told so.
    login(page, live_server.url, "evaluator_b1")
    assert "今天没有需要您处理的事项" in page.locator("section.today").inner_text()
    page.context.clear_cookies()

    # The owner, on the portal: their own report, as a big touch target.
    login(page, live_server.url, "owner_a1")
    mine = page.locator(f'section.today-big a[href="{reverse("portal:problem", args=[waiting.pk])}"]')
    assert mine.bounding_box()["height"] >= 44
    _shoot(page, f"owner-{width}")
    if width == "390":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
