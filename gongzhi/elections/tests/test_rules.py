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


@pytest.mark.parametrize(
    ("day", "years", "start", "end"),
    [
        (dt.date(2026, 3, 15), 5, dt.date(2026, 3, 15), dt.date(2031, 3, 14)),
        (dt.date(2026, 3, 15), 3, dt.date(2026, 3, 15), dt.date(2029, 3, 14)),
        (dt.date(2028, 2, 29), 5, dt.date(2028, 2, 29), dt.date(2033, 2, 27)),  # 28 Feb 2033 − 1 day
        (dt.date(2026, 1, 1), 5, dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
    ],
)
def test_an_elected_term_starts_on_the_vote_day_and_lasts_its_years(day, years, start, end):
    assert rules.elected_term(day, years) == (start, end)


@pytest.mark.parametrize("years", [2, 6])
def test_an_elected_term_is_three_to_five_years(years):
    with pytest.raises(ValueError):
        rules.elected_term(dt.date(2026, 3, 15), years)


def test_filing_is_due_thirty_days_after_the_election():
    assert rules.filing_deadline(dt.date(2026, 3, 15)) == dt.date(2026, 4, 14)
    assert rules.filing_deadline(dt.date(2026, 12, 20)) == dt.date(2027, 1, 19)


def _facts(**change):
    base = dict(
        slate_approved=True,
        slate_approved_on=dt.date(2026, 3, 1),
        slate_installed=False,
        vote_is_committee_matter=True,
        vote_same_estate=True,
        vote_final=True,
        vote_passed=True,
        vote_day=dt.date(2026, 3, 15),
        vote_used=False,
        planned_size=5,
        members=(1, 2, 3, 4, 5),
        candidates=frozenset({1, 2, 3, 4, 5, 6}),
        director=1,
        deputies=(2,),
    )
    base.update(change)
    return rules.InstallFacts(**base)


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({}, []),
        ({"slate_approved": False}, [rules.NOT_APPROVED]),
        ({"slate_installed": True}, [rules.ALREADY_INSTALLED]),
        ({"vote_is_committee_matter": False}, [rules.WRONG_MATTER]),
        ({"vote_same_estate": False}, [rules.OTHER_ESTATE]),
        ({"vote_final": False, "vote_passed": False}, [rules.NOT_FINAL]),
        ({"vote_passed": False}, [rules.NOT_PASSED]),
        ({"vote_used": True}, [rules.VOTE_USED]),
        ({"vote_day": dt.date(2026, 2, 28)}, [rules.BEFORE_APPROVAL]),
        ({"vote_day": dt.date(2026, 3, 1)}, []),  # the vote may end on the approval day
        ({"members": (1, 2, 3, 4)}, [rules.WRONG_SIZE]),
        ({"members": (1, 2, 3, 4, 4)}, [rules.WRONG_SIZE]),
        ({"members": (1, 2, 3, 4, 7)}, [rules.NOT_CANDIDATES]),
        ({"director": 6}, [rules.DIRECTOR_NOT_MEMBER]),
        ({"director": None}, [rules.DIRECTOR_NOT_MEMBER]),
        ({"deputies": (1,)}, [rules.DIRECTOR_NOT_MEMBER]),  # the director is not also a deputy
        ({"deputies": (6,)}, [rules.DIRECTOR_NOT_MEMBER]),
    ],
)
def test_install_refusals(change, reasons):
    assert rules.install_refusals(_facts(**change)) == reasons
