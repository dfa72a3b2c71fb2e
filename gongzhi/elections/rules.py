"""Pure rules of owners'-committee slate review (人选把关). No ORM: tested with known answers.

- Committee size: Shanghai 住宅物业管理规定 (2020) — an owners' committee has at least 5 members and an
  odd number of them; 3 are allowed where the estate's floor area is under 10,000 m² ("不足一万平方米",
  strictly under: 10,000.00 m² itself needs 5).
- Exclusions (art. 20): a candidate with unpaid property fees, with illegal construction, or with a close
  relative working for the estate's property company is not eligible.
- Term warning (art. 28): the committee reports to the street 5 months before its term ends.
- Party-member 55 % and cross-appointment 40 % are the seed's policy targets (configurable per street),
  not law. Shares are exact fractions; a share meets its target when share ≥ target ("提升至 55%":
  3/5 = 60 % meets 55 %; 2/5 = 40 % meets 40 %; 2/5 does not meet 41 %).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

MIN_SIZE = 5
SMALL_ESTATE_MIN_SIZE = 3
SMALL_ESTATE_AREA_BELOW = Decimal("10000")  # m², strictly under
TERM_WARNING_MONTHS = 5
DEFAULT_PARTY_TARGET = Decimal("55")
DEFAULT_CROSS_TARGET = Decimal("40")

# Art. 20 exclusion checks, in the order the page shows them.
CHECK_UNPAID_FEES = "unpaid_fees"
CHECK_ILLEGAL_CONSTRUCTION = "illegal_construction"
CHECK_CLOSE_RELATIVE = "close_relative"
CHECK_KINDS = (CHECK_UNPAID_FEES, CHECK_ILLEGAL_CONSTRUCTION, CHECK_CLOSE_RELATIVE)

# Outcome of one check.
CLEAR = "clear"  # 无此情形
FOUND = "found"  # 有此情形 → the candidate is excluded


def share(part: int, whole: int) -> Fraction | None:
    """The exact share ``part / whole``; None for an empty slate (no share to speak of)."""
    if whole <= 0:
        return None
    if part < 0 or part > whole:
        raise ValueError("part must be between 0 and whole")
    return Fraction(part, whole)


def meets_target(value: Fraction | None, target_percent: Decimal) -> bool:
    """share ≥ target (the target reached counts as met). An empty slate meets nothing."""
    if value is None:
        return False
    return value >= Fraction(target_percent) / 100


def percent(value: Fraction | None) -> Decimal | None:
    """A share as a percentage with one decimal, for display only (comparisons use the fraction)."""
    if value is None:
        return None
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class SizeCheck:
    ok: bool
    reason: str  # a code the view turns into Chinese: ok, even, too_small, three_needs_small_estate


def size_check(size: int, estate_area: Decimal) -> SizeCheck:
    """≥ 5 and odd; 3 only when the estate's floor area is strictly under 10,000 m²."""
    if size % 2 == 0:
        return SizeCheck(False, "even")
    if size >= MIN_SIZE:
        return SizeCheck(True, "ok")
    if size == SMALL_ESTATE_MIN_SIZE:
        if estate_area < SMALL_ESTATE_AREA_BELOW:
            return SizeCheck(True, "ok_small")
        return SizeCheck(False, "three_needs_small_estate")
    return SizeCheck(False, "too_small")


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


TERM_OK = "ok"
TERM_DUE = "due"  # within 5 months of the end: the committee must report to the street
TERM_OVERDUE = "overdue"  # the term has ended


def term_state(term_end: dt.date, today: dt.date) -> str:
    """Art. 28: warn from the day 5 calendar months before the term ends (that day included);
    overdue from the day after the term end."""
    if today > term_end:
        return TERM_OVERDUE
    if today >= add_months(term_end, -TERM_WARNING_MONTHS):
        return TERM_DUE
    return TERM_OK


# 数据体检 (core/health.py): a slate's election must show in the registry's committees.
ELECTED_TERM_STARTS_WITHIN_DAYS = 90  # the new committee is filed with the street within weeks of the vote
EARLY_ELECTION_MONTHS = 12  # a re-election more than a year before the sitting term ends is unusual


def elected_term_found(election_date: dt.date, term_starts: list[dt.date]) -> bool:
    """Art. 28 (the committee's term): an election on ``election_date`` puts a committee whose term starts
    that day or within ``ELECTED_TERM_STARTS_WITHIN_DAYS`` after it on record."""
    latest = election_date + dt.timedelta(days=ELECTED_TERM_STARTS_WITHIN_DAYS)
    return any(election_date <= start <= latest for start in term_starts)


def election_is_early(election_date: dt.date, sitting_term_end: dt.date) -> bool:
    """A re-election held more than ``EARLY_ELECTION_MONTHS`` before the sitting committee's term ends (a
    term is 3–5 years, art. 28: an election months after a new term began contradicts the records unless
    the committee was dismissed or resigned)."""
    return election_date < add_months(sitting_term_end, -EARLY_ELECTION_MONTHS)


def missing_checks(recorded: dict[int, set[str]], candidate_ids: list[int]) -> list[tuple[int, str]]:
    """(candidate id, check kind) for every check not yet recorded."""
    return [(c, kind) for c in candidate_ids for kind in CHECK_KINDS if kind not in recorded.get(c, set())]
