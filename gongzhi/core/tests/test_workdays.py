"""Known answers for working days on China's official calendar (gongzhi/core/workdays.py, from the
chinesecalendar package): the 2026 Spring Festival and National Day with their make-up working days,
the start day not counted, unknown years, and the count in both directions."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import workdays
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
    # Provisional: weekends and the statutory holidays for the unknown year, and it says so. 1 Jan 2027
    # is a Friday and 元旦, so the 10th working day is Monday 4 Jan, not the holiday.
    assert add_working_days(D(2026, 12, 20), 10, allow_provisional=True) == Deadline(D(2027, 1, 4), True)
    assert add_working_days(D(2026, 12, 20), 9, allow_provisional=True) == Deadline(D(2026, 12, 31), False)
    with pytest.raises(UnknownCalendarYear):
        is_working_day(D(2027, 1, 4))


def test_working_days_between_counts_the_end_not_the_start_and_is_antisymmetric():
    assert working_days_between(D(2026, 2, 12), D(2026, 3, 4)) == 10
    assert working_days_between(D(2026, 3, 4), D(2026, 2, 12)) == -10
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 14)) == 0
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0  # all holiday
    assert working_days_between(D(2026, 12, 31), D(2027, 1, 4)) == 1  # unknown year: 元旦 Fri 1 Jan is off


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


# ---- years past the package's data: the statutory holidays of 全国年节及纪念日放假办法 (2024) ----------
# Each date below was checked by two independent methods: the lunar dates with lunar-python and with
# lunardate (table-based), 清明 with lunar-python's solar terms and the 寿星 formula [Y×0.2422+4.81]−[Y/4].
HOLIDAYS_2027 = {
    D(2027, 1, 1): "元旦",  # Friday
    D(2027, 2, 5): "春节",  # 除夕, Friday
    D(2027, 2, 6): "春节",  # 正月初一, Saturday
    D(2027, 2, 7): "春节",
    D(2027, 2, 8): "春节",  # 初三, Monday
    D(2027, 4, 5): "清明节",
    D(2027, 5, 1): "劳动节",  # Saturday
    D(2027, 5, 2): "劳动节",  # Sunday
    D(2027, 6, 9): "端午节",
    D(2027, 9, 15): "中秋节",
    D(2027, 10, 1): "国庆节",
    D(2027, 10, 2): "国庆节",
    D(2027, 10, 3): "国庆节",
}
# Holidays on a weekend are made up on the following Monday–Friday (art. 6): 6–7 Feb, 1–2 May, 2–3 Oct.
MAKE_UP_2027 = [D(2027, 2, 9), D(2027, 2, 10), D(2027, 5, 3), D(2027, 5, 4), D(2027, 10, 4), D(2027, 10, 5)]
HOLIDAYS_2028 = {
    D(2028, 1, 1): "元旦",  # Saturday
    D(2028, 1, 25): "春节",  # 除夕
    D(2028, 1, 26): "春节",
    D(2028, 1, 27): "春节",
    D(2028, 1, 28): "春节",
    D(2028, 4, 4): "清明节",
    D(2028, 5, 1): "劳动节",
    D(2028, 5, 2): "劳动节",
    D(2028, 5, 28): "端午节",  # Sunday
    D(2028, 10, 1): "国庆节",  # Sunday
    D(2028, 10, 2): "国庆节",
    D(2028, 10, 3): "中秋节、国庆节",  # 中秋 falls on National Day
}
MAKE_UP_2028 = [D(2028, 1, 3), D(2028, 5, 29), D(2028, 10, 4), D(2028, 10, 5)]


@pytest.mark.parametrize(("year", "expected"), [(2027, HOLIDAYS_2027), (2028, HOLIDAYS_2028)])
def test_statutory_holidays_of_years_past_the_package(year, expected):
    assert workdays.statutory_holidays(year) == expected
    assert workdays.statutory_rest_days(year) == set(expected) | set(
        MAKE_UP_2027 if year == 2027 else MAKE_UP_2028
    )


@pytest.mark.parametrize("day", [*HOLIDAYS_2027, *MAKE_UP_2027, *HOLIDAYS_2028, *MAKE_UP_2028])
def test_provisional_years_rest_on_statutory_holidays_and_their_make_up_days(day):
    with pytest.raises(UnknownCalendarYear):
        is_working_day(day)
    assert not is_working_day(day, allow_provisional=True)


def test_provisional_years_keep_weekends_as_rest_days_and_weekdays_as_working():
    assert not is_working_day(D(2027, 1, 2), allow_provisional=True)  # Saturday
    assert not is_working_day(D(2027, 1, 3), allow_provisional=True)  # Sunday
    assert is_working_day(D(2027, 1, 4), allow_provisional=True)  # Monday
    assert is_working_day(D(2027, 2, 4), allow_provisional=True)  # Thursday before 除夕
    assert is_working_day(D(2027, 2, 11), allow_provisional=True)  # after the make-up days
    assert is_working_day(D(2027, 9, 14), allow_provisional=True)  # day before 中秋


def test_a_deadline_across_new_year_2027_skips_the_holiday_and_the_weekend():
    assert add_working_days(D(2026, 12, 31), 1, allow_provisional=True) == Deadline(D(2027, 1, 4), True)
    assert add_working_days(D(2026, 12, 30), 1, allow_provisional=True) == Deadline(D(2026, 12, 31), False)
    # 4 working days from 1 Feb 2027: 2, 3, 4, then 5–10 Feb are off (春节 and its make-up days), 11 Feb.
    assert add_working_days(D(2027, 2, 1), 4, allow_provisional=True) == Deadline(D(2027, 2, 11), True)
    assert working_days_between(D(2027, 2, 4), D(2027, 2, 11)) == 1
    assert working_days_between(D(2027, 9, 30), D(2027, 10, 8)) == 3  # 6, 7, 8 Oct


def test_years_the_package_covers_still_use_its_official_arrangement():
    # The 2026 arrangement bridges Friday 2 Jan and works Sunday 4 Jan: the statutory rule alone would
    # say the opposite, and the package's answer wins.
    assert D(2026, 1, 2) not in workdays.statutory_rest_days(2026)
    assert not is_working_day(D(2026, 1, 2))
    assert is_working_day(D(2026, 1, 4))
    assert add_working_days(D(2026, 1, 1), 1, allow_provisional=True) == Deadline(D(2026, 1, 4), False)


def test_the_statutory_rule_agrees_with_every_published_arrangement_since_2008():
    # Every statutory holiday the rule computes (in the version of the 放假办法 in force that year) is a
    # holiday in the State Council's arrangement; so is every make-up day except the two the State
    # Council placed elsewhere (端午 2012 was made up on Friday 22 June; 中秋 2015 not on Monday 28 Sep).
    stray = []
    for year in range(2008, 2027):
        holidays = workdays.statutory_holidays(year)
        assert all(chinese_calendar.is_holiday(day) for day in holidays), year
        assert len(holidays) == (11 if year < 2025 else 13) - (year in (2009, 2020)), year
        stray += [day for day in workdays.statutory_rest_days(year) if chinese_calendar.is_workday(day)]
    assert stray == [D(2012, 6, 25), D(2015, 9, 28)]


@given(
    start=st.dates(min_value=D(2026, 10, 1), max_value=D(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_provisional_counts_agree_with_working_days_between(start, n):
    due = add_working_days(start, n, allow_provisional=True)
    assert due.provisional == (due.due.year > 2026)
    assert is_working_day(due.due, allow_provisional=True)
    assert working_days_between(start, due.due) == n
    assert working_days_between(start, due.due - dt.timedelta(days=1)) == n - 1
