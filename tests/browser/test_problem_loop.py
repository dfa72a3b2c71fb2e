"""One problem from report to closure, in a real browser against a real server:

owner_a1 on a phone reports illegal parking with a photo and sees the tracking number;
secretary_a accepts it on the office detail page; staff_x submits evidence with a photo;
secretary_a verifies and closes it; owner_a1 sees 已销项 and rates it 5 stars; the estate's
public board shows it closed with the evidence photo and without the reporter.

Screenshots go to var/screenshots/problem-*.png for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.problems.models import Problem, ProblemPhoto

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESCRIPTION = "3号楼东侧消防通道被私家车长期占用,晚上救护车进不来"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server runs in this process
    return build_world()


def photo(path: Path, color) -> str:
    Image.new("RGB", (640, 480), color).save(path, format="JPEG")
    return str(path)


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"problem-{name}.png"), full_page=True)


def images_loaded(page, selector: str) -> bool:
    return page.eval_on_selector_all(
        selector, "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_problem_from_report_to_closure(browser, live_server, live_world, tmp_path):
    base = live_server.url

    # --- owner_a1 reports on a phone -------------------------------------------------------------
    resident = browser.new_context(**PHONE)
    phone = resident.new_page()
    login(phone, base, "owner_a1")
    phone.click(".tiles a.tile-accent")  # 我要报事
    assert phone.url.endswith("/my/report/")
    assert no_horizontal_scroll(phone)
    phone.click("label.choice:has-text('停车')")
    phone.fill("#id_description", DESCRIPTION)
    phone.select_option("#id_building", label="1号")
    phone.fill("#id_location", "东侧消防通道")
    phone.set_input_files("#id_photos", photo(tmp_path / "parking.jpg", (90, 120, 160)))
    shot(phone, "1-report-form")
    phone.click("button[type=submit]:has-text('提交')")
    phone.wait_for_load_state("networkidle")
    problem = Problem.objects.get()
    assert problem.photos.filter(kind=ProblemPhoto.Kind.REPORT).count() == 1
    assert re.fullmatch(r"WT-\d{4}-\d{6,}", problem.number)
    assert problem.number in phone.locator(".messages").inner_text()
    assert problem.number in phone.locator(".portal-head").inner_text()
    assert phone.locator(".steps li[aria-current=step]").inner_text().strip().endswith("待受理")
    assert images_loaded(phone, ".photo-grid img")
    assert no_horizontal_scroll(phone)
    shot(phone, "2-reported")

    # --- secretary_a accepts it in the office ----------------------------------------------------
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    login(desk, base, "secretary_a")
    desk.goto(f"{base}/problems/{problem.pk}/")
    assert "甲一业主" in desk.content()  # the branch sees who reported
    desk.click("#act-accept button[type=submit]")
    desk.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.status == "assigned" and problem.company == live_world.company_x
    shot(desk, "3-office-accepted")
    office.close()

    # --- staff_x submits evidence with a photo ---------------------------------------------------
    company = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = company.new_page()
    login(staff, base, "staff_x")
    staff.goto(f"{base}/problems/{problem.pk}/")
    assert "甲一业主" not in staff.content()  # the company never learns who reported
    shot(staff, "3b-company-progress-or-submit")  # two distinct panels: progress vs submission (#15)
    staff.fill("#act-submit textarea[name=note]", "已劝离车辆,通道两侧加装隔离桩并划禁停线")
    staff.set_input_files("#act-submit input[type=file]", photo(tmp_path / "fixed.jpg", (60, 160, 90)))
    staff.click("#act-submit button[type=submit]")
    staff.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.status == "submitted"
    assert problem.photos.filter(kind=ProblemPhoto.Kind.EVIDENCE).count() == 1
    company.close()

    # --- secretary_a verifies on site and closes -------------------------------------------------
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    login(desk, base, "secretary_a")
    desk.goto(f"{base}/problems/{problem.pk}/")
    desk.click("#act-close button[type=submit]")
    desk.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.status == "closed"
    shot(desk, "4-office-closed")
    office.close()

    # --- owner_a1 sees it closed and rates 5 stars -----------------------------------------------
    phone.goto(f"{base}/my/problems/")
    assert "已销项" in phone.locator(".problem-card").first.inner_text()
    shot(phone, "5-my-problems")
    phone.click(".problem-card")
    assert phone.locator(".steps li[aria-current=step]").inner_text().strip().endswith("已销项")
    assert phone.locator(".steps li.done").count() == 4
    assert images_loaded(phone, ".portal-timeline .photo-grid img")  # the evidence photo
    phone.click("label.star:nth-of-type(5)")
    phone.fill("#id_comment", "很快就解决了,谢谢")
    shot(phone, "6-rate")
    phone.click("button[type=submit]:has-text('提交评价')")
    phone.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.rating == 5
    assert "★★★★★" in phone.locator(".stars-shown").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "7-rated")

    # --- the public board, no login ---------------------------------------------------------------
    public = browser.new_context(**PHONE)
    board = public.new_page()
    board.goto(f"{base}/board/{problem.estate_id}/")
    card = board.locator("article.problem-card", has_text=problem.number)
    assert "已销项" in card.inner_text()
    assert images_loaded(board, "article.problem-card .photo-grid img")
    html = board.content()
    for private in ("甲一业主", "owner_a1", DESCRIPTION, "东侧消防通道"):
        assert private not in html
    assert board.locator(".board-counts a[href='?s=closed'] .value").inner_text() == "1"
    assert no_horizontal_scroll(board)
    shot(board, "8-board")
    public.close()
    resident.close()


def test_board_with_every_state_fits_a_phone(browser, live_server, live_world):
    from gongzhi.portal.tests.helpers import walk
    from gongzhi.problems.services import category_defaults_ensure

    categories = {c.code: c for c in category_defaults_ensure(street=live_world.street)}
    late = walk(live_world, categories["repair"], to="assigned", days_ago=40, building=live_world.building_a1)
    walk(live_world, categories["ebike"], to="reported", days_ago=1)
    walk(live_world, categories["cleaning"], to="submitted", days_ago=3)
    walk(live_world, categories["parking"], to="closed", days_ago=6)
    walk(live_world, categories["greening"], to="rejected", days_ago=2)

    public = browser.new_context(**PHONE)
    board = public.new_page()
    board.goto(f"{live_server.url}/board/{live_world.estate_a1.pk}/")
    assert board.locator("article.problem-card").count() == 4  # the rejected report is not public
    overdue = board.locator("article.problem-card.overdue")
    assert overdue.count() == 1 and late.number in overdue.inner_text() and "已超期" in overdue.inner_text()
    assert board.locator(".board-counts a.alert .value").inner_text() == "1"
    assert no_horizontal_scroll(board)
    shot(board, "9-board-every-state")
    board.click(".board-counts a[href='?s=overdue']")
    assert board.locator("article.problem-card").count() == 1
    public.close()
