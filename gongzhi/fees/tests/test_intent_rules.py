"""Pure rules of the fee-adjustment intent (docs/FEES.md §5): the cost account's totals, the months a
disclosure covers, the steps of an intent and the day a passed standard takes effect — known answers."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.fees.rules import (
    FeeError,
    check_cost_account,
    cost_totals,
    disclosed_months,
    effective_day,
    intent_next,
)

D = Decimal


def test_cost_totals_known_answer():
    totals = cost_totals(
        lines={
            "staff_cleaning": D("120000"),
            "staff_greening": D("60000"),
            "staff_security": D("90000"),
            "staff_repair": D("30000"),
            "materials": D("40000"),
            "energy": D("30000"),
            "management": D("20000"),
            "other_cost": D("10000"),
        },
        headcounts={"staff_cleaning": D("3"), "staff_greening": D("1.5"), "staff_security": D("4")},
        area=D("40000"),
        income=D("384000"),
        collection_percent=D("80"),
        proposed=D("1.10"),
    )
    assert totals.staff == D("300000.00")
    assert totals.total == D("400000.00")
    assert totals.headcount == D("8.5")
    assert totals.collected == D("307200.00")  # 384 000 × 80 %
    assert totals.balance == D("-92800.00")
    assert totals.cost_per_m2_month == D("0.8333")  # 400 000 / 40 000 / 12
    assert totals.break_even == D("1.0417")  # 400 000 / (40 000 × 12 × 0.8) = 1.041666…
    assert totals.proposed_income == D("422400.00")  # 1.10 × 40 000 × 12 × 0.8


def test_cost_totals_without_area_or_rate_leave_the_ratios_empty():
    totals = cost_totals(
        lines={"energy": D("1")},
        headcounts={},
        area=D(0),
        income=D(0),
        collection_percent=D(0),
        proposed=None,
    )
    assert totals.total == D("1.00") and totals.cost_per_m2_month is None and totals.break_even is None


@pytest.mark.parametrize(
    ("area", "income", "collection", "message"),
    [
        (None, D(1), D(80), "收费面积"),
        (D(100), None, D(80), "应收收入"),
        (D(100), D(1), D(0), "收缴率"),
        (D(100), D(1), D("100.01"), "收缴率"),
    ],
)
def test_an_incomplete_cost_account_is_refused(area, income, collection, message):
    with pytest.raises(FeeError, match=message):
        check_cost_account(lines={"energy": D(1)}, area=area, income=income, collection=collection)


def test_a_cost_account_needs_a_cost_and_accepts_100_percent():
    with pytest.raises(FeeError, match="至少要有一项成本"):
        check_cost_account(lines={}, area=D(1), income=D(1), collection=D(100))
    check_cost_account(lines={"energy": D(1)}, area=D(1), income=D(1), collection=D(100))


def test_disclosed_months_need_every_day_covered():
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    # Jan whole; Feb in two periods that meet; Mar missing its last day.
    periods = [
        (dt.date(2025, 7, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 14)),
        (dt.date(2026, 2, 15), dt.date(2026, 3, 30)),
    ]
    assert disclosed_months(periods, months) == frozenset({dt.date(2026, 1, 1), dt.date(2026, 2, 1)})
    gap = [(dt.date(2026, 2, 1), dt.date(2026, 2, 13)), (dt.date(2026, 2, 15), dt.date(2026, 2, 28))]
    assert disclosed_months(gap, months) == frozenset()


def test_the_steps_of_an_intent():
    assert intent_next("draft", "submit") == "submitted"
    assert intent_next("submitted", "gate_failed") == "gate"
    assert intent_next("gate", "gate_passed") == "meeting"
    assert intent_next("meeting", "vote") == "vote"
    assert intent_next("vote", "passed") == "effective"
    assert intent_next("vote", "failed") == "rejected"
    assert intent_next("meeting", "no_agreement") == "rejected"
    for status in ("draft", "submitted", "gate", "meeting", "vote"):
        assert intent_next(status, "withdraw") == "withdrawn"
    with pytest.raises(FeeError):
        intent_next("draft", "gate_passed")  # not submitted
    with pytest.raises(FeeError):
        intent_next("gate", "vote")  # no meeting yet
    with pytest.raises(FeeError):
        intent_next("effective", "withdraw")
    with pytest.raises(FeeError):
        intent_next("vote", "reject")  # the owners decide, not the committee


def test_effective_day_never_before_the_count():
    assert effective_day(dt.date(2027, 1, 1), dt.date(2026, 12, 20)) == dt.date(2027, 1, 1)
    assert effective_day(dt.date(2027, 1, 1), dt.date(2027, 1, 1)) == dt.date(2027, 1, 1)
    assert effective_day(dt.date(2027, 1, 1), dt.date(2027, 1, 2)) == dt.date(2027, 2, 1)
