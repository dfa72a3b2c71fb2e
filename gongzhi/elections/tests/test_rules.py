"""Known answers for the slate rules at every bound (elections/rules.py)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from gongzhi.elections import rules


@pytest.mark.parametrize(
    ("part", "whole", "target", "met"),
    [
        (3, 5, "55", True),  # 60 % ≥ 55 %
        (2, 5, "40", True),  # exactly 40 %: the target reached counts
        (2, 5, "41", False),
        (11, 20, "55", True),  # exactly 55 %
        (10, 19, "55", False),  # 52.6 %
        (6, 11, "55", False),  # 54.54… % just below
        (0, 5, "0", True),
    ],
)
def test_share_meets_target_with_ge_semantics(part, whole, target, met):
    assert rules.meets_target(rules.share(part, whole), Decimal(target)) is met


def test_share_is_exact_and_an_empty_slate_meets_nothing():
    assert rules.share(1, 3) == Fraction(1, 3)
    assert rules.share(0, 0) is None
    assert rules.meets_target(None, Decimal("0")) is False
    assert rules.percent(Fraction(6, 11)) == Decimal("54.5")
    with pytest.raises(ValueError):
        rules.share(6, 5)


@pytest.mark.parametrize(
    ("size", "area", "ok", "reason"),
    [
        (5, "20000.00", True, "ok"),
        (7, "500.00", True, "ok"),
        (4, "500.00", False, "even"),
        (6, "20000.00", False, "even"),
        (3, "9999.99", True, "ok_small"),
        (3, "10000.00", False, "three_needs_small_estate"),  # strictly under 10,000 m²
        (1, "100.00", False, "too_small"),
    ],
)
def test_size_rules(size, area, ok, reason):
    check = rules.size_check(size, Decimal(area))
    assert (check.ok, check.reason) == (ok, reason)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (dt.date(2026, 1, 29), rules.TERM_OK),
        (dt.date(2026, 1, 30), rules.TERM_DUE),  # exactly 5 months before 30 June
        (dt.date(2026, 6, 30), rules.TERM_DUE),  # last day of the term
        (dt.date(2026, 7, 1), rules.TERM_OVERDUE),
    ],
)
def test_term_warning_five_months(today, state):
    assert rules.term_state(dt.date(2026, 6, 30), today) == state


def test_add_months_clamps_to_month_end():
    assert rules.add_months(dt.date(2026, 7, 31), -5) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2027, 3, 15), -5) == dt.date(2026, 10, 15)
