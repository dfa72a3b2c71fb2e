"""One exam on a phone, in a real browser against a real server: oc_a1 opens 我的考试, starts the exam,
answers every question (the multiple-choice one in full), submits, and sees the score, the verdict and
an explanation per question; the certificate link serves a PDF. Screenshots: var/screenshots/exam-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.training.models import Attempt, Question
from gongzhi.training.tests.helpers import make_bank, make_exam

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
    make_exam(world, make_bank(world))
    return world


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"exam-{name}.png"), full_page=True)


def test_taking_an_exam_on_a_phone(browser, live_server, live_world):
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "oc_a1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/training/")
    assert "物业管理知识测试" in page.locator(".exam-card").inner_text()
    shot(page, "1-my")
    page.click("button:has-text('开始考试')")
    page.wait_for_load_state("networkidle")
    assert "/training/attempt/" in page.url
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert "见相关规定" not in page.content()  # no explanations before submission

    attempt = Attempt.objects.get()
    for qid in attempt.question_ids:
        question = Question.objects.get(pk=qid)
        for choice in question.choices.filter(is_correct=True):
            page.locator(f"input[name=q{qid}][value='{choice.position}']").check()
    shot(page, "2-answered")
    dialogs: list[str] = []  # every question answered: nothing to ask
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('交卷')")
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert page.url.endswith("/result/")
    assert "100.0" in page.locator(".score").inner_text()
    assert "合格" in page.locator(".verdict").inner_text()
    assert page.locator(".explain").count() == 3
    shot(page, "3-result")
    attempt.refresh_from_db()
    assert attempt.passed and attempt.correct_count == 3 and not attempt.late

    with page.expect_download() as download_info:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href; a.download = 'c.pdf'; "
            "document.body.appendChild(a); a.click(); }",
            f"{base}/training/certificate/{attempt.pk}/",
        )
    assert Path(download_info.value.path()).read_bytes()[:4] == b"%PDF"
    context.close()


def test_submitting_with_unanswered_questions_asks_first(browser, live_server, live_world):
    """Issue 15: 交卷 with questions left blank asks "还有 N 题未作答" before sending; 取消 keeps the
    paper open with nothing recorded, 确定 sends it (blank questions count as wrong)."""
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "oc_a1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/training/")
    page.click("button:has-text('开始考试')")
    page.wait_for_load_state("networkidle")
    attempt = Attempt.objects.get()
    first = Question.objects.get(pk=attempt.question_ids[0])
    for choice in first.choices.filter(is_correct=True):
        page.locator(f"input[name=q{first.pk}][value='{choice.position}']").check()

    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button:has-text('交卷')")
    page.wait_for_timeout(300)
    assert asked and "还有 2 题未作答" in asked[0]
    assert "/result/" not in page.url
    assert page.locator("fieldset.question.is-unanswered").count() == 2
    shot(page, "4-unanswered-asked")
    attempt.refresh_from_db()
    assert attempt.submitted_at is None

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("button:has-text('交卷')")
    page.wait_for_url("**/result/")
    assert len(asked) == 2
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.correct_count == 1
    context.close()
