"""The demo street's fee-adjustment intents (fees/demo_data.demo_finish): the seed's 13 estates that proposed an
increase, in their stages, every one made through the intent services and every gate result true to the
records it read on the day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.fees.models import FeeIntent
from gongzhi.fees.rules import check_quality_gate, gate_open
from gongzhi.fees.selectors import gate_evidence, gate_settings

pytestmark = pytest.mark.django_db


def test_thirteen_intents_in_their_stages_each_gate_result_true_to_its_records(demo):
    intents = list(FeeIntent.objects.filter(estate__area__street=demo.street).select_related("estate__area"))
    assert len(intents) == 13 and len({i.estate_id for i in intents}) == 13
    stages = Counter(i.status for i in intents)
    assert stages["draft"] == 3 and stages["submitted"] == 2
    assert stages["withdrawn"] == 1 and stages["rejected"] == 1
    assert stages["gate"] + stages["meeting"] == 6
    sides = Counter(i.opened_as for i in intents)
    assert sides == {"company": 12, "committee": 1}
    committee = next(i for i in intents if i.opened_as == "committee")
    oc = User.objects.get(username="demo_oc")
    assert committee.opened_by == oc and committee.status in {"gate", "meeting"}
    today = timezone.localdate()
    for intent in intents:
        # every proposal is an increase on the fee in force, effective in the future, with a complete account
        assert intent.proposed_amount > intent.current_amount and intent.effective_from > today
        assert intent.area and intent.income_basis and intent.collection_basis
        assert intent.opened_at <= timezone.now()
        if intent.status == "draft":
            assert intent.submitted_at is None and not intent.gate_checks.exists()
            continue
        assert intent.opened_at < intent.submitted_at <= timezone.now()
        checks = list(intent.gate_checks.all())
        if intent.status == "submitted":
            assert checks == []
            continue
        (check,) = checks
        rule = gate_settings(intent.estate.area.street_id)
        evidence = gate_evidence(intent.estate, today=today, months=rule.disclosure_months)
        conditions = check_quality_gate(evidence.facts, today=today, settings=rule)
        assert check.open == gate_open(conditions)
        assert [c["met"] for c in check.conditions] == [c.met for c in conditions]
        if intent.status in {"gate", "meeting"}:
            assert (intent.status == "meeting") == check.open
    withdrawn = next(i for i in intents if i.status == "withdrawn")
    rejected = next(i for i in intents if i.status == "rejected")
    assert withdrawn.closing_reason and rejected.closing_reason and withdrawn.closed_at and rejected.closed_at


@pytest.mark.demo(today=timezone.localdate() - dt.timedelta(days=40))
def test_a_demo_of_another_day_has_no_intents_rather_than_a_story_out_of_order(demo):
    assert not FeeIntent.objects.filter(estate__area__street=demo.street).exists()
