"""The fee-adjustment intent from start to finish, through the services on the persona world: opened by the
company, held at the quality gate by a late rectification item, through after it is closed, the price
meeting, the owners' decision (art. 278 matter 4) and the standard in force on the linked decision."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.fees.models import FeeIntent, FeeStandard, GateCheck, ProposalStatus
from gongzhi.fees.rules import FeeError
from gongzhi.fees.selectors import gate_for
from gongzhi.fees.services import (
    fee_intent_check_gate,
    fee_intent_conclude,
    fee_intent_create,
    fee_intent_open_vote,
    fee_intent_record_meeting,
    fee_intent_reject,
    fee_intent_submit,
    fee_intent_update,
    fee_intent_withdraw,
    fee_standard_create,
)
from gongzhi.fees.tests.gate_helpers import (
    closed_evaluation,
    disclose_months,
    four_services_problem,
    gate_met,
    price_meeting,
)
from gongzhi.voting.models import ElectorateOwner
from gongzhi.voting.services import ballot_enter_paper, decision_close, decision_publish

pytestmark = pytest.mark.django_db
D = Decimal

COSTS = {
    "area": "195.80",
    "income_basis": "1879.68",  # 0.80 × 195.80 × 12
    "collection_basis": "85",
    "staff_cleaning": "900",
    "staff_greening": "300",
    "staff_security": "600",
    "staff_repair": "300",
    "heads_cleaning": "0.5",
    "materials": "100",
    "energy": "120",
    "management": "80",
    "other_cost": "0",
}


def open_intent(world, user="staff_x", **extra):
    values = {
        "proposed_amount": "1.10",
        "effective_from": timezone.localdate() + dt.timedelta(days=60),
        "reasons": "最低工资标准上调，保洁、保安人员成本增加。",
        **COSTS,
        **extra,
    }
    return fee_intent_create(actor=world.user(user), estate=world.estate_a1, **values)


def counted(world, decision, choice="yes"):
    committee = world.user("oc_a1")
    decision = decision_publish(actor=committee, decision=decision, now=decision.opens_at)
    for voter in ElectorateOwner.objects.filter(decision=decision):
        ballot_enter_paper(
            actor=committee,
            decision=decision,
            voter=voter,
            choice=choice,
            collector_name="王建国",
            now=decision.opens_at,
        )
    return decision_close(actor=committee, decision=decision, now=decision.closes_at)


def vote_window():
    opens = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    return {"opens_at": opens, "closes_at": opens + dt.timedelta(days=7)}


def test_an_intent_from_the_gate_to_the_effective_standard(world):
    today = timezone.localdate()
    standard = fee_standard_create(
        actor=world.user("admin"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="0.80",
        unit="yuan_m2_month",
        effective_from=world.contract_a1.start_date,
        basis="contract",
        basis_contract=world.contract_a1,
    )
    intent = open_intent(world)
    assert intent.status == "draft" and intent.opened_as == "company" and intent.current_amount == D("0.80")
    intent = fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    assert intent.status == "submitted"

    gate_met(world)
    late = four_services_problem(world, deadline=today - dt.timedelta(days=1))
    check = fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    intent.refresh_from_db()
    assert not check.open and intent.status == "gate"
    assert [c["key"] for c in check.conditions if not c["met"]] == ["rectifications"]
    assert late.number in check.conditions[0]["evidence"]

    late.status = "closed"
    late.save()
    check = fee_intent_check_gate(actor=world.user("oc_a1"), intent=intent)
    intent.refresh_from_db()
    assert check.open and intent.status == "meeting"
    assert GateCheck.objects.filter(intent=intent).count() == 2

    meeting = price_meeting(world, day=today, title="2026年度议价会议")
    with pytest.raises(PermissionDenied):  # the company takes part, the committee records
        fee_intent_record_meeting(
            actor=world.user("staff_x"),
            intent=intent,
            meeting=meeting,
            committee_position="同意",
            outcome="agreed",
            agreed_amount="1.00",
        )
    intent = fee_intent_record_meeting(
        actor=world.user("oc_a1"),
        intent=intent,
        meeting=meeting,
        committee_position="成本测算基本属实，同意小幅上调，低于企业提出的 1.10 元。",
        outcome="agreed",
        agreed_amount="1.00",
        note="企业承诺增加一名保洁员。",
    )
    assert intent.status == "meeting" and intent.agreed_amount == D("1.0000")
    assert intent.proposal.amount == D("1.0000") and intent.proposal.status == ProposalStatus.PROPOSED

    with pytest.raises(FeeError, match="尚未进入业主表决"):
        fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    decision = fee_intent_open_vote(actor=world.user("oc_a1"), intent=intent, **vote_window())
    intent.refresh_from_db()
    assert intent.status == "vote" and decision.matter == 4 and "1.00 元" in decision.text
    with pytest.raises(FeeError, match="尚未截止计票"):
        fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    with pytest.raises(FeeError, match="不能撤回"):
        fee_intent_withdraw(actor=world.user("staff_x"), intent=intent, reason="改变主意")

    decision = counted(world, decision)
    assert decision.passed is True
    intent = fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "effective" and intent.closed_at is not None
    new = intent.standard
    assert (
        new.amount == D("1.0000") and new.basis == "owners_assembly" and new.basis_decision_id == decision.pk
    )
    assert new.supersedes_id == standard.pk
    assert new.effective_from == intent.effective_from  # counted before the proposed day
    intent.proposal.refresh_from_db()
    assert intent.proposal.status == ProposalStatus.ADOPTED and intent.proposal.standard_id == new.pk
    steps = [
        e.changes.get("step")
        for e in AuditEvent.objects.filter(object_type="fees.FeeIntent", object_id=str(intent.pk)).order_by(
            "pk"
        )
    ]
    assert steps == [None, "submit", "gate_failed", "gate_passed", "agreed", "vote", "passed"]


def test_a_failed_vote_is_recorded_with_its_gate_and_meeting(world):
    intent = open_intent(world, user="oc_a1")
    fee_intent_submit(actor=world.user("oc_a1"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("oc_a1"), intent=intent)
    meeting = price_meeting(world, day=timezone.localdate())
    fee_intent_record_meeting(
        actor=world.user("oc_a1"),
        intent=intent,
        meeting=meeting,
        committee_position="同意",
        outcome="agreed",
        agreed_amount="1.10",
    )
    decision = fee_intent_open_vote(actor=world.user("oc_a1"), intent=intent, **vote_window())
    counted(world, decision, choice="no")
    intent = fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "rejected" and intent.standard is None and intent.meeting_id == meeting.pk
    assert intent.gate_checks.filter(open=True).exists()
    assert not FeeStandard.objects.filter(estate=world.estate_a1, amount=D("1.10")).exists()


def test_no_agreement_at_the_meeting_ends_the_intent(world):
    intent = open_intent(world)
    fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    with pytest.raises(FeeError, match="议价会议达成一致后"):
        fee_intent_open_vote(actor=world.user("oc_a1"), intent=intent, **vote_window())
    intent = fee_intent_record_meeting(
        actor=world.user("oc_a1"),
        intent=intent,
        meeting=price_meeting(world, day=timezone.localdate()),
        committee_position="服务未见改善，不同意调价。",
        outcome="no_agreement",
    )
    assert intent.status == "rejected" and intent.proposal is None and intent.closing_reason


def test_a_meeting_before_the_submission_cannot_be_its_negotiation(world):
    intent = open_intent(world)
    fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    old = gate_met(world)  # held 30 days ago: the annual meeting the gate asks for
    fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    with pytest.raises(FeeError, match="早于调价意向的提交日期"):
        fee_intent_record_meeting(
            actor=world.user("oc_a1"),
            intent=intent,
            meeting=old,
            committee_position="同意",
            outcome="agreed",
            agreed_amount="1.00",
        )


def test_who_may_do_what(world):
    for user in ("secretary_a", "leader", "owner_a1", "outsider", "other_admin"):
        with pytest.raises(PermissionDenied):
            open_intent(world, user=user)
    intent = open_intent(world)
    with pytest.raises(FeeError, match="已有一项进行中的调价意向"):
        open_intent(world, user="oc_a1")
    with pytest.raises(PermissionDenied):  # the committee does not edit the company's intent
        fee_intent_update(
            actor=world.user("oc_a1"),
            intent=intent,
            proposed_amount="0.90",
            effective_from=intent.effective_from,
            reasons="x",
            **COSTS,
        )
    with pytest.raises(PermissionDenied):  # the company does not reject
        fee_intent_reject(actor=world.user("staff_x"), intent=intent, reason="x")
    with pytest.raises(FeeError, match="请填写撤回的理由"):
        fee_intent_withdraw(actor=world.user("staff_x"), intent=intent, reason=" ")
    intent = fee_intent_withdraw(actor=world.user("staff_x"), intent=intent, reason="先完成四保整改再议。")
    assert intent.status == "withdrawn"
    assert open_intent(world, user="oc_a1").status == "draft"  # a new one may now be opened


def test_submit_needs_a_complete_cost_account(world):
    intent = open_intent(world, area="", collection_basis="")
    with pytest.raises(FeeError, match="收费面积"):
        fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    assert FeeIntent.objects.get(pk=intent.pk).status == "draft"


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "必须大于 0"), ("1.23456", "最多 4 位小数"), ("abc", "不是数字"), ("-1", "不能为负数")],
)
def test_the_proposed_standard_is_exact(world, value, message):
    with pytest.raises(FeeError, match=message):
        open_intent(world, proposed_amount=value)


# ---- the gate's facts read from the real records, at their bounds ------------------------------------------


def conditions(world):
    return {row["c"].key: row["c"] for row in gate_for(world.estate_a1)["conditions"]}


def test_gate_twelve_months_disclosed_but_not_eleven(world):
    disclose_months(world, 11)
    assert not conditions(world)["disclosure"].met
    disclose_months(world, 12)
    assert conditions(world)["disclosure"].met


@pytest.mark.parametrize(("score", "met"), [("80.00", True), ("79.99", False), ("80.004", True)])
def test_gate_score_at_the_threshold(world, score, met):
    closed_evaluation(world, score=score)
    assert conditions(world)["evaluation"].met is met


def test_gate_bottom_class_fails_whatever_the_score(world):
    closed_evaluation(world, score="90", score_class="elimination")
    assert not conditions(world)["evaluation"].met


def test_gate_item_one_day_past_its_deadline(world):
    today = timezone.localdate()
    four_services_problem(world, deadline=today)
    four_services_problem(world, deadline=today, code="security", status="submitted")
    assert conditions(world)["rectifications"].met  # due today: not late
    late = four_services_problem(world, deadline=today - dt.timedelta(days=1), code="greening")
    got = conditions(world)["rectifications"]
    assert not got.met and late.number in got.evidence
    four_services_problem(
        world, deadline=today - dt.timedelta(days=9), code="parking"
    )  # not the four services
    assert conditions(world)["rectifications"].evidence.startswith("1 项")


def test_gate_meeting_365_days_ago_counts_366_does_not(world):
    today = timezone.localdate()
    meeting = price_meeting(world, day=today - dt.timedelta(days=366))
    assert not conditions(world)["meeting"].met
    meeting.starts_at -= dt.timedelta(days=-1)
    meeting.save()
    assert conditions(world)["meeting"].met
    meeting.cancelled = True
    meeting.save()
    assert not conditions(world)["meeting"].met


def test_gate_uses_the_streets_thresholds(world):
    from gongzhi.fees.services import gate_rule_update

    closed_evaluation(world, score="85")
    assert conditions(world)["evaluation"].met
    gate_rule_update(
        actor=world.user("admin"),
        street=world.street,
        min_score="85.01",
        disclosure_months=6,
        meeting_within_days=365,
    )
    got = conditions(world)
    assert not got["evaluation"].met and "85.01" in got["evaluation"].label
    with pytest.raises(PermissionDenied):
        gate_rule_update(
            actor=world.user("oc_a1"),
            street=world.street,
            min_score="60",
            disclosure_months=6,
            meeting_within_days=365,
        )
    with pytest.raises(FeeError, match="1 到 36"):
        gate_rule_update(
            actor=world.user("admin"),
            street=world.street,
            min_score="60",
            disclosure_months=0,
            meeting_within_days=365,
        )


def test_the_intents_draft_vote_cannot_be_deleted_from_the_voting_page(world):
    """The owners' vote opened by an intent is held by the intent: the voting service refuses to delete the
    draft (a plain reason, not a server error) and the intent keeps its vote."""
    from gongzhi.voting.models import Decision
    from gongzhi.voting.services import VotingError, decision_delete

    intent = open_intent(world, user="oc_a1")
    fee_intent_submit(actor=world.user("oc_a1"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("oc_a1"), intent=intent)
    fee_intent_record_meeting(
        actor=world.user("oc_a1"),
        intent=intent,
        meeting=price_meeting(world, day=timezone.localdate()),
        committee_position="同意",
        outcome="agreed",
        agreed_amount="1.10",
    )
    decision = fee_intent_open_vote(actor=world.user("oc_a1"), intent=intent, **vote_window())
    with pytest.raises(VotingError, match="不能在这里删除"):
        decision_delete(actor=world.user("oc_a1"), decision=decision)
    assert Decision.objects.filter(pk=decision.pk).exists()
    intent.refresh_from_db()
    assert intent.decision_id == decision.pk
