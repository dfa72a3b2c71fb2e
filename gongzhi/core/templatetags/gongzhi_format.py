"""Display filters shared by every page: ``{% load gongzhi_format %}``.

``{{ rate|percent }}`` → "87.5%" (or "—" when there is no figure); ``{{ rate|percent:1 }}`` rounds
as ``floatformat:1`` does first. ``{{ amount|money }}`` → "1,234.50"; ``{{ amount|yuan }}`` → "1,234.50 元"
(the unit translated); ``{{ day|long_date }}`` → "2026年12月6日 星期日"; ``{{ day|plain_date }}`` → "2026年12月6日";
``{{ moment|date_time }}`` → "2026年12月6日 10:30"; ``{{ meeting.starts_at|long_date_time }}`` →
"2026年12月6日 星期日 10:30"; ``{{ month|year_month }}`` → "2026年12月"; ``{{ day|month_day }}`` → "12月6日";
``{{ matter|civil_code_278 }}`` → "《民法典》第二百七十八条第一款第（四）项".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gongzhi.core import dates, legal

register = template.Library()

MISSING = "—"
CENTS = Decimal("0.01")


@register.filter
def percent(value: Any, digits: Any = None) -> SafeString | str:
    if value is None:
        return MISSING
    shown = value if digits is None else floatformat(value, digits)
    return format_html("{}%", shown)


@register.filter
def money(value: Any) -> str:
    """``Decimal("1522181.85")`` → "1,522,181.85": exact, two decimals, thousands separators; None or
    text that is no number → "—"."""
    if value is None or value == "" or isinstance(value, bool):
        return MISSING
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return MISSING
    if not number.is_finite():
        return MISSING
    return format(number.quantize(CENTS), ",.2f")


@register.filter
def yuan(value: Any) -> SafeString:
    """``Decimal("1234.5")`` → "1,234.50 元"."""
    return format_html("{} {}", money(value), _("元"))


@register.filter
def long_date(value: Any) -> str:
    """``{{ day|long_date }}`` → 2026年12月6日 星期日 (English: Sunday, 6 December 2026)."""
    return dates.long_date(value or None)


@register.filter
def plain_date(value: Any) -> str:
    """``{{ day|plain_date }}`` → 2026年12月6日 (English: 6 December 2026)."""
    return dates.plain_date(value or None)


@register.filter(expects_localtime=True)
def date_time(value: Any) -> str:
    """``{{ moment|date_time }}`` → 2026年12月6日 10:30 (English: 6 December 2026, 10:30)."""
    return dates.date_time(value or None)


@register.filter(expects_localtime=True)
def long_date_time(value: Any) -> str:
    """``{{ meeting.starts_at|long_date_time }}`` → 2026年12月6日 星期日 10:30."""
    return dates.long_date_time(value or None)


@register.filter
def year_month(value: Any) -> str:
    """``{{ row.month|year_month }}`` → 2026年12月 (English: December 2026)."""
    return dates.year_month(value or None)


@register.filter
def month_day(value: Any) -> str:
    """``{{ entry.date|month_day }}`` → 12月6日 (English: 6 December), the year shown beside it."""
    return dates.month_day(value or None)


@register.filter
def civil_code_278(item: Any) -> str:
    """``{{ decision.matter|civil_code_278 }}`` → 《民法典》第二百七十八条第一款第（四）项 (core/legal.py);
    "" for a value that is no matter number."""
    try:
        return legal.civil_code_278_item(int(item))
    except (TypeError, ValueError):
        return ""
