"""Working days on China's official calendar (国务院办公厅 holiday arrangements), with the
make-up working days (调休上班) on weekends, from the maintained ``chinesecalendar`` package.

Deadlines "within N working days" count the days after the start day: a problem assigned on
a Friday with 1 working day is due the next Monday. The package knows the years whose
arrangement the State Council has published; for a later year ``add_working_days`` raises
``UnknownCalendarYear`` unless the caller asks for a provisional answer. The provisional answer
rests on what the law fixes for every year — weekends and the statutory holidays of the
全国年节及纪念日放假办法, with 春节、端午、中秋 from the lunar calendar and 清明 from the solar
term (``statutory_holidays``) — so only the State Council's adjustments (make-up working
weekends, bridging days) can still move it; it says so (``Deadline.provisional``) and is counted
again once the package is updated (``problems_recompute_provisional_deadlines``).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import NamedTuple

import chinese_calendar
from django.utils.translation import gettext
from lunar_python import Lunar


class UnknownCalendarYear(Exception):
    def __init__(self, year: int):
        super().__init__(f"no official holiday arrangement for {year}")
        self.year = year
        self.message = gettext(
            "尚未收录 %(year)d 年的国务院节假日安排，无法精确计算工作日。请更新 chinesecalendar 软件包。"
        ) % {"year": year}


class _HolidayRules(NamedTuple):
    since: int  # first calendar year the version governs
    spring_eve: bool  # 春节 includes 农历除夕
    spring_days: int  # 春节 days counted from 除夕 (or from 正月初一 when spring_eve is False)
    labour_days: int  # 劳动节: 5月1日 onwards


# 全国年节及纪念日放假办法, art. 2 (holidays for all citizens), in the versions that have governed
# the years since 2008. 元旦、清明、端午、中秋 are one day each and 国庆 three days in all of them.
_RULES = (
    _HolidayRules(2008, spring_eve=True, spring_days=3, labour_days=1),  # 国务院令第513号 (除夕、初一、初二)
    _HolidayRules(2014, spring_eve=False, spring_days=3, labour_days=1),  # 国务院令第644号 (初一至初三)
    _HolidayRules(2025, spring_eve=True, spring_days=4, labour_days=2),  # 国务院令第795号 (除夕、初一至初三)
)
FIRST_RULE_YEAR = _RULES[0].since
LAST_RULE_YEAR = 9998  # the lunar calendar library's last full lunar year within Python's dates


def _rules_for(year: int) -> _HolidayRules:
    if not FIRST_RULE_YEAR <= year <= LAST_RULE_YEAR:
        raise ValueError(f"no statutory holiday rules for {year}")
    return [r for r in _RULES if r.since <= year][-1]


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays of ``year`` (全国年节及纪念日放假办法 art. 2, as in force that year):
    day → holiday name. 春节、端午、中秋 follow the lunar calendar, 清明 the solar term; a day can
    carry two holidays (中秋 on 3 Oct 2028), then both names are given."""
    rules = _rules_for(year)
    new_year = _solar(Lunar.fromYmd(year, 1, 1))  # 正月初一
    first = new_year - dt.timedelta(days=1) if rules.spring_eve else new_year
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    groups = [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", [first + dt.timedelta(days=n) for n in range(rules.spring_days)]),
        ("清明节", [dt.date(year, qingming.getMonth(), qingming.getDay())]),
        ("劳动节", [dt.date(year, 5, 1 + n) for n in range(rules.labour_days)]),
        ("端午节", [_solar(Lunar.fromYmd(year, 5, 5))]),
        ("中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]),
        ("国庆节", [dt.date(year, 10, 1 + n) for n in range(3)]),
    ]
    days: dict[dt.date, str] = {}
    for name, group in groups:
        for day in group:
            days[day] = f"{days[day]}、{name}" if day in days else name
    return days


@cache
def statutory_rest_days(year: int) -> frozenset[dt.date]:
    """The statutory holidays of ``year`` and the days that make up for them. A holiday falling on a
    Saturday or Sunday is made up on a working day (放假办法 art. 6), and so, in the State
    Council's practice (2001, 2012, 2020), is a holiday that falls on another one; the make-up day is
    the first Monday–Friday after the holiday that is not itself a holiday, as the published
    arrangements since 2008 have it but twice (端午 2012, 中秋 2015). The State Council may place it
    elsewhere, which is why a count resting on these days is provisional."""
    holidays = statutory_holidays(year)
    rest = set(holidays)
    owed = 0
    for day in sorted(holidays):
        owed += holidays[day].count("、") + (day.weekday() >= 5)
        after = day + dt.timedelta(days=1)
        if after in holidays:
            continue  # make up after the whole holiday, not inside it
        while owed:
            while after.weekday() >= 5 or after in rest:
                after += dt.timedelta(days=1)
            rest.add(after)
            owed -= 1
    return frozenset(rest)


def last_official_year() -> int:
    """The last year whose official arrangement (holidays and make-up working days) the installed
    ``chinesecalendar`` knows; later years are counted provisionally (``gongzhi doctor`` warns)."""
    return max(day.year for day in (*chinese_calendar.holidays, *chinese_calendar.workdays))


def _known(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _statutory_working(day: dt.date) -> bool:
    """Working by the law alone: Monday–Friday and not a statutory rest day (before 2008: Mon–Fri)."""
    if day.weekday() >= 5:
        return False
    if not FIRST_RULE_YEAR <= day.year <= LAST_RULE_YEAR:
        return True
    return day not in statutory_rest_days(day.year)


def is_working_day(day: dt.date, *, allow_provisional: bool = False) -> bool:
    """True on an official working day (including a make-up Saturday/Sunday). For a year without a
    published arrangement, raises ``UnknownCalendarYear`` unless ``allow_provisional``, which answers
    from the statutory holidays and weekends."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if allow_provisional:
            return _statutory_working(day)
        raise UnknownCalendarYear(day.year) from None


class Deadline(NamedTuple):
    due: dt.date
    provisional: bool  # True when part of the count fell in a year without a published arrangement


def add_working_days(start: dt.date, days: int, *, allow_provisional: bool = False) -> Deadline:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    counted = 0
    provisional = False
    while counted < days:
        day += dt.timedelta(days=1)
        if _known(day):
            working = chinese_calendar.is_workday(day)
        elif allow_provisional:
            provisional = True
            working = _statutory_working(day)
        else:
            raise UnknownCalendarYear(day.year)
        if working:
            counted += 1
    return Deadline(day, provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start. Years without a published
    arrangement count by the statutory holidays and weekends."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day) if _known(day) else _statutory_working(day):
            count += 1
    return count
