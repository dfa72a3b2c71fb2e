"""Real browser, real server, the persona world: an eliminated company's estate (星河物业 at 甲一小区, referred
to the owners) is carried to a new company's contract — the street admin follows it from the elimination
page's tracker; the owners' committee on a phone opens the owners' decision (art. 278 matter 4), records the
counted result and chooses the benchmark company with a reason; the street admin records the new contract;
the registry then shows the new company and the company page its badge and its history. Screenshots go to
var/screenshots/replacement-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.testing import build_world
from gongzhi.evaluation import services
from gongzhi.evaluation.models import Replacement
from gongzhi.evaluation.tests.test_replacement import count, referred
from gongzhi.registry.models import Contract
from tests.browser.test_fee_basis import PHONE, login

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def shot(page, name: str) -> None:
    from tests.browser.test_fee_basis import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"replacement-{name}.png"), full_page=True)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("networkidle")


def test_an_eliminated_companys_estate_is_carried_to_a_new_contract(browser, live_server, live_world):
    world = live_world
    rep = referred(world)
    today = timezone.localdate()
    services.benchmark_name(
        actor=world.user("leader"),
        street=world.street,
        company=world.company_y,
        reason="测评第一，四保服务规范",
        starts_on=today,
        ends_on=today + dt.timedelta(days=364),
    )
    base = live_server.url

    # The street admin follows the referred estate from the elimination page's tracker.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, base, "admin")
    desk.goto(f"{base}/evaluation/eliminations/{rep.referral.elimination_id}/")
    tracker = desk.locator("#replacements")
    assert "甲一小区" in tracker.inner_text() and "已移交业主大会" in tracker.inner_text()
    shot(desk, "1-tracker")
    # the vote is the committee's step: the admin is told whose it is and only looks
    assert "等待业委会：发起业主表决" in tracker.inner_text()
    assert tracker.get_by_role("link", name="发起业主表决").count() == 0
    tracker.get_by_role("link", name="查看").click()
    desk.wait_for_load_state("networkidle")
    assert "等待该小区业主委员会发起业主表决" in desk.content()

    # The committee, on a phone, opens the owners' decision (a vote held last week, counted below).
    phone = browser.new_context(**PHONE).new_page()
    login(phone, base, "oc_a1")
    url = f"{base}/evaluation/replacements/{rep.pk}/"
    phone.goto(url)
    closes = timezone.localtime() - dt.timedelta(days=2)
    phone.fill("input[name=opens_at]", (closes - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    phone.fill("input[name=closes_at]", closes.strftime("%Y-%m-%dT%H:%M"))
    shot(phone, "2-open-vote-390")
    click(phone, "发起业主表决")
    rep.refresh_from_db()
    assert rep.decision is not None and rep.decision.matter == 4
    assert "业主表决中" in phone.content()

    # The vote is published, the owners vote on paper and it is counted (the voting app's own steps).
    # The count records the result on the replacement: the committee presses nothing, it only sees it.
    count(world, rep.decision, "yes")
    phone.reload()
    assert phone.locator("section.panel .badge.green", has_text="通过").count() == 1
    assert phone.get_by_role("button", name="登记选聘企业").count() == 1
    # Benchmarks first, with their score and fee elsewhere; choose with a reason.
    first = phone.locator("ul.choice-list li").first
    assert "月湾物业" in first.inner_text() and "标杆企业" in first.inner_text()
    first.locator("input[type=radio]").check()
    phone.fill("textarea[name=reason]", "街道命名的标杆企业，测评综合得分高，物业费合理")
    shot(phone, "3-choose-390")
    click(phone, "登记选聘企业")
    assert "已选定" in phone.content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"

    # The street admin records the new contract from today; the old one ends yesterday. The contract is the
    # admin's own step, so the tracker now offers it as the button.
    desk.goto(f"{base}/evaluation/eliminations/{rep.referral.elimination_id}/")
    desk.locator("#replacements").get_by_role("link", name="登记新合同").click()
    desk.wait_for_load_state("networkidle")
    assert desk.url.endswith(f"/evaluation/replacements/{rep.pk}/")
    desk.fill("input[name=start_date]", today.isoformat())
    desk.fill("input[name=end_date]", (today + dt.timedelta(days=3 * 365)).isoformat())
    desk.fill("input[name=fee_standard]", "0.95")
    desk.fill("input[name=service_level]", "三级")
    click(desk, "登记新合同")
    assert "新合同已生效" in desk.content() and "已完成更换" in desk.content()
    shot(desk, "4-done")
    assert Replacement.objects.get(pk=rep.pk).new_contract.company == world.company_y
    assert Contract.objects.get(pk=world.contract_a1.pk).end_date == today - dt.timedelta(days=1)

    # The registry shows the new company; the company page its badge and its history.
    desk.goto(f"{base}/registry/estates/{world.estate_a1.pk}/")
    assert "月湾物业" in desk.locator("dl.fields").inner_text()
    desk.goto(f"{base}/registry/companies/{world.company_y.pk}/")
    assert "标杆企业" in desk.locator("h1").inner_text()
    assert "业主大会决定解聘星河物业后选聘" in desk.locator("#company-history").inner_text()
    shot(desk, "5-company-y")
    desk.goto(f"{base}/registry/companies/{world.company_x.pk}/")
    assert "末尾淘汰后被解聘更换" in desk.locator("#company-history").inner_text()
    shot(desk, "6-company-x")
