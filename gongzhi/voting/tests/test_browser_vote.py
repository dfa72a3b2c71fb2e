"""From an activation letter to a counted ballot, in a real browser against a real server:

the owners' committee (oc_a1) prints the activation letters of estate A1 and downloads the PDF; the
buyer 钱多多 (two units) opens the letter's QR link on a phone, chooses a login and a password and
lands on the portal home; opens the open decision, votes 同意 with a confirmation and reads the receipt;
the committee follows participation and the door-to-door list; the vote is closed and the preliminary
result published (services); on the public result page, without a login, the receipt is looked up:
"counted as cast".

Screenshots go to var/screenshots/voting-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.core.pdf import pdf_text
from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.registry import models as r
from gongzhi.voting import services
from gongzhi.voting.models import Ballot
from gongzhi.voting.tests.helpers import draft, published

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESK = {"viewport": {"width": 1280, "height": 900}}
CODE = re.compile(r"\b([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})\b")
NEW_PASSWORD = "Qian-duo-duo-2026"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    building2 = r.Building.objects.create(estate=world.estate_a1, number="2号", floors=6)
    buyer = r.Owner.objects.create(street=world.street, ref="A1-9", name="钱多多", phone="13900009999")
    r.Unit.objects.create(building=world.building_a1, number="401", area=Decimal("80.00"), owner=buyer)
    r.Unit.objects.create(building=building2, number="101", area=Decimal("90.00"), owner=buyer)
    return world


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"voting-{name}.png"), full_page=True)


def login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_from_activation_letter_to_a_counted_ballot(browser, live_server, live_world, tmp_path):
    base = live_server.url
    world = live_world
    decision = published(world)
    upcoming = draft(world, matter=6)  # a draft to look at the publish screen

    # --- the committee prints the letters ---------------------------------------------------------
    office = browser.new_context(**DESK, accept_downloads=True)
    desk = office.new_page()
    login(desk, base, "oc_a1")
    desk.goto(f"{base}/my/letters/{world.estate_a1.pk}/")
    shot(desk, "01-letters")
    with desk.expect_download() as download_info:
        desk.click("#issue button[type=submit]")
    pdf_path = tmp_path / "letters.pdf"
    download_info.value.save_as(pdf_path)
    pages = pdf_text(pdf_path.read_bytes()).split("\f")
    letter = next(p for p in pages if "钱**" in p)
    assert "401" in letter and "101" in letter and "钱多多" not in letter
    code = CODE.search(letter).group(1)

    # --- the buyer activates on a phone (the QR code opens this link) ----------------------------
    resident = browser.new_context(**PHONE)
    phone = resident.new_page()
    phone.goto(f"{base}/my/activate/?code={code}")
    assert phone.input_value("#id_code") == code
    assert no_horizontal_scroll(phone)
    shot(phone, "02-activate-code")
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/my/activate/account/")
    assert "钱**" in phone.content()
    phone.fill("#id_username", "13900009999")
    phone.fill("#id_password1", NEW_PASSWORD)
    phone.fill("#id_password2", NEW_PASSWORD)
    shot(phone, "03-activate-account")
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/my/")
    assert "激活成功" in phone.locator(".messages").inner_text()
    user = User.objects.get(username="13900009999")
    assert RoleGrant.objects.filter(user=user, role=Role.OWNER).count() == 2
    shot(phone, "04-portal-home")

    # --- the buyer votes ----------------------------------------------------------------------------
    phone.click(".bottom-nav a[href='/votes/mine/']")
    assert "我还没有投票" in phone.content()
    shot(phone, "05-my-votes")
    phone.click(f"a[href='/votes/mine/{decision.pk}/']")
    assert no_horizontal_scroll(phone)
    shot(phone, "06-decision")
    phone.click("label.vote-choice:has-text('同意')")
    phone.click("#vote button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "同意" in phone.locator(".big-choice").inner_text()
    shot(phone, "07-confirm")
    phone.click("#confirm button[type=submit]")
    phone.wait_for_load_state("networkidle")
    receipt = phone.locator("#receipt").inner_text().strip()
    ballot = Ballot.objects.get(decision=decision)
    assert receipt == ballot.receipt and ballot.choice == "yes" and ballot.channel == "online"
    assert "投票成功" in phone.locator(".messages").inner_text()
    assert no_horizontal_scroll(phone)
    shot(phone, "08-receipt")

    # --- the committee follows participation -------------------------------------------------------
    desk.goto(f"{base}/votes/")
    shot(desk, "09-office-list")
    desk.goto(f"{base}/votes/{decision.pk}/")
    participation = desk.locator("#participation").inner_text()
    assert "170.00 / 365.80" in participation and "1 / 4" in participation
    assert desk.locator("#result").count() == 0
    shot(desk, "10-office-detail-open")
    desk.goto(f"{base}/votes/{decision.pk}/canvass/")
    assert "业主A11" in desk.content() and "钱多多" not in desk.content()
    shot(desk, "11-canvass")
    desk.goto(f"{base}/votes/{decision.pk}/ballots/")
    shot(desk, "12-ballots")
    desk.goto(f"{base}/votes/{upcoming.pk}/publish/")
    assert "365.80" in desk.content()
    shot(desk, "13-publish-confirm")

    # --- close and publish the preliminary result (the services; the window is a week long) -------
    oc = world.user("oc_a1")
    services.decision_close(actor=oc, decision=decision, now=decision.closes_at)
    services.result_publish_preliminary(actor=oc, decision=decision, now=decision.closes_at)
    desk.goto(f"{base}/votes/{decision.pk}/")
    assert "未通过" in desk.locator("#result").inner_text()
    shot(desk, "14-office-result")
    phone.goto(f"{base}/votes/mine/{decision.pk}/")
    shot(phone, "15-owner-result")
    office.close()

    # --- anyone checks the receipt on the public page ---------------------------------------------
    public = browser.new_context(**PHONE)
    visitor = public.new_page()
    visitor.goto(f"{base}/decide/estate/{world.estate_a1.pk}/")
    shot(visitor, "16-public-estate")
    visitor.click(f"a[href='/decide/{decision.pk}/']")
    visitor.fill("#id_code", receipt.lower())
    visitor.click("#receipt-lookup button[type=submit]")
    visitor.wait_for_load_state("networkidle")
    assert "您的选票已按所投计入" in visitor.locator("#lookup").inner_text()
    assert "同意" not in visitor.locator("#lookup").inner_text()
    assert no_horizontal_scroll(visitor)
    shot(visitor, "17-public-receipt")
    public.close()
    resident.close()


def test_the_decision_pages_fit_a_phone_before_the_window_opens(browser, live_server, live_world):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    decision = draft(live_world, opens_at=start, closes_at=start + dt.timedelta(days=5))
    services.decision_publish(actor=live_world.user("oc_a1"), decision=decision, now=dt.datetime.now(dt.UTC))
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    login(phone, live_server.url, "owner_a1")
    phone.goto(f"{live_server.url}/votes/mine/{decision.pk}/")
    assert "投票将于" in phone.content() and phone.locator("#vote").count() == 0
    assert no_horizontal_scroll(phone)
    shot(phone, "18-not-yet-open")
    context.close()
