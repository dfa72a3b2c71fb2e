"""The quality gate (先质后价, rules.check_quality_gate) with known answers at its bounds: each condition met or
not, with its evidence (docs/FEES.md §4)."""

import datetime as dt
from decimal import Decimal

from gongzhi.fees.rules import (
    GateFacts,
    GateSettings,
    LatestEvaluation,
    OpenRectification,
    check_quality_gate,
    gate_open,
)

TODAY = dt.date(2026, 12, 6)
YEAR = frozenset(dt.date(y, m, 1) for y, m in [(2025, 12)] + [(2026, k) for k in range(1, 12)])


def facts(**kw):
    base = {
        "rectifications": (),
        "evaluation": LatestEvaluation("2026年第二轮测评", Decimal("80.00"), "保持", False),
        "disclosed_months": YEAR,
        "last_price_meeting": dt.date(2025, 12, 6),
    }
    base.update(kw)
    return GateFacts(**base)


def by_key(conditions):
    return {c.key: c for c in conditions}


def test_all_met_at_the_bounds_opens_the_gate():
    conditions = check_quality_gate(facts(), today=TODAY)
    assert [c.key for c in conditions] == ["rectifications", "evaluation", "disclosure", "meeting"]
    assert gate_open(conditions) and all(c.met for c in conditions)
    shown = by_key(conditions)
    assert shown["disclosure"].evidence == "2025年12月 至 2026年11月 各月均已公示。"
    assert shown["evaluation"].evidence == "2026年第二轮测评：80.00 分，保持。"


def test_a_rectification_due_today_is_not_late_one_due_yesterday_is():
    today_due = OpenRectification("#12", "3号楼绿化带补种", TODAY)
    assert by_key(check_quality_gate(facts(rectifications=(today_due,)), today=TODAY))["rectifications"].met
    late = OpenRectification("#9", "楼道保洁不到位", TODAY - dt.timedelta(days=1))
    condition = by_key(check_quality_gate(facts(rectifications=(today_due, late)), today=TODAY))[
        "rectifications"
    ]
    assert not condition.met
    assert condition.evidence == "1 项四保整改问题逾期未销项：#9 楼道保洁不到位（期限 2026年12月5日）。"


def test_the_score_bound_is_inclusive_and_the_bottom_class_fails_whatever_the_score():
    below = LatestEvaluation("第二轮", Decimal("79.99"), "提升", False)
    assert not by_key(check_quality_gate(facts(evaluation=below), today=TODAY))["evaluation"].met
    bottom = LatestEvaluation("第二轮", Decimal("95.00"), "末位候选", True)
    assert not by_key(check_quality_gate(facts(evaluation=bottom), today=TODAY))["evaluation"].met
    none = by_key(check_quality_gate(facts(evaluation=None), today=TODAY))["evaluation"]
    assert (none.met, none.evidence) == (False, "还没有测评结果。")
    lenient = GateSettings(min_score=Decimal("79.99"))
    assert by_key(check_quality_gate(facts(evaluation=below), today=TODAY, settings=lenient))[
        "evaluation"
    ].met


def test_every_one_of_the_last_twelve_complete_months_must_be_disclosed():
    gap = by_key(check_quality_gate(facts(disclosed_months=YEAR - {dt.date(2026, 3, 1)}), today=TODAY))
    assert not gap["disclosure"].met and gap["disclosure"].evidence == "未公示的月份：2026年3月。"
    # The current month is not needed; a month before the window does not replace a missing one.
    older = (YEAR - {dt.date(2025, 12, 1)}) | {dt.date(2025, 11, 1), dt.date(2026, 12, 1)}
    assert not by_key(check_quality_gate(facts(disclosed_months=older), today=TODAY))["disclosure"].met
    six = GateSettings(disclosure_months=6)
    recent = frozenset(dt.date(2026, k, 1) for k in range(6, 12))
    assert by_key(check_quality_gate(facts(disclosed_months=recent), today=TODAY, settings=six))[
        "disclosure"
    ].met


def test_the_price_meeting_must_fall_within_the_last_365_days():
    assert by_key(check_quality_gate(facts(last_price_meeting=dt.date(2025, 12, 6)), today=TODAY))[
        "meeting"
    ].met
    late = by_key(check_quality_gate(facts(last_price_meeting=dt.date(2025, 12, 5)), today=TODAY))["meeting"]
    assert not late.met and late.evidence == "最近一次议价会议：2025年12月5日。"
    assert not by_key(check_quality_gate(facts(last_price_meeting=None), today=TODAY))["meeting"].met
    future = by_key(check_quality_gate(facts(last_price_meeting=TODAY + dt.timedelta(days=1)), today=TODAY))
    assert not future["meeting"].met


def test_one_unmet_condition_closes_the_gate():
    conditions = check_quality_gate(facts(last_price_meeting=None), today=TODAY)
    assert not gate_open(conditions) and [c.met for c in conditions] == [True, True, True, False]
