"""数据体检 plug-in of the elections (elections/health.py): known answers on the persona world, whose
estate A1 has a committee elected 400 days ago for a term ending in 700 days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.health import ERROR, WARNING, run_health
from gongzhi.elections import rules
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.registry.models import OwnersCommittee
from gongzhi.voting.models import Decision, DecisionStatus, Matter


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def _slate(world, estate, day, status=SlateStatus.APPROVED):
    return Slate.objects.create(estate=estate, election_date=day, planned_size=5, status=status)


def test_rules_known_answers():
    assert rules.elected_term_found(dt.date(2026, 3, 1), [dt.date(2026, 3, 1)])
    assert rules.elected_term_found(dt.date(2026, 3, 1), [dt.date(2026, 5, 30)])  # day 90
    assert not rules.elected_term_found(dt.date(2026, 3, 1), [dt.date(2026, 5, 31)])  # day 91
    assert not rules.elected_term_found(dt.date(2026, 3, 1), [dt.date(2026, 2, 28)])
    assert rules.election_is_early(dt.date(2026, 7, 22), dt.date(2029, 6, 3))
    assert not rules.election_is_early(dt.date(2028, 6, 3), dt.date(2029, 6, 3))  # exactly 12 months
    assert rules.election_is_early(dt.date(2028, 6, 2), dt.date(2029, 6, 3))


def test_an_approved_election_missing_from_the_registry_is_an_error(world):
    code = "elections.elections_in_registry"
    today = timezone.localdate()
    _slate(world, world.estate_a2, today - dt.timedelta(days=30))
    _slate(
        world, world.estate_b1, today - dt.timedelta(days=30), status=SlateStatus.SUBMITTED
    )  # not approved
    _slate(world, world.estate_b1, today + dt.timedelta(days=10))  # not held yet
    (finding,) = _findings(world, code)
    assert finding[0] == ERROR and finding[1].startswith("甲二小区：换届人选已审核通过")
    OwnersCommittee.objects.create(
        estate=world.estate_a2,
        term_start=today - dt.timedelta(days=20),
        term_end=today + dt.timedelta(days=1800),
    )
    assert _findings(world, code) == []


def test_a_passed_election_vote_missing_from_the_registry_is_an_error(world):
    now = timezone.now()
    Decision.objects.create(
        estate=world.estate_a2,
        title="选举第二届业主委员会",
        matter=Matter.COMMITTEE,
        text="选举",
        opens_at=now - dt.timedelta(days=40),
        closes_at=now - dt.timedelta(days=30),
        closed_at=now - dt.timedelta(days=30),
        finalised_at=now - dt.timedelta(days=20),
        status=DecisionStatus.FINAL,
        passed=True,
    )
    (finding,) = _findings(world, "elections.elections_in_registry")
    assert "选举第二届业主委员会" in finding[1] and "台账中没有这一届业委会" in finding[1]


def test_a_reelection_months_after_the_term_began_is_flagged(world):
    code = "elections.election_timing"
    OwnersCommittee.objects.filter(pk=world.committee_a1.pk).update(
        term_start=dt.date(2025, 3, 10), term_end=dt.date(2028, 3, 10)
    )
    slate = _slate(world, world.estate_a1, dt.date(2025, 6, 10))
    (finding,) = _findings(world, code)
    assert finding == (
        WARNING,
        "甲一小区：换届选举日2025年6月10日距现任业委会任期开始（2025年3月10日）仅3个月，任期至2028年3月10日。",
    )
    Slate.objects.filter(pk=slate.pk).update(election_date=dt.date(2027, 12, 1))
    assert _findings(world, code) == []


@pytest.mark.parametrize(("ends_in", "severity"), [(60, WARNING), (-1, ERROR)])
def test_a_committee_due_without_a_slate_is_flagged(world, ends_in, severity):
    code = "elections.due_committees_have_slate"
    today = timezone.localdate()
    OwnersCommittee.objects.filter(pk=world.committee_a1.pk).update(
        term_end=today + dt.timedelta(days=ends_in)
    )
    ((found_severity, message),) = _findings(world, code)
    assert found_severity == severity and message.startswith("甲一小区：业委会任期")
    _slate(world, world.estate_a1, today + dt.timedelta(days=30), status=SlateStatus.DRAFT)
    assert _findings(world, code) == []
