"""Known answers for working days on China's official calendar (gongzhi/core/workdays.py, from the
chinesecalendar package): the 2026 Spring Festival and National Day with their make-up working days,
the start day not counted, unknown years, and the count in both directions."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.workdays import (
    Deadline,
    UnknownCalendarYear,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date

# State Council arrangement for the 2026 Spring Festival: off Sun 15 – Mon 23 Feb (nine days);
# Saturdays 14 Feb and 28 Feb are worked.
SPRING_FESTIVAL_2026 = [D(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]
SPRING_MAKE_UP_2026 = [D(2026, 2, 14), D(2026, 2, 28)]
# National Day 2026: off Thu 1 – Wed 7 Oct; Sunday 20 Sep and Saturday 10 Oct are worked.
NATIONAL_DAY_2026 = [D(2026, 10, 1) + dt.timedelta(days=n) for n in range(7)]
NATIONAL_MAKE_UP_2026 = [D(2026, 9, 20), D(2026, 10, 10)]


def test_the_package_data_says_what_the_known_answers_assume():
    # If an update of chinesecalendar ever changed the 2026 arrangement, this fails first.
    for day in SPRING_FESTIVAL_2026:
        assert chinese_calendar.get_holiday_detail(day) == (
            True,
            chinese_calendar.Holiday.spring_festival.value,
        )
    for day in NATIONAL_DAY_2026:
        assert chinese_calendar.get_holiday_detail(day) == (True, chinese_calendar.Holiday.national_day.value)
    weekend_workdays = [
        day
        for day in (D(2026, 1, 1) + dt.timedelta(days=n) for n in range(365))
        if day.weekday() >= 5 and chinese_calendar.is_workday(day)
    ]
    assert set(SPRING_MAKE_UP_2026 + NATIONAL_MAKE_UP_2026) <= set(weekend_workdays)
    assert [d for d in weekend_workdays if d.month in (9, 10)] == NATIONAL_MAKE_UP_2026


@pytest.mark.parametrize("day", SPRING_FESTIVAL_2026 + NATIONAL_DAY_2026)
def test_holidays_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", SPRING_MAKE_UP_2026 + NATIONAL_MAKE_UP_2026)
def test_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_ordinary_days():
    assert is_working_day(D(2026, 2, 13))  # Friday before the festival
    assert is_working_day(D(2026, 2, 24))  # Tuesday after it
    assert not is_working_day(D(2026, 3, 7))  # an ordinary Saturday
    assert not is_working_day(D(2026, 3, 8))  # an ordinary Sunday


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (1, D(2026, 2, 13)),  # Friday
        (2, D(2026, 2, 14)),  # the make-up Saturday
        (3, D(2026, 2, 24)),  # over the nine-day holiday
        (10, D(2026, 3, 4)),  # 13, 14, 24, 25, 26, 27, 28 (make-up Sat), 2, 3, 4 Mar
    ],
)
def test_add_working_days_across_the_2026_spring_festival(days, due):
    assert add_working_days(D(2026, 2, 12), days) == Deadline(due, False)


def test_add_working_days_across_national_day_2026():
    assert add_working_days(D(2026, 9, 18), 1).due == D(2026, 9, 20)  # Fri → the make-up Sunday
    assert add_working_days(D(2026, 9, 30), 1).due == D(2026, 10, 8)  # over 1–7 Oct
    assert add_working_days(D(2026, 9, 30), 3).due == D(2026, 10, 10)  # 8, 9, make-up Sat 10
    assert add_working_days(D(2026, 9, 30), 4).due == D(2026, 10, 12)  # Sun 11 is off


def test_friday_plus_one_is_monday_and_the_start_day_is_not_counted():
    assert add_working_days(D(2026, 3, 6), 1).due == D(2026, 3, 9)
    assert add_working_days(D(2026, 3, 9), 1).due == D(2026, 3, 10)  # from a working Monday: Tuesday
    assert add_working_days(D(2026, 3, 7), 1).due == D(2026, 3, 9)  # from a Saturday: Monday


@pytest.mark.parametrize("days", [0, -1])
def test_fewer_than_one_day_is_an_error(days):
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(D(2026, 3, 2), days)


def test_a_count_into_an_unknown_year_is_refused_in_chinese_unless_provisional():
    assert add_working_days(D(2026, 12, 20), 9) == Deadline(D(2026, 12, 31), False)  # still 2026
    with pytest.raises(UnknownCalendarYear) as caught:
        add_working_days(D(2026, 12, 20), 10)
    assert caught.value.year == 2027
    assert "2027" in caught.value.message and "国务院节假日安排" in caught.value.message
    # Provisional: Monday–Friday for the unknown year, and it says so (1 Jan 2027 is a Friday).
    assert add_working_days(D(2026, 12, 20), 10, allow_provisional=True) == Deadline(D(2027, 1, 1), True)
    assert add_working_days(D(2026, 12, 20), 9, allow_provisional=True) == Deadline(D(2026, 12, 31), False)
    with pytest.raises(UnknownCalendarYear):
        is_working_day(D(2027, 1, 4))


def test_working_days_between_counts_the_end_not_the_start_and_is_antisymmetric():
    assert working_days_between(D(2026, 2, 12), D(2026, 3, 4)) == 10
    assert working_days_between(D(2026, 3, 4), D(2026, 2, 12)) == -10
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 14)) == 0
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0  # all holiday
    assert working_days_between(D(2026, 12, 31), D(2027, 1, 4)) == 2  # unknown year: Fri 1 and Mon 4 Jan


@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 9, 30)),
    n=st.integers(min_value=1, max_value=40),
)
def test_working_days_between_undoes_add_working_days(start, n):
    due = add_working_days(start, n)
    assert not due.provisional
    assert is_working_day(due.due)
    assert working_days_between(start, due.due) == n
    assert working_days_between(due.due, start) == -n
    assert working_days_between(start, due.due - dt.timedelta(days=1)) == n - 1  # the due day is the n-th


@given(
    a=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)),
    b=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)),
)
def test_working_days_between_is_antisymmetric(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)
