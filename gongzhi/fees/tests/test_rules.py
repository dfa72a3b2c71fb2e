"""Known answers for the pure fee rules (exact Decimal, never float)."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.fees.rules import (
    FeeError,
    check_collection,
    collection_rate,
    month_add,
    parse_money,
    parse_month,
    percent,
    percent_text,
    rolling_rate,
)

D = Decimal


def test_rate_is_the_exact_quotient_and_percent_rounds_half_up():
    assert collection_rate(D("3"), D("1")) == D(1) / D(3)
    assert percent(collection_rate(D("200.00"), D("170.47"))) == D("85.24")  # 85.235 → 85.24 (half up)
    assert percent(collection_rate(D("100.00"), D("100.00"))) == D("100.00")
    assert collection_rate(D("0"), D("0")) is None
    assert percent_text(None) == "—"
    assert percent_text(collection_rate(D("8"), D("7"))) == "87.50%"


def test_rolling_rate_sums_the_last_twelve_months_not_the_monthly_rates():
    rows = [(dt.date(2025, m, 1), D("100.00"), D("50.00")) for m in range(1, 13)]
    rows.append((dt.date(2026, 1, 1), D("300.00"), D("300.00")))
    # Window: 2025-02 … 2026-01 → (11 × 50 + 300) / (11 × 100 + 300) = 850 / 1400.
    assert rolling_rate(rows) == D(850) / D(1400)
    assert rolling_rate([]) is None


def test_months_parse_and_add():
    assert parse_month("2024-03") == dt.date(2024, 3, 1)
    assert parse_month("2024年3月") == dt.date(2024, 3, 1)
    assert parse_month(dt.datetime(2024, 3, 17, 8, 0, tzinfo=dt.UTC)) == dt.date(2024, 3, 1)
    assert month_add(dt.date(2024, 1, 1), -1) == dt.date(2023, 12, 1)
    assert month_add(dt.date(2024, 11, 1), 14) == dt.date(2026, 1, 1)
    for bad in ("2024-13", "三月", "", None):
        with pytest.raises(FeeError):
            parse_month(bad)


@pytest.mark.parametrize(
    ("value", "places", "message"),
    [
        ("-1", 2, "不能为负数"),
        ("1.234", 2, "最多 2 位小数"),
        ("abc", 2, "不是数字"),
        ("", 2, "请填写"),
        ("1.23456", 4, "最多 4 位小数"),
    ],
)
def test_money_errors_are_plain_chinese(value, places, message):
    with pytest.raises(FeeError) as caught:
        parse_money(value, label="应收金额", places=places)
    assert message in caught.value.message


def test_money_accepts_text_and_keeps_four_places_for_standards():
    assert parse_money("1,234.5", label="x") == D("1234.50")
    assert parse_money("0.825", label="x", places=4) == D("0.8250")
    assert parse_money(0.8, label="x") == D("0.80")  # a float from a spreadsheet cell, read by its repr


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": dt.date(2026, 4, 1)}, "还没有到"),
        ({"collected": D("101.00")}, "超过应收金额"),
        ({"billed": D("0.00"), "collected": D("0.00")}, "必须大于 0"),
        ({"households_billed": 10, "households_paid": 11}, "超过应缴户数"),
        ({"households_billed": 10}, "要么都填"),
    ],
)
def test_collection_rules(kwargs, message):
    args = {
        "month": dt.date(2026, 3, 1),
        "billed": D("100.00"),
        "collected": D("90.00"),
        "households_billed": None,
        "households_paid": None,
        "today": dt.date(2026, 3, 15),
    }
    check_collection(**args)  # the defaults are valid, including the current month
    args.update(kwargs)
    with pytest.raises(FeeError) as caught:
        check_collection(**args)
    assert message in caught.value.message
