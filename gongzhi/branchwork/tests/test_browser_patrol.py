"""A daily patrol on a phone, in a real browser against a real server: member_a starts a patrol
of 甲一小区, files a finding with a photo as a problem in two taps (category, a line of text),
ends the patrol, and the day's patrol sheet lists the finding with its tracking number.

Screenshots go to var/screenshots/branchwork-patrol-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from gongzhi.branchwork.models import Patrol
from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.problems.models import Problem
from gongzhi.problems.services import category_defaults_ensure

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    category_defaults_ensure(street=world.street)
    return world


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"branchwork-patrol-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_patrol_on_a_phone_files_a_finding_as_a_problem(browser, live_server, live_world, tmp_path):
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "member_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/branch/patrols/start/")
    page.select_option("#id_member", label="陈书记")
    page.click("label.choice:has-text('甲一小区')")
    page.fill("#id_route_note", "东门—车棚—北门")
    assert no_horizontal_scroll(page)
    shot(page, "1-start")
    page.click("button[type=submit]:has-text('开始巡查')")
    page.wait_for_load_state("networkidle")
    patrol = Patrol.objects.get()
    assert page.url.endswith(f"/branch/patrols/{patrol.pk}/")

    # Two taps: the category tile, then the line of text (the estate is preselected).
    page.click("label.choice:has-text('电动车违规充电')")
    page.fill("#id_text", "3号楼楼道内电动车飞线充电")
    photo = tmp_path / "ebike.jpg"
    Image.new("RGB", (640, 480), (180, 60, 40)).save(photo, format="JPEG")
    page.set_input_files("#id_photos", str(photo))
    assert no_horizontal_scroll(page)
    shot(page, "2-finding")
    page.click("button[type=submit]:has-text('登记为问题')")
    page.wait_for_load_state("networkidle")

    problem = Problem.objects.get()
    assert problem.source == "patrol" and problem.estate == live_world.estate_a1 and problem.urgent
    assert problem.photos.count() == 1
    assert problem.number in page.locator(".messages").inner_text()
    assert "3号楼楼道内电动车飞线充电" in page.locator(".card:has-text('本次发现')").inner_text()
    shot(page, "3-filed")

    page.click("button:has-text('结束巡查')")
    page.wait_for_load_state("networkidle")
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert "本次巡查已于" in page.content()
    shot(page, "4-ended")
    page.click("a:has-text('查看当日巡查记录表')")
    page.wait_for_load_state("networkidle")
    assert problem.number in page.content()  # the day's patrol sheet lists the finding
    shot(page, "5-sheet")
    context.close()
