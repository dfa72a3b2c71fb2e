"""The annual price meeting and the intents waiting for the committee in the today list."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.scopes import scope_for
from gongzhi.fees import today as fees_today
from gongzhi.fees.services import fee_intent_check_gate, fee_intent_submit
from gongzhi.fees.tests.gate_helpers import gate_met, price_meeting
from gongzhi.fees.tests.test_intents import open_intent

pytestmark = pytest.mark.django_db


def kinds(world, user):
    account = world.user(user)
    day = timezone.localdate()
    return [(i.kind, i.title, i.due) for i in fees_today.items(account, scope_for(account), day)]


def test_a_committee_without_a_price_meeting_is_reminded(world):
    assert ("fees.price_meeting", "甲一小区 · 年度议价会议", None) in kinds(world, "oc_a1")
    assert kinds(world, "secretary_a") == []  # not the branch's item


def test_the_meeting_shows_a_month_before_it_is_due(world):
    today = timezone.localdate()
    meeting = price_meeting(world, day=today - dt.timedelta(days=334))
    assert [k for k in kinds(world, "oc_a1") if k[0] == "fees.price_meeting"] == []  # due in 31 days
    meeting.starts_at -= dt.timedelta(days=1)
    meeting.save()
    assert ("fees.price_meeting", "甲一小区 · 年度议价会议", today + dt.timedelta(days=30)) in kinds(
        world, "oc_a1"
    )


def test_an_intent_past_the_gate_waits_for_the_committee(world):
    intent = open_intent(world)
    fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    assert ("fees.intent", "甲一小区 · 调价意向", None) in kinds(world, "oc_a1")
    assert not [k for k in kinds(world, "staff_x") if k[0] == "fees.intent"]
