"""Known answers for the rhythm rules (rules.py): ISO weeks from Monday, local dates, the
patrol shortfall that can no longer be made up, meetings per week, the owners' committee's
two-month rhythm and three-day posting, and the rating tally."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.branchwork import rules

MON = dt.date(2026, 11, 23)  # ISO 2026-W48
SUN = dt.date(2026, 11, 29)
NEXT_MON = dt.date(2026, 11, 30)


def test_week_start_and_label_across_a_year_end():
    assert rules.week_start(dt.date(2026, 11, 29)) == MON  # Sunday belongs to the week before
    assert rules.week_start(NEXT_MON) == NEXT_MON
    # 1 Jan 2027 is a Friday: ISO week 2026-W53 started on Monday 28 Dec 2026.
    assert rules.week_start(dt.date(2027, 1, 1)) == dt.date(2026, 12, 28)
    assert rules.week_label(dt.date(2026, 12, 28)) == "2026-W53"
    assert rules.parse_week("2026-W53") == dt.date(2026, 12, 28)
    assert rules.parse_week("2025-W53") is None  # 2025 has 52 ISO weeks
    assert rules.parse_week("rubbish") is None
    assert rules.parse_week("2026-W48") == MON


def test_days_completed():
    assert rules.days_completed(MON, MON - dt.timedelta(days=3)) == 0
    assert rules.days_completed(MON, MON) == 0  # Monday is still running
    assert rules.days_completed(MON, dt.date(2026, 11, 26)) == 3  # Thursday: Mon–Wed are over
    assert rules.days_completed(MON, SUN) == 6
    assert rules.days_completed(MON, NEXT_MON) == 7


def days(*offsets):
    return [MON + dt.timedelta(days=o) for o in offsets]


def test_patrol_daily_rule_counts_each_missed_day():
    # Thursday: member 1 patrolled Mon, Tue, Wed (and twice on Tue); member 2 Mon and today.
    patrols = [(1, d) for d in days(0, 1, 1, 2)] + [(2, d) for d in days(0, 3)]
    count = rules.patrol_count(
        member_ids=[1, 2], patrol_days=patrols, monday=MON, today=MON + dt.timedelta(days=3)
    )
    assert count.done == 5  # 3 distinct days + 2 distinct days
    assert count.required == 14
    assert count.due == 6  # 2 members × 3 days that are over
    assert count.gap == 2  # member 2 missed Tue and Wed; today still counts as possible
    assert count.state == "behind"


def test_patrol_extra_days_do_not_cover_another_member():
    patrols = [(1, d) for d in days(0, 1, 2, 3, 4, 5, 6)]
    count = rules.patrol_count(member_ids=[1, 2], patrol_days=patrols, monday=MON, today=NEXT_MON)
    assert (count.done, count.required, count.gap) == (7, 14, 7)


def test_patrol_week_bounds_sunday_vs_next_monday():
    patrols = [(1, SUN), (1, NEXT_MON), (1, MON - dt.timedelta(days=1))]
    count = rules.patrol_count(member_ids=[1], patrol_days=patrols, monday=MON, today=NEXT_MON)
    assert count.done == 1  # only Sunday lies in this week


def test_patrol_five_day_rule_allows_two_free_days():
    # Rule 5 days a week. Thursday, nothing done yet: 4 days left (Thu–Sun) → 1 day already lost.
    count = rules.patrol_count(
        member_ids=[1], patrol_days=[], monday=MON, today=MON + dt.timedelta(days=3), days_per_week=5
    )
    assert (count.due, count.gap, count.state) == (1, 1, "behind")  # needed 1 by Wednesday night
    # Wednesday with Monday done: 5 days left + 1 done ≥ 5 → still reachable.
    count = rules.patrol_count(
        member_ids=[1], patrol_days=[(1, MON)], monday=MON, today=MON + dt.timedelta(days=2), days_per_week=5
    )
    assert (count.gap, count.state) == (0, "open")


def test_patrol_past_full_week_ok_and_future_week_open():
    full = [(1, d) for d in days(*range(7))]
    assert rules.patrol_count(member_ids=[1], patrol_days=full, monday=MON, today=NEXT_MON).state == "ok"
    future = rules.patrol_count(member_ids=[1], patrol_days=[], monday=NEXT_MON, today=MON)
    assert (future.due, future.gap, future.state) == (0, 0, "open")


def test_patrol_of_unknown_member_is_ignored():
    count = rules.patrol_count(member_ids=[1], patrol_days=[(9, MON)], monday=MON, today=NEXT_MON)
    assert count.done == 0


def test_meetings_behind_only_once_the_week_is_over():
    one = rules.meeting_count(meeting_days=[MON], monday=MON, today=SUN)
    assert (one.done, one.required, one.gap, one.state) == (1, 2, 0, "open")
    over = rules.meeting_count(meeting_days=[MON], monday=MON, today=NEXT_MON)
    assert (over.gap, over.state) == (1, "behind")
    # A meeting on Sunday (local date) counts for this week, one on the next Monday does not.
    edge = rules.meeting_count(meeting_days=[SUN, SUN, NEXT_MON], monday=MON, today=NEXT_MON)
    assert (edge.done, edge.state) == (2, "ok")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 15), 2, dt.date(2026, 3, 15)),
        (dt.date(2025, 12, 31), 2, dt.date(2026, 2, 28)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_owners_committee_two_month_rhythm():
    last = dt.date(2026, 9, 30)
    on_time = rules.oc_meeting_rhythm(meeting_days=[dt.date(2026, 8, 1), last], today=dt.date(2026, 11, 30))
    assert (on_time.last_meeting, on_time.next_due, on_time.overdue) == (last, dt.date(2026, 11, 30), False)
    late = rules.oc_meeting_rhythm(meeting_days=[last], today=dt.date(2026, 12, 1))
    assert late.overdue
    never = rules.oc_meeting_rhythm(meeting_days=[], today=dt.date(2026, 12, 1))
    assert (never.last_meeting, never.overdue) == (None, True)
    # A meeting planned for later does not count yet.
    planned = rules.oc_meeting_rhythm(meeting_days=[dt.date(2027, 1, 5)], today=dt.date(2026, 12, 1))
    assert planned.overdue


def test_decisions_posted_within_three_days():
    day = dt.date(2026, 11, 2)
    assert rules.decision_posting(meeting_day=day, posted_on=dt.date(2026, 11, 5), today=day) == "ok"
    assert rules.decision_posting(meeting_day=day, posted_on=dt.date(2026, 11, 6), today=day) == "late"
    assert rules.decision_posting(meeting_day=day, posted_on=None, today=dt.date(2026, 11, 5)) == "pending"
    assert rules.decision_posting(meeting_day=day, posted_on=None, today=dt.date(2026, 11, 6)) == "missing"


def test_tally_counts_and_satisfied_share():
    result = rules.tally([10, 11], [(10, 3), (10, 3), (10, 2), (10, 1), (11, 1)])
    first, second = result
    assert first.counts == {3: 2, 2: 1, 1: 1} and first.total == 4
    assert first.satisfied_percent == Decimal("75.0")
    assert second.satisfied_percent == Decimal("0.0")
    assert rules.tally([12], [])[0].satisfied_percent is None
    third = rules.tally([1], [(1, 3), (1, 1), (1, 1)])[0]
    assert third.satisfied_percent == Decimal("33.3")
    with pytest.raises(ValueError):
        rules.tally([1], [(1, 4)])
    with pytest.raises(ValueError):
        rules.tally([1], [(2, 3)])


def test_normalise_token():
    assert rules.normalise_token(" ab-cd ef7 ") == "ABCDEF7"
