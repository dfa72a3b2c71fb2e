"""The replacement's stage machine and the contract continuity rule, at their bounds (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.evaluation import replacement as rules
from gongzhi.evaluation.replacement import ReplacementFacts

D = dt.date(2026, 6, 1)


def facts(vote=False, outcome=None, chosen=False, start=None):
    return ReplacementFacts(vote_opened=vote, outcome=outcome, chosen=chosen, contract_start=start)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (facts(), rules.REFERRED),
        (facts(vote=True), rules.VOTING),
        (facts(vote=True, outcome=False), rules.KEPT),
        (facts(vote=True, outcome=True), rules.SELECTING),
        (facts(vote=True, outcome=True, chosen=True), rules.CHOSEN),
        (facts(vote=True, outcome=True, chosen=True, start=D + dt.timedelta(days=1)), rules.CONTRACTED),
        (facts(vote=True, outcome=True, chosen=True, start=D), rules.DONE),  # in force from its start day
        (facts(vote=True, outcome=True, chosen=True, start=D - dt.timedelta(days=1)), rules.DONE),
    ],
)
def test_stage_of_each_fact_set(f, expected):
    assert rules.stage(f, D) == expected


def test_each_action_only_in_its_stages():
    assert [s for s in rules.STAGES if rules.may("open_vote", s)] == [rules.REFERRED]
    assert [s for s in rules.STAGES if rules.may("record_outcome", s)] == [rules.VOTING]
    assert [s for s in rules.STAGES if rules.may("choose", s)] == [rules.SELECTING, rules.CHOSEN]
    assert [s for s in rules.STAGES if rules.may("contract", s)] == [rules.CHOSEN]
    assert not any(rules.may("nonsense", s) for s in rules.STAGES)
    # Nothing moves a finished replacement or a failed vote; a pending contract waits for its date.
    assert {s: rules.next_action(s) for s in rules.STAGES} == {
        rules.REFERRED: "open_vote",
        rules.VOTING: "record_outcome",
        rules.KEPT: None,
        rules.SELECTING: "choose",
        rules.CHOSEN: "contract",
        rules.CONTRACTED: None,
        rules.DONE: None,
    }


def test_outcome_needs_a_counted_matter_4_vote_of_the_estate():
    ok = {"matter": 4, "same_estate": True, "counted": True}
    assert rules.outcome_error(**ok, passed=True) is None
    assert rules.outcome_error(**ok, passed=False) is None
    assert "尚未截止计票" in rules.outcome_error(matter=4, same_estate=True, counted=False, passed=None)
    assert "第（四）项" in rules.outcome_error(matter=9, same_estate=True, counted=True, passed=True)
    assert "不属于本小区" in rules.outcome_error(matter=4, same_estate=False, counted=True, passed=True)


def test_choice_needs_another_company_and_a_reason():
    assert rules.choice_error(chosen_company_id=2, dismissed_company_id=1, reason="标杆企业") is None
    assert "请选择" in rules.choice_error(chosen_company_id=None, dismissed_company_id=1, reason="标杆企业")
    assert "解聘" in rules.choice_error(chosen_company_id=1, dismissed_company_id=1, reason="标杆企业")
    assert "至少 4 个字" in rules.choice_error(chosen_company_id=2, dismissed_company_id=1, reason=" 很好 ")


OLD_START, OLD_END = dt.date(2025, 1, 1), dt.date(2027, 12, 31)


def handover(new_start, *, old_end=OLD_END, earliest=dt.date(2025, 1, 1), new_end=dt.date(2030, 12, 31)):
    return rules.handover_error(
        old_start=OLD_START, old_end=old_end, new_start=new_start, new_end=new_end, earliest=earliest
    )


def test_handover_bounds():
    # The day after the old contract's end: no gap, nothing cut.
    assert handover(OLD_END + dt.timedelta(days=1)) is None
    # One day later leaves one day with no company.
    assert "中间 1 天" in handover(OLD_END + dt.timedelta(days=2))
    # Mid-term: the old one is cut to end the day before.
    assert handover(dt.date(2026, 7, 1)) is None
    assert rules.old_contract_end(dt.date(2026, 7, 1)) == dt.date(2026, 6, 30)
    # The old contract keeps at least its first day (its end stays after its start).
    assert handover(OLD_START + dt.timedelta(days=2)) is None
    assert "至少两天" in handover(OLD_START + dt.timedelta(days=1))
    # Not before the owners decided.
    assert handover(dt.date(2026, 7, 1), earliest=dt.date(2026, 7, 1)) is None
    assert "计票日" in handover(dt.date(2026, 7, 1), earliest=dt.date(2026, 7, 2))
    assert "结束日期" in handover(dt.date(2026, 7, 1), new_end=dt.date(2026, 7, 1))


def test_coverage_gaps_known_answers():
    d = dt.date
    assert (
        rules.coverage_gaps(
            [(d(2025, 1, 1), d(2026, 6, 30)), (d(2026, 7, 1), d(2029, 6, 30))], d(2025, 1, 1), d(2029, 6, 30)
        )
        == []
    )
    assert rules.coverage_gaps(
        [(d(2025, 1, 1), d(2026, 6, 29)), (d(2026, 7, 1), d(2029, 6, 30))], d(2025, 1, 1), d(2029, 6, 30)
    ) == [(d(2026, 6, 30), d(2026, 6, 30))]
    # A gap at the start, one at the end, overlaps allowed, order of input irrelevant.
    assert rules.coverage_gaps(
        [(d(2026, 3, 1), d(2026, 8, 31)), (d(2026, 2, 1), d(2026, 4, 30))], d(2026, 1, 1), d(2026, 12, 31)
    ) == [(d(2026, 1, 1), d(2026, 1, 31)), (d(2026, 9, 1), d(2026, 12, 31))]
    assert rules.coverage_gaps([], d(2026, 1, 1), d(2026, 1, 1)) == [(d(2026, 1, 1), d(2026, 1, 1))]
