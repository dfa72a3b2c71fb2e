"""Known answers for the §5 rules as plain functions: intervals, due dates, overdue days, the 30 % line and
the 50 % transfer, quarters and the 90-day timer (gongzhi/finance/rules.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.finance.rules import (
    LEGAL_INTERVAL_MONTHS,
    LedgerError,
    add_months,
    check_interval,
    days_overdue,
    disclosure_due,
    first_below,
    fund_is_low,
    quarter_judged_from,
    transfer_is_short,
    transfer_quarter,
)

D = dt.date


def test_legal_intervals_are_the_design_defaults():
    assert LEGAL_INTERVAL_MONTHS == {"maintenance_fund": 6, "public_income": 3, "property_fee": 12}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 6, 30), 6, D(2025, 12, 30)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2025, 12, 31), 3, D(2026, 3, 31)),
        (D(2025, 3, 31), 3, D(2025, 6, 30)),
        (D(2025, 1, 15), 12, D(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_interval_may_be_shortened_but_never_lengthened():
    check_interval("maintenance_fund", 6)
    check_interval("maintenance_fund", 1)
    check_interval("property_fee", 12)
    with pytest.raises(LedgerError, match="不能长于法定的 6 个月"):
        check_interval("maintenance_fund", 7)
    with pytest.raises(LedgerError, match="第二百八十一条"):
        check_interval("public_income", 4)
    with pytest.raises(LedgerError, match="至少为 1 个月"):
        check_interval("property_fee", 0)


def test_due_date_from_the_last_period_or_the_first_entry():
    assert disclosure_due(last_period_end=D(2025, 6, 30), first_entry=D(2024, 1, 5), months=6) == D(
        2025, 12, 31
    )
    assert disclosure_due(last_period_end=None, first_entry=D(2024, 1, 5), months=3) == D(2024, 4, 5)
    assert disclosure_due(last_period_end=None, first_entry=None, months=3) is None


def test_overdue_counts_calendar_days_after_the_due_date():
    due = D(2026, 3, 31)
    assert days_overdue(due, D(2026, 3, 30)) == 0
    assert days_overdue(due, D(2026, 3, 31)) == 0  # the due date itself is still in time
    assert days_overdue(due, D(2026, 4, 1)) == 1
    assert days_overdue(due, D(2026, 5, 31)) == 61
    assert days_overdue(None, D(2026, 5, 31)) == 0


@pytest.mark.parametrize(
    ("balance", "low"),
    [
        ("3000.00", False),  # exactly 30 %: not below
        ("2999.99", True),  # 29.9999 %
        ("3000.01", False),
        ("0.00", True),
    ],
)
def test_the_30_percent_line_is_strict(balance, low):
    assert fund_is_low(Decimal(balance), Decimal("10000.00")) is low


def test_30_percent_line_with_an_awkward_initial_amount_is_exact():
    initial = Decimal("3333.33")  # 30 % = 999.999
    assert fund_is_low(Decimal("999.99"), initial) is True
    assert fund_is_low(Decimal("1000.00"), initial) is False
    assert fund_is_low(Decimal("5.00"), Decimal("0")) is False  # no initial amount: no rule to apply


@pytest.mark.parametrize(
    ("moved", "short"),
    [
        ("5000.00", True),  # exactly 50 %: not "more than half"
        ("5001.00", False),  # 50.01 %
        ("4999.99", True),
        ("0.00", True),
        ("10000.00", False),
    ],
)
def test_the_50_percent_transfer_must_be_more_than_half(moved, short):
    assert transfer_is_short(Decimal("10000.00"), Decimal(moved)) is short


def test_a_quarter_without_income_is_never_short():
    assert transfer_is_short(Decimal("0"), Decimal("0")) is False


def test_transfers_settle_the_quarter_before_when_made_in_its_first_month():
    assert transfer_quarter(D(2026, 1, 20)) == (2025, 4)
    assert transfer_quarter(D(2025, 4, 30)) == (2025, 1)
    assert transfer_quarter(D(2025, 5, 2)) == (2025, 2)
    assert transfer_quarter(D(2025, 12, 31)) == (2025, 4)
    assert quarter_judged_from(2025, 4) == D(2026, 2, 1)
    assert quarter_judged_from(2025, 1) == D(2025, 5, 1)


def test_first_below_is_the_start_of_the_current_run_below_the_line():
    initial = Decimal("1000.00")
    points = [
        (D(2025, 1, 1), Decimal("1000.00")),
        (D(2025, 2, 1), Decimal("200.00")),  # below
        (D(2025, 3, 1), Decimal("400.00")),  # back above
        (D(2025, 4, 1), Decimal("299.99")),  # below again: the timer starts here
        (D(2025, 5, 1), Decimal("100.00")),
    ]
    assert first_below(points, initial) == D(2025, 4, 1)
    assert first_below(points[:3], initial) is None


def test_the_worked_example_of_docs_ledger_md():
    from gongzhi.finance.rules import entry_hash

    entry = {
        "amount": "50000.00",
        "balance": "50000.00",
        "category": "首期归集",
        "counterparty": "区住房维修资金管理中心",
        "date": "2024-01-05",
        "direction": "in",
        "estate": "7",
        "estate_name": "泾北一村",
        "ledger": "maintenance_fund",
        "prev_hash": "0" * 64,
        "project": "",
        "reference": "",
        "reverses": None,
        "seq": 1,
        "summary": "首期专项维修资金归集",
    }
    assert entry_hash(entry) == "bb132d0a0482d8d60029747da48f6fad33d1f72ddda2862cb79a6d6692a284ba"


# A disclosed period ends on the last day of a month, so the next one is due on the last day of the month
# `interval` months later — 30 Jun + 6 months is 31 Dec, not 30 Dec (issue 11).
@pytest.mark.parametrize(
    ("period_end", "months", "due"),
    [
        (D(2026, 6, 30), 6, D(2026, 12, 31)),
        (D(2026, 9, 30), 3, D(2026, 12, 31)),
        (D(2026, 12, 31), 6, D(2027, 6, 30)),
        (D(2026, 3, 31), 3, D(2026, 6, 30)),
        (D(2026, 4, 30), 3, D(2026, 7, 31)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2027, 2, 28), 3, D(2027, 5, 31)),
        (D(2028, 2, 29), 3, D(2028, 5, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 2, 28), 12, D(2028, 2, 29)),
        (D(2028, 2, 29), 6, D(2028, 8, 31)),
        (D(2099, 12, 31), 12, D(2100, 12, 31)),
        (D(2100, 2, 28), 12, D(2101, 2, 28)),  # 2100 is not a leap year: 28 Feb is its month end
        (D(2099, 2, 28), 12, D(2100, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 2, 28), 1, D(2026, 3, 31)),
    ],
)
def test_due_date_of_a_period_ending_at_a_month_end_is_a_month_end(period_end, months, due):
    assert disclosure_due(last_period_end=period_end, first_entry=None, months=months) == due


def test_every_month_end_of_two_leap_cycles_plus_every_interval_is_the_right_month_end():
    import calendar

    checked = 0
    for year in range(2023, 2031):
        for month in range(1, 13):
            end = D(year, month, calendar.monthrange(year, month)[1])
            for months in range(1, 13):
                due = disclosure_due(last_period_end=end, first_entry=None, months=months)
                y, m = divmod(year * 12 + month - 1 + months, 12)
                assert due == D(y, m + 1, calendar.monthrange(y, m + 1)[1]), (end, months)
                checked += 1
    assert checked == 8 * 12 * 12


def test_a_period_ending_mid_month_and_a_first_entry_keep_the_day():
    assert disclosure_due(last_period_end=D(2026, 6, 15), first_entry=None, months=6) == D(2026, 12, 15)
    assert disclosure_due(last_period_end=D(2026, 8, 30), first_entry=None, months=6) == D(2027, 2, 28)
    assert disclosure_due(last_period_end=None, first_entry=D(2026, 4, 30), months=6) == D(2026, 10, 30)
