"""Working days on China's official calendar (国务院办公厅 holiday arrangements), with the
make-up working days (调休上班) on weekends, from the maintained ``chinesecalendar`` package.

Deadlines "within N working days" count the days after the start day: a problem assigned on
a Friday with 1 working day is due the next Monday. The package knows the years whose
arrangement the State Council has published; for a later year ``add_working_days`` raises
``UnknownCalendarYear`` unless the caller asks for a provisional answer, which then counts
Monday–Friday only and says so (the deadline is recomputed once the package is updated).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import chinese_calendar
from django.utils.translation import gettext


class UnknownCalendarYear(Exception):
    def __init__(self, year: int):
        super().__init__(f"no official holiday arrangement for {year}")
        self.year = year
        self.message = gettext(
            "尚未收录 %(year)d 年的国务院节假日安排,无法精确计算工作日。请更新 chinesecalendar 软件包。"
        ) % {"year": year}


def _known(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    """True on an official working day (including a make-up Saturday/Sunday)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
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
            working = day.weekday() < 5
        else:
            raise UnknownCalendarYear(day.year)
        if working:
            counted += 1
    return Deadline(day, provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start. Unknown years count Mon–Fri."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day) if _known(day) else day.weekday() < 5:
            count += 1
    return count
