"""An increase from start to finish in a real browser (docs/FEES.md §5): company X's staff open a
fee-adjustment intent for estate A1 with their cost account and submit it; the quality gate fails on a
cleaning item one day past its deadline, and passes once that item is closed; the owners' committee, on a
phone, records the price meeting's agreed standard and opens the owners' decision; the owners vote it through
(voting's services) and the committee concludes — the standard is in force on the linked decision and the
public disclosure book shows it. Screenshots: var/screenshots/fee-intent-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.testing import build_world
from gongzhi.fees.models import FeeIntent, FeeStandard
from gongzhi.fees.tests.gate_helpers import four_services_problem, gate_met, price_meeting
from gongzhi.voting.models import ElectorateOwner
from tests.browser.test_fee_basis import PHONE, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("networkidle")


def test_an_intent_through_the_gate_the_meeting_and_the_owners_decision(browser, live_server, live_world):
    from gongzhi.voting.services import ballot_enter_paper, decision_close, decision_publish

    base, world = live_server.url, live_world
    a1, today = world.estate_a1.pk, timezone.localdate()
    gate_met(world)
    late = four_services_problem(world, deadline=today - dt.timedelta(days=1))

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, base, "staff_x")
    desk.goto(f"{base}/fees/{a1}/intent/")
    for field, value in {
        "proposed_amount": "1.10",
        "effective_from": today.isoformat(),
        "reasons": "最低工资标准上调，保洁、保安人员成本增加。",
        "area": "195.80",
        "income_basis": "1879.68",
        "collection_basis": "85",
        "staff_cleaning": "900",
        "heads_cleaning": "0.5",
        "staff_security": "600",
        "energy": "120",
    }.items():
        desk.fill(f"#id_{field}", value)
    desk.click("form.wide-fields button[type=submit]")
    desk.wait_for_load_state("networkidle")
    intent = FeeIntent.objects.get()
    assert desk.url.rstrip("/").endswith(f"/fees/intents/{intent.pk}")
    assert "1,620.00" in desk.inner_text(".cost-account")  # 900 + 600 + 120
    click(desk, "提交调价意向")
    click(desk, "核查质量门槛")
    unmet = desk.inner_text(".gate-item.unmet")
    assert "逾期未销项" in unmet and late.number in unmet
    shot(desk, "intent-gate-failed")

    late.status = "closed"  # the company rectified it and the branch accepted it
    late.save()
    click(desk, "核查质量门槛")
    intent.refresh_from_db()
    assert intent.status == "meeting" and "议价会议" in desk.inner_text(".intent-steps li.now")
    assert "门槛已满足" in desk.inner_text(
        "#gate details summary >> nth=0"
    )  # the latest check, above the failed one
    shot(desk, "intent-gate-passed")
    desk.context.close()

    meeting = price_meeting(world, day=today, title="甲一小区年度议价会议")
    phone = browser.new_context(**PHONE).new_page()
    login(phone, base, "oc_a1")
    phone.goto(f"{base}/fees/intents/{intent.pk}/")
    phone.select_option("#id_meeting", str(meeting.pk))
    phone.fill("#id_committee_position", "成本测算基本属实，同意上调到 1.00 元。")
    phone.select_option("#id_outcome", "agreed")
    phone.fill("#id_agreed_amount", "1.00")
    click(phone, "登记议价结果")
    # The owners' vote ran over the last week (a window in the past keeps the test in real time).
    opens = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(days=8)
    phone.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#id_closes_at", (opens + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    shot(phone, "intent-vote-phone")
    click(phone, "发起业主表决")
    intent.refresh_from_db()
    assert intent.status == "vote" and phone.url.rstrip("/").endswith(f"/votes/{intent.decision_id}")
    decision = intent.decision
    assert decision.matter == 4

    committee = world.user("oc_a1")
    decision = decision_publish(actor=committee, decision=decision, now=decision.opens_at)
    for voter in ElectorateOwner.objects.filter(decision=decision):
        ballot_enter_paper(
            actor=committee,
            decision=decision,
            voter=voter,
            choice="yes",
            collector_name="王建国",
            now=decision.opens_at,
        )
    decision_close(actor=committee, decision=decision, now=decision.closes_at)

    phone.goto(f"{base}/fees/intents/{intent.pk}/")
    click(phone, "按表决结果办结")
    intent.refresh_from_db()
    assert intent.status == "effective"
    standard = FeeStandard.objects.get(pk=intent.standard_id)
    assert (standard.amount_text, standard.basis_decision_id, standard.effective_from) == (
        "1.00",
        decision.pk,
        today,
    )
    assert "已生效" in phone.inner_text(".intent-steps li.now")
    shot(phone, "intent-effective-phone")

    public = browser.new_context(**PHONE).new_page()
    public.goto(f"{base}/disclosure/{a1}/")
    assert "1.00 元/m²/月" in public.content()
    assert public.locator(f'a[href="/decide/{decision.pk}/"]').count() == 1
    public.locator("summary", has_text="物业收费标准").first.click()
    shot(public, "intent-book")
