"""An intent at 业主表决 follows its linked decision even when the draft was changed in the voting app: a matter
other than art. 278 (4), or a vote of some buildings only, can never make the standard, so the intent is
released back to its agreed price meeting (before the count) or closed as 未通过 (after it) — never stuck."""

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.fees.models import FeeStandard
from gongzhi.fees.rules import DecisionFacts, FeeError, vote_misfit
from gongzhi.fees.services import (
    fee_intent_check_gate,
    fee_intent_conclude,
    fee_intent_follow_decision,
    fee_intent_open_vote,
    fee_intent_record_meeting,
    fee_intent_submit,
)
from gongzhi.fees.tests.gate_helpers import gate_met, price_meeting
from gongzhi.fees.tests.test_intents import counted, open_intent, vote_window
from gongzhi.voting.models import Decision
from gongzhi.voting.services import decision_delete, decision_update

pytestmark = pytest.mark.django_db


def facts(**kw):
    base = {
        "estate_id": 7,
        "title": "调整物业费",
        "matter": 4,
        "counted": False,
        "passed": None,
        "whole_estate": True,
        "closed_on": None,
    }
    return DecisionFacts(**{**base, **kw})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, None),
        ({"matter": 3}, "第（3）项"),
        ({"matter": 5}, "第（5）项"),
        ({"matter": 8}, "第（8）项"),
        ({"whole_estate": False}, "部分楼栋"),
        ({"estate_id": 8}, "不是本小区"),
    ],
)
def test_vote_misfit_names_what_changed(changes, expected):
    reason = vote_misfit(facts(**changes), estate_id=7)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def at_vote(world):
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
    intent.refresh_from_db()
    return intent, decision


def test_an_unchanged_draft_keeps_the_intent_waiting(world):
    intent, decision = at_vote(world)
    intent = fee_intent_follow_decision(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "vote" and intent.decision_id == decision.pk
    with pytest.raises(FeeError, match="尚未截止计票"):
        fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)


def test_a_draft_changed_to_another_matter_releases_the_intent_to_vote_again(world):
    intent, decision = at_vote(world)
    decision_update(actor=world.user("oc_a1"), decision=decision, matter=5)
    intent = fee_intent_follow_decision(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "meeting" and intent.decision_id is None and intent.outcome == "agreed"
    event = AuditEvent.objects.filter(object_type="fees.FeeIntent", object_id=str(intent.pk)).latest("pk")
    assert event.changes["step"] == "release_vote" and "第（5）项" in event.changes["reason"]
    # the old draft is no longer held by the intent; a new vote of matter 4 can be opened
    decision_delete(actor=world.user("oc_a1"), decision=Decision.objects.get(pk=decision.pk))
    again = fee_intent_open_vote(actor=world.user("oc_a1"), intent=intent, **vote_window())
    intent.refresh_from_db()
    assert again.matter == 4 and intent.status == "vote" and intent.decision_id == again.pk
    counted(world, again)
    intent = fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "effective" and intent.standard.basis_decision_id == again.pk


def test_a_draft_narrowed_to_some_buildings_releases_the_intent(world):
    intent, decision = at_vote(world)
    decision_update(
        actor=world.user("oc_a1"), decision=decision, buildings=[world.estate_a1.buildings.first()]
    )
    intent = fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "meeting" and intent.decision_id is None


def test_a_counted_decision_of_another_matter_closes_the_intent_instead_of_leaving_it_stuck(world):
    intent, decision = at_vote(world)
    decision_update(actor=world.user("oc_a1"), decision=decision, matter=5)
    decision = counted(world, Decision.objects.get(pk=decision.pk))
    assert decision.passed is True  # the owners passed something — but not a fee change of matter 4
    intent = fee_intent_conclude(actor=world.user("oc_a1"), intent=intent)
    assert intent.status == "rejected" and intent.closed_at is not None
    assert "第（5）项" in intent.closing_reason
    assert not FeeStandard.objects.filter(estate=world.estate_a1, basis_decision=decision).exists()


def test_the_intent_page_offers_the_way_out(world, client):
    intent, decision = at_vote(world)
    decision_update(actor=world.user("oc_a1"), decision=decision, matter=5)
    client.force_login(world.user("oc_a1"))
    page = client.get(f"/fees/intents/{intent.pk}/").content.decode()
    assert "关联的业主表决事项已被修改" in page and "解除关联或按结果办结" in page
    response = client.post(f"/fees/intents/{intent.pk}/conclude/")
    assert response.status_code == 302
    intent.refresh_from_db()
    assert intent.status == "meeting" and intent.decision_id is None
    # the company reads the intent but never concludes it
    client.force_login(world.user("staff_x"))
    page = client.get(f"/fees/intents/{intent.pk}/").content.decode()
    assert "解除关联或按结果办结" not in page


def test_follow_ignores_intents_not_at_the_vote(world):
    intent = open_intent(world, user="oc_a1")
    assert fee_intent_follow_decision(actor=world.user("oc_a1"), intent=intent).status == "draft"
