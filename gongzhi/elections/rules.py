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


# ---- the elected committee's term and filing (committee_install_from_election) -------------------------

TERM_YEARS_DEFAULT = 5
TERM_YEARS_MIN, TERM_YEARS_MAX = 3, 5
FILING_DAYS = 30


def elected_term(election_day: dt.date, years: int = TERM_YEARS_DEFAULT) -> tuple[dt.date, dt.date]:
    """The term of a committee elected by the owners' vote that ended on ``election_day``: it starts that day
    and ends the day before the same date ``years`` later (5 years from 15 Mar 2026 → 14 Mar 2031; from
    29 Feb 2028 → 27 Feb 2033, the anniversary clamped to 28 Feb).

    《业主大会和业主委员会指导规则》(建房〔2009〕274号) 第三十二条: 业主委员会委员实行任期制，每届任期不超过
    5年; the Shanghai practice this registry checks (registry/health.py ``TERM_YEARS``) is 3 to 5 years, the
    length the estate's 业主大会议事规则 fixes. A length outside 3–5 is refused."""
    if not TERM_YEARS_MIN <= years <= TERM_YEARS_MAX:
        raise ValueError("a term is 3 to 5 years")
    return election_day, add_months(election_day, 12 * years) - dt.timedelta(days=1)


def filing_deadline(election_day: dt.date) -> dt.date:
    """The last day to file the new committee with the street (备案): 30 days after the election.

    《业主大会和业主委员会指导规则》第三十三条: 业主委员会应当自选举产生之日起30日内 … 办理备案手续;
    《上海市住宅物业管理规定》: 新一届业主委员会选举产生后，应当在三十日内向乡、镇人民政府或者街道办事处办理
    换届备案手续."""
    return election_day + dt.timedelta(days=FILING_DAYS)


# Why a committee cannot be installed from an election (codes; services.py says them in Chinese).
NOT_APPROVED = "not_approved"  # the slate has not passed the leadership group's review
WRONG_MATTER = "wrong_matter"  # the vote is not an election of the owners' committee (art. 278 (3))
OTHER_ESTATE = "other_estate"  # the vote is another estate's
NOT_FINAL = "not_final"  # the result is not final yet (objection period, 异议期)
NOT_PASSED = "not_passed"  # the owners did not pass it
BEFORE_APPROVAL = "before_approval"  # the vote ended before the slate was approved
ALREADY_INSTALLED = "already_installed"  # this slate already became a committee
VOTE_USED = "vote_used"  # this vote already elected a committee
WRONG_SIZE = "wrong_size"  # the elected members are not the planned number
NOT_CANDIDATES = "not_candidates"  # a member is not on the approved slate
DIRECTOR_NOT_MEMBER = "director_not_member"  # the director must be one of the elected members


@dataclass(frozen=True)
class InstallFacts:
    slate_approved: bool
    slate_approved_on: dt.date | None
    slate_installed: bool
    vote_is_committee_matter: bool
    vote_same_estate: bool
    vote_final: bool
    vote_passed: bool
    vote_day: dt.date
    vote_used: bool
    planned_size: int
    members: tuple[int, ...]  # candidate ids chosen as the elected members
    candidates: frozenset[int]  # candidate ids of the slate
    director: int | None
    deputies: tuple[int, ...] = ()


def install_refusals(f: InstallFacts) -> list[str]:
    """Every reason the election cannot become the registry's committee (empty: it can).

    《民法典》第二百七十八条第一款第（三）项: electing the owners' committee is a matter the owners decide together,
    so the committee comes from a passed, final owners' vote of that estate on that matter; the members are the
    approved slate's candidates (上海市住宅物业管理规定: candidates are vetted and reported to the street), as many
    as the slate planned; the director (主任) is one of them (指导规则第三十二条: chosen at the first meeting)."""
    reasons = []
    if not f.slate_approved:
        reasons.append(NOT_APPROVED)
    if f.slate_installed:
        reasons.append(ALREADY_INSTALLED)
    if not f.vote_is_committee_matter:
        reasons.append(WRONG_MATTER)
    if not f.vote_same_estate:
        reasons.append(OTHER_ESTATE)
    if not f.vote_final:
        reasons.append(NOT_FINAL)
    elif not f.vote_passed:
        reasons.append(NOT_PASSED)
    if f.vote_used:
        reasons.append(VOTE_USED)
    if f.slate_approved and f.slate_approved_on is not None and f.vote_day < f.slate_approved_on:
        reasons.append(BEFORE_APPROVAL)
    chosen = set(f.members)
    if len(chosen) != len(f.members) or len(chosen) != f.planned_size:
        reasons.append(WRONG_SIZE)
    if not chosen <= f.candidates:
        reasons.append(NOT_CANDIDATES)
    if f.director is None or f.director not in chosen or not set(f.deputies) <= chosen - {f.director}:
        reasons.append(DIRECTOR_NOT_MEMBER)
    return reasons
