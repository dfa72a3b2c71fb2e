"""Shared input bounds: what a value typed or sent by a user may be before it reaches the database.

A bad value is refused with a Chinese message or treated as "no such record"; it never reaches a
query that the database cannot run (an integer above 2^63 − 1, a Decimal whose rounding overflows,
a digit that is not ASCII), so user input never becomes an HTTP 500.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# The largest value of a signed 64-bit column (BigAutoField, PostgreSQL bigint, SQLite INTEGER).
DB_INT_MAX = 2**63 - 1
# A plain integer form field is stored in a 32-bit column on PostgreSQL (``integer``).
DB_SMALL_INT_MAX = 2**31 - 1

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(raw: Any) -> int | None:
    """A record id from a query string or form: ASCII digits within 1..2^63−1, else None.

    ``str.isdigit`` is no guard: it is true for "²" and "٣", which ``int`` then refuses or reads as
    a number the user never typed, and for twenty nines, which no database column can hold."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= DB_INT_MAX else None
    text = str(raw or "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= DB_INT_MAX else None


def is_id(raw: Any) -> bool:
    """True when ``raw`` is a record id ``parse_id`` accepts (the safe ``raw.isdigit()``)."""
    return parse_id(raw) is not None


def bounded_decimal(raw: Any, *, max_abs: Decimal | int) -> Decimal | None:
    """A finite Decimal whose size is at most ``max_abs``, checked BEFORE any rounding (quantize
    raises on 1e30 at two places); None for text that is not such a number (NaN, Infinity, 1e30)."""
    if isinstance(raw, bool | float):
        return None
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or abs(number) > Decimal(max_abs):
        return None
    return number


def int_bounds(low: int = 0, high: int = DB_SMALL_INT_MAX) -> list:
    """Validators for an integer form field that the database can store: ``validators=int_bounds()``."""
    return [MinValueValidator(low), MaxValueValidator(high)]


# ---- Dates: a sane window for every date a person types (issue 11: 0001-01-01 and 9999-12-31) ----------

# Nothing the platform records can predate 1990: commodity housing and its property management began in
# Shanghai in the 1990s (上海市居住物业管理条例, 1997), and a fee standard or a decision older than that
# is a typing error.
EARLIEST_DATE = dt.date(1990, 1, 1)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def _side(value, earliest, latest) -> str | None:
    """Which side of the window ("early", "late") or None (inside). Aware datetimes at year 1 or 9999 overflow when compared
    across UTC offsets, so the year decides for them."""
    if isinstance(value, dt.datetime) and value.year <= 1:
        return "early"
    if isinstance(value, dt.datetime) and value.year >= 9999:
        return "late"
    try:
        if earliest is not None and value < earliest:
            return "early"
        if latest is not None and value > latest:
            return "late"
    except OverflowError:
        return "early" if value.year < 1000 else "late"
    return None


def date_window_error(value, *, label: str, earliest=None, latest=None) -> str | None:
    """None when ``earliest ≤ value ≤ latest`` (dates, or aware datetimes), else a Chinese message that
    names the field and the window. Either bound may be None (open)."""
    side = _side(value, earliest, latest)
    if side is None:
        return None
    if earliest is not None and latest is not None:
        return _("%(label)s应在 %(earliest)s 至 %(latest)s 之间。") % {
            "label": label,
            "earliest": _text(earliest),
            "latest": _text(latest),
        }
    if side == "early" and earliest is not None:
        return _("%(label)s不能早于 %(earliest)s。") % {"label": label, "earliest": _text(earliest)}
    if side == "late" and latest is not None:
        return _("%(label)s不能晚于 %(latest)s。") % {"label": label, "latest": _text(latest)}
    return _("%(label)s无效。") % {"label": label}


@deconstructible
class DateWindowValidator:
    """A form-field validator for ``date_window_error``; bounds may be callables, read at validation
    time (``latest=lambda: add_years(timezone.localdate(), 2)``)."""

    def __init__(self, *, label, earliest=None, latest=None):
        self.label, self.earliest, self.latest = label, earliest, latest

    def __call__(self, value):
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        message = date_window_error(value, label=str(self.label), earliest=earliest, latest=latest)
        if message:
            raise ValidationError(message, code="date_window")

    def __eq__(self, other):
        return isinstance(other, DateWindowValidator) and (self.label, self.earliest, self.latest) == (
            other.label,
            other.earliest,
            other.latest,
        )


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids no database column can hold before it queries.

    Django reads ``?areas=99999999999999999999`` into an ``__in`` lookup that overflows (SQLite:
    OverflowError; PostgreSQL: bigint out of range) — an HTTP 500 instead of "not a valid choice"."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple | set | frozenset) else [value]:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def parse_day(raw: Any) -> dt.date | None:
    """A day from a query string or form (YYYY-MM-DD) within 1970–2100; None for anything else.

    Django's ``parse_date`` raises ValueError on a well-formed day that does not exist (2024-02-30),
    and a day at the edge of the calendar (0001-01-01) overflows as soon as a page links the day
    before it."""
    try:
        day = parse_date(str(raw or "").strip()[:10])
    except ValueError:
        return None
    if day is None or not dt.date(1970, 1, 1) <= day <= dt.date(2100, 12, 31):
        return None
    return day
