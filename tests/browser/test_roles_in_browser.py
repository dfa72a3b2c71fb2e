"""Real browser, real server: every role logs in through the login form, lands on its home
page, opens a registry page, and the Chinese text is drawn with real glyphs (not boxes).
Screenshots go to var/screenshots/ for a person to look at.

Driven by Playwright with Debian's /usr/bin/chromium (conftest.py). When chromium is
missing these tests fail — they are never skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.testing import PASSWORD, build_world

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"

# persona → (registry page to open after home, a text that page must show)
ROLES = {
    "admin": ("/registry/estates/", "乙一小区"),
    "leader": ("/registry/companies/", "星河物业"),
    "secretary_a": ("/registry/estates/", "甲二小区"),
    "member_a": ("/registry/branches/", "甲居民区物业治理联合党支部"),
    "oc_a1": ("/registry/committees/", "甲一小区"),
    "staff_x": ("/registry/contracts/", "乙一小区"),
    "evaluator_b1": ("/registry/estates/", "乙一小区"),
    "owner_a1": ("/my/", "甲一小区"),
}

# Two different Chinese characters drawn on a canvas in the page's font: with a CJK font
# they differ; without one both become the same "missing glyph" box.
GLYPHS_DIFFER = """() => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 40; c.height = 40;
    const x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 2, 32);
    return c.toDataURL();
  };
  return draw('共') !== draw('治') && draw('治') !== draw('区');
}"""


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("persona", sorted(ROLES))
def test_role_logs_in_and_reads_the_registry(page, live_server, live_world, persona):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if persona == "owner_a1":
        page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, persona)
    assert "/accounts/login/" not in page.url, "login failed"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(SCREENSHOTS / f"{persona}-home.png"), full_page=True)
    assert page.evaluate(GLYPHS_DIFFER), "Chinese characters render as boxes: is fonts-noto-cjk installed?"

    path, expected = ROLES[persona]
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert expected in page.content()
    page.screenshot(path=str(SCREENSHOTS / f"{persona}-registry.png"), full_page=True)


def test_office_home_draws_charts(page, live_server, live_world):
    login(page, live_server.url, "admin")
    page.wait_for_selector("[data-chart][data-rendered] svg")
    assert page.locator("[data-chart][data-rendered]").count() == 2


def test_search_updates_the_list_in_place(page, live_server, live_world):
    login(page, live_server.url, "admin")
    page.goto(live_server.url + "/registry/estates/")
    page.fill("input[name=q]", "乙")
    page.wait_for_function("() => !document.querySelector('#results').textContent.includes('甲一小区')")
    assert "乙一小区" in page.locator("#results").inner_text()
    assert "q=" in page.url  # the filtered list has its own address (back button, sharing)


def test_wrong_password_shows_chinese_error(page, live_server, live_world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".errorlist").inner_text().startswith("用户名或密码不正确")


def test_language_switch_to_english_and_back(page, live_server, live_world):
    login(page, live_server.url, "admin")
    # Choosing a language submits the form; wait for that navigation itself (an idle network
    # can be seen before the submit has even started on a loaded machine).
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Home" in page.locator("nav").inner_text()
    with page.expect_navigation():
        page.select_option("#lang-select", "zh-hans")
    assert "首页" in page.locator("nav").inner_text()


@pytest.fixture
def live_demo(transactional_db):
    from gongzhi.demo.generator import demo_street_delete, demo_street_ensure

    street = demo_street_ensure(scale=0.01).street
    yield street
    # Demo ledgers are append-only in the database: the flush after this test could not
    # delete them, so the demo's own reset (a narrow, demo-only trigger bypass) removes them.
    demo_street_delete(street=street)


def test_demo_login_table_fills_the_form(page, live_server, live_demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("details.demo-logins summary")
    page.click("[data-fill-login=demo_secretary]")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "居民区工作台" in page.content()
