"""Dates as a Chinese office writes them: 2026年12月6日 星期日 (the weekday in Chinese), and in English
mode "Sunday, 6 December 2026"; with the time 2026年12月6日 10:30, a month 2026年12月, a day within
the year shown beside it 12月6日 — never an ISO 2026-12-06 in page text, PDFs or letters. The formats are catalogue entries, so each language writes its own
order; Django's own catalogue names the weekday and the month (星期日 in zh-hans)."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import pgettext

MISSING = "—"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def long_date(value: dt.date | dt.datetime | None) -> str:
    """2026年12月6日 星期日; "—" for no date."""
    if value is None:
        return MISSING
    return dateformat.format(_local_date(value), pgettext("long date with weekday", "Y年n月j日 l"))


def plain_date(value: dt.date | dt.datetime | None) -> str:
    """2026年12月6日; "—" for no date."""
    if value is None:
        return MISSING
    return dateformat.format(_local_date(value), pgettext("long date", "Y年n月j日"))


def date_time(value: dt.date | dt.datetime | None) -> str:
    """2026年12月6日 10:30 (local time); a plain date has no time: 2026年12月6日; "—" for none."""
    if value is None:
        return MISSING
    if not isinstance(value, dt.datetime):
        return plain_date(value)
    return dateformat.format(_local(value), pgettext("date and time", "Y年n月j日 H:i"))


def long_date_time(value: dt.date | dt.datetime | None) -> str:
    """2026年12月6日 星期日 10:30 — a meeting's or a deadline's moment, with its weekday."""
    if value is None:
        return MISSING
    if not isinstance(value, dt.datetime):
        return long_date(value)
    return dateformat.format(_local(value), pgettext("date and time with weekday", "Y年n月j日 l H:i"))


def year_month(value: dt.date | dt.datetime | None) -> str:
    """2026年12月 (a month's row: bills, collections); "—" for none."""
    if value is None:
        return MISSING
    return dateformat.format(_local_date(value), pgettext("year and month", "Y年n月"))


def month_day(value: dt.date | dt.datetime | None) -> str:
    """12月6日, for a column whose year is shown beside it; "—" for none."""
    if value is None:
        return MISSING
    return dateformat.format(_local_date(value), pgettext("month and day", "n月j日"))
