"""A resident answers the survey with the code from the household letter on a phone, in a real
browser against a real server: every item by tapping, the progress count follows, submit, thank-you;
the same code then refuses a second use. Screenshots: var/screenshots/survey-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.testing import build_world
from gongzhi.evaluation import rules
from gongzhi.evaluation.models import SurveyResponse
from gongzhi.evaluation.tests import factories

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"survey-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_answers_with_a_code_on_a_phone_and_the_code_is_then_spent(
    browser, live_server, live_world
):
    campaign = factories.open_campaign(live_world)
    code = rules.format_code(factories.issue_codes(live_world, campaign)[0])
    context = browser.new_context(**PHONE)
    phone = context.new_page()

    # Typed from the letter, in lower case with spaces, as people do.
    phone.goto(f"{live_server.url}/survey/")
    phone.fill("#id_code", code.replace("-", " ").lower())
    phone.click("button[type=submit]:has-text('开始测评')")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith(f"/survey/{code}/")
    assert "甲一小区" in phone.locator(".portal-head").inner_text()
    assert no_horizontal_scroll(phone)
    progress = phone.locator("[data-progress-text]")
    assert progress.inner_text().strip() == "已答 0 / 20"

    items = phone.locator("[data-survey-item]")
    assert items.count() == 20
    box = items.nth(0).locator(".scale-choice").nth(4).bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48  # a thumb hits it
    for i in range(20):
        if i == 19:
            items.nth(i).locator(".dont-know").click()  # 不了解
        else:
            items.nth(i).locator(".scale-choice").nth(3 if i % 2 else 4).click()
    assert progress.inner_text().strip() == "已答 20 / 20"
    shot(phone, "1-answered")
    phone.click("button[type=submit]:has-text('提交测评')")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/survey/thanks/")
    assert "提交成功" in phone.locator("h1").inner_text()
    shot(phone, "2-thanks")

    # One ballot, waiting (sealed) in the estate's box until k households have answered.
    [ballot] = factories.ballots(campaign)
    given = list(ballot.values())
    assert (given.count(5), given.count(4), given.count(None)) == (10, 9, 1)
    assert not SurveyResponse.objects.exists()

    # The letter's QR code again: refused, clearly.
    phone.goto(f"{live_server.url}/survey/{code}/")
    assert "该测评码已使用" in phone.locator("h1").inner_text()
    assert phone.locator("[data-survey-form]").count() == 0
    assert no_horizontal_scroll(phone)
    shot(phone, "3-used")
    context.close()
    assert len(factories.ballots(campaign)) == 1
