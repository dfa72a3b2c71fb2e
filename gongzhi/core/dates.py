"""Dates as a Chinese office writes them: 2026年12月6日 星期日 (the weekday in Chinese), and in English
mode "Sunday, 6 December 2026". The formats are catalogue entries, so each language writes its own
order; Django's own catalogue names the weekday and the month (星期日 in zh-hans)."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import pgettext

MISSING = "—"


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
