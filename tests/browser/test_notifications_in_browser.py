"""Notifications that reach people, in a real browser against a real server and local gateway fakes:

staff_x switches on e-mail, SMS and WeChat on their 通知方式 page; secretary_a accepts a reported
problem on its office page, which assigns it to staff_x's company; the outbox is delivered and the
SMTP sink, the Alibaba Cloud SMS fake (which checks the request's signature) and the WeChat fake each
hold the message; the street admin reads the delivery log with the addresses masked. Then oc_a1
prints the stairwell notice (楼道公告) of an open vote from its office page and the PDF downloads.

Screenshots go to var/screenshots/notify-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.core.models import OutboxMessage
from gongzhi.core.notify import deliver_outbox
from gongzhi.core.pdf import pdf_text
from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.core.tests.fakes import FakeAliyunSms, FakeWeChat, Gateways, SmtpSink, configure

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
OPENID = "oSTAFFX0000000000000000000001"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server runs in this process
    return build_world()


@pytest.fixture
def gateways(settings):
    g = Gateways(SmtpSink().start(), FakeAliyunSms().start(), FakeWeChat().start())
    configure(settings, g)
    yield g
    g.smtp.stop()
    g.sms.stop()
    g.wechat.stop()


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"notify-{name}.png"), full_page=True)


def test_a_notification_reaches_email_sms_and_wechat(browser, live_server, live_world, gateways):
    from gongzhi.problems.models import Category
    from gongzhi.problems.services import category_defaults_ensure, problem_report

    base = live_server.url

    def office():  # one browser context (one session) per person
        return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # --- staff_x chooses the channels ------------------------------------------------------------
    page = office()
    login(page, base, "staff_x")
    page.goto(f"{base}/inbox/")
    page.click("text=通知方式")
    assert page.url.endswith("/notifications/preferences/")
    page.fill("#id_phone", "1380000123")  # one digit short: refused with a plain reason
    page.check("#id_sms_on")
    page.click("form.panel button[type=submit]")
    assert "11 位中国大陆手机号码" in page.content()
    page.check("#id_email_on")
    page.fill("#id_email", "staff.x@example.cn")
    page.fill("#id_phone", "138 0000 1234")
    page.check("#id_sms_on")
    page.check("#id_wechat_on")
    page.fill("#id_wechat_openid", OPENID)
    page.click("form.panel button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "通知方式已保存" in page.content()
    shot(page, "1-preferences")
    page.close()

    # --- a resident's report, accepted by secretary_a in the office ------------------------------
    category_defaults_ensure(street=live_world.street)
    problem = problem_report(
        actor=live_world.user("owner_a1"),
        estate=live_world.estate_a1,
        category=Category.objects.filter(street=live_world.street).first(),
        description="3号楼楼道灯坏了一个星期",
    )
    desk = office()
    login(desk, base, "secretary_a")
    desk.goto(f"{base}/problems/{problem.pk}/")
    desk.click("#act-accept button[type=submit]")
    desk.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.status == "assigned" and problem.company == live_world.company_x
    desk.close()
    queued = OutboxMessage.objects.filter(user=live_world.user("staff_x"), event="problems.assigned")
    assert sorted(queued.values_list("channel", flat=True)) == ["email", "sms", "wechat"]

    # --- the worker's run (at 10:00 Shanghai time, outside the quiet hours) ---------------------
    ten = timezone.localtime(timezone.now(), SH).replace(hour=10, minute=0) + dt.timedelta(days=1)
    assert deliver_outbox(now=ten) == {"sent": 3}
    (mail,) = gateways.smtp.messages
    assert mail["to"] == ["staff.x@example.cn"] and problem.number in mail["message"].get_content()
    (sms,) = gateways.sms.received  # the fake recomputed the signature and accepted it
    assert sms["PhoneNumbers"] == "13800001234" and problem.number in sms["TemplateParam"]
    (wx,) = gateways.wechat.sent
    assert wx["touser"] == OPENID and problem.number in wx["data"]["keyword1"]["value"]
    assert wx["url"] == f"https://gongzhi.example.cn/problems/{problem.pk}/"

    # --- the street admin reads the delivery log -------------------------------------------------
    log = office()
    login(log, base, "admin")
    log.goto(f"{base}/")
    log.click("text=外发通知记录")  # in the 管理 menu
    text = log.inner_text("main")
    assert text.count("已发送") >= 3 and "138****1234" in text and "s******@example.cn" in text
    assert "13800001234" not in text and "staff.x@example.cn" not in text
    shot(log, "2-delivery-log")
    log.goto(f"{base}/notifications/events/")
    assert "工单超期" in log.inner_text("main")
    shot(log, "3-events")


def test_the_stairwell_notice_of_a_vote_downloads(browser, live_server, live_world, tmp_path):
    from gongzhi.voting.tests.matrix_cases import world_decisions

    decision = world_decisions(live_world)["open"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    login(page, live_server.url, "oc_a1")
    page.goto(f"{live_server.url}/votes/{decision.pk}/")
    with page.expect_download() as info:
        page.click("text=打印楼道公告")
    target = tmp_path / "notice.pdf"
    info.value.save_as(target)
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "表决公告" in text and decision.title in text and live_world.estate_a1.name in text
    assert "星期" in text  # the dates written out with the weekday
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 — fixed program, our own file
        [
            "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(target),
            str(SCREENSHOTS / "notify-4-stairwell"),
        ],
        check=True,
        timeout=60,
    )
    context.close()
