"""Money as the fee pages print it: exact Decimal, two decimals, thousands separators (1,234,567.80)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """``Decimal("1234567.8")`` → ``"1,234,567.80"``; None or text that is no number → "—"."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return format(number.quantize(Decimal("0.01")), ",.2f")


@register.filter
def standard(value: Any) -> str:
    """A fee standard with two decimals unless it has more (0.8 → 0.80; 0.825 → 0.825)."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    whole, _dot, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


@register.filter
def measure(value: Any) -> str:
    """A requirement or commitment as people write it: no trailing zeros and never an exponent
    (``Decimal("20.00")`` → ``"20"``, not ``"2E+1"`` as ``normalize()`` alone prints it; 0.50 → 0.5).
    None → "" (an empty input); text that is no number is shown as typed (a refused entry kept for fixing)."""
    if value is None:
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


@register.filter
def get_entry(mapping: Any, key: str) -> str:
    """``mapping[key]`` for a form's entered values (``{{ entered|get_entry:c.code }}``); "" when absent."""
    return str(mapping.get(key, "")) if isinstance(mapping, dict) else ""


@register.filter
def lookup(mapping: Any, key: str) -> Any:
    """``mapping[key]`` as it is (``{% with q=quality.by_code|lookup:c.code %}``); None when absent."""
    return mapping.get(key) if isinstance(mapping, dict) else None
