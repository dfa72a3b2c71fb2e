"""The four services standard (四保标准, docs/FEES.md §9) in a real browser against a real server, the persona
world: the street admin loads the platform's default standard on an empty street and raises one requirement;
the managing company (staff_x) publishes its commitment at estate A1 (contract level 三级), one item below the
standard — a word it typed that is no number is refused with the field named and its entries kept; the owners'
committee on a phone reads the item-by-item check, red where the company falls short, without sideways
scrolling of the page. Screenshots go to var/screenshots/standard-*.png."""

from __future__ import annotations

import pytest

from gongzhi.core.testing import build_world
from gongzhi.fees.models import ServiceCommitment, StandardItem
from gongzhi.registry.models import Contract
from tests.browser.test_fee_basis import PHONE, SCREENSHOTS, login
from tests.browser.test_phone_width import OVERFLOW

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    Contract.objects.filter(pk=world.contract_a1.pk).update(service_level="三级")
    return world


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"standard-{name}.png"), full_page=True)


def test_the_standard_is_kept_committed_to_and_checked_item_by_item(browser, live_server, live_world):
    world = live_world
    base = live_server.url

    # The street admin: an empty street, then the defaults, then one requirement raised.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, base, "admin")
    desk.goto(f"{base}/fees/service-standard/")
    assert "本街道还没有四保标准。" in desk.content()
    desk.get_by_role("button", name="载入平台默认标准（只补缺项）").click()
    desk.wait_for_load_state("networkidle")
    assert "已载入默认标准：新增 50 项。" in desk.content()
    item = StandardItem.objects.get(street=world.street, level="三级", code="BJ-01")
    row = desk.locator(f"form[action='/fees/service-standard/{item.pk}/']")
    row.locator("input[name=required]").fill("6")
    row.get_by_role("button", name="保存").click()
    desk.wait_for_load_state("networkidle")
    assert "已修改。" in desk.content()
    item.refresh_from_db()
    assert str(item.required.normalize()) == "6"
    shot(desk, "1-admin")

    # The company publishes its commitment; a word instead of a number is refused and nothing is lost.
    company = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(company, base, "staff_x")
    company.goto(f"{base}/fees/{world.estate_a1.pk}/services/")
    assert "合同约定服务等级：三级" in company.content()
    company.fill("input[name='c-BJ-01']", "5")  # below the raised 6 次/周
    company.fill("input[name='c-BX-01']", "十二")
    company.get_by_role("button", name="保存服务承诺").click()
    company.wait_for_load_state("networkidle")
    assert "不是数字" in company.content()
    assert company.input_value("input[name='c-BJ-01']") == "5"
    assert company.input_value("input[name='c-BX-01']") == "十二"
    assert not ServiceCommitment.objects.filter(estate=world.estate_a1).exists()
    company.fill("input[name='c-BX-01']", "12")
    company.get_by_role("button", name="保存服务承诺").click()
    company.wait_for_load_state("networkidle")
    assert "服务承诺已保存。" in company.content()
    assert "达标 1 项，低于标准 1 项，未承诺 8 项" in company.content()
    shot(company, "2-company")

    # The owners' committee reads it on a phone: the short item in red, no inputs, no sideways page.
    phone = browser.new_context(**PHONE).new_page()
    login(phone, base, "oc_a1")
    phone.goto(f"{base}/fees/{world.estate_a1.pk}/services/")
    short = phone.locator("tr", has_text="楼道清扫")
    assert "低于标准" in short.inner_text() and "6 次/周" in short.inner_text()
    assert short.locator(".badge.red").count() == 1
    assert phone.locator("input[name='c-BJ-01']").count() == 0
    assert phone.evaluate(OVERFLOW) is None
    # the verdict column is in sight on a 390-pixel screen, not scrolled off to the right
    badge = short.locator(".badge.red").bounding_box()
    assert badge is not None and badge["x"] + badge["width"] <= 390
    shot(phone, "3-committee-390")
