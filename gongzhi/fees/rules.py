"""Pure rules of fee standards and collection: exact Decimal arithmetic, no ORM, no floats."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError

HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.01")  # percent shown with two decimals
MAX_STANDARD_PLACES = 4
ROLLING_MONTHS = 12  # the registry's "collection rate" is that of the latest fee year (12 months)


class FeeError(UserError):
    """Bad input to a fee write; ``message`` is plain Chinese for the user."""


def collection_rate(billed: Decimal, collected: Decimal) -> Decimal | None:
    """collected / billed as an exact Decimal fraction (0.8523…), or None when nothing was billed."""
    if not billed:
        return None
    return Decimal(collected) / Decimal(billed)


def percent(rate: Decimal | None) -> Decimal | None:
    """A rate fraction as a percent with two decimals, rounded half up (0.85235 → 85.24)."""
    if rate is None:
        return None
    return (rate * HUNDRED).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def percent_text(rate: Decimal | None) -> str:
    value = percent(rate)
    return "—" if value is None else f"{value}%"


def rolling_rate(rows: Iterable[tuple[dt.date, Decimal, Decimal]]) -> Decimal | None:
    """Σcollected / Σbilled over the ``ROLLING_MONTHS`` months ending at the latest month given.

    ``rows`` are (month, billed, collected); months outside that window are ignored."""
    rows = sorted(rows, key=lambda r: r[0])
    if not rows:
        return None
    first = month_add(rows[-1][0], -(ROLLING_MONTHS - 1))
    window = [r for r in rows if r[0] >= first]
    return collection_rate(sum((r[1] for r in window), Decimal(0)), sum((r[2] for r in window), Decimal(0)))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*0?1)?\s*$")


def parse_month(value: object) -> dt.date:
    """2024-03, 2024/3, 2024年3月, or a date (its month)."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or ""))
    if not match:
        raise FeeError(_("“%(value)s”不是月份,请填写如 2024-03 的年月。") % {"value": value or ""})
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise FeeError(_("“%(value)s”不是有效的月份。") % {"value": value})
    return dt.date(year, month, 1)


def parse_money(value: object, *, label: str, places: int = 2, allow_zero: bool = True) -> Decimal:
    """A non-negative amount with at most ``places`` decimals; text, int or Decimal (never a float)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise FeeError(_("请填写%(label)s。") % {"label": label})
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FeeError(_("%(label)s“%(value)s”不是数字。") % {"label": label, "value": value}) from None
    if not number.is_finite():
        raise FeeError(_("%(label)s“%(value)s”不是数字。") % {"label": label, "value": value})
    if number < 0:
        raise FeeError(_("%(label)s不能为负数。") % {"label": label})
    if number == 0 and not allow_zero:
        raise FeeError(_("%(label)s必须大于 0。") % {"label": label})
    # The size first: quantize raises InvalidOperation on 1e30 (more digits than the context holds).
    if number >= Decimal(10) ** 12:
        raise FeeError(_("%(label)s过大。") % {"label": label})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise FeeError(_("%(label)s最多 %(places)d 位小数。") % {"label": label, "places": places})
    return number.quantize(Decimal(1).scaleb(-places))


# More households than any estate has; also far inside the database's integer column.
MAX_HOUSEHOLDS = 1_000_000


def check_collection(
    *,
    month: dt.date,
    billed: Decimal,
    collected: Decimal,
    households_billed: int | None,
    households_paid: int | None,
    today: dt.date,
) -> None:
    """The rules of one month's collection; raises ``FeeError`` naming the first one broken."""
    if month > month_start(today):
        raise FeeError(_("月份 %(month)s 还没有到,不能登记。") % {"month": f"{month:%Y-%m}"})
    if billed <= 0:
        raise FeeError(_("应收金额必须大于 0。"))
    if collected > billed:
        raise FeeError(
            _("实收金额 %(collected)s 元超过应收金额 %(billed)s 元。")
            % {"collected": collected, "billed": billed}
        )
    for label, count in ((_("应缴户数"), households_billed), (_("已缴户数"), households_paid)):
        if count is not None and not 0 <= count <= MAX_HOUSEHOLDS:
            raise FeeError(
                _("%(label)s必须是 0 到 %(max)d 之间的整数。") % {"label": label, "max": MAX_HOUSEHOLDS}
            )
    if households_billed is not None and households_paid is not None and households_paid > households_billed:
        raise FeeError(
            _("已缴户数 %(paid)d 超过应缴户数 %(billed)d。")
            % {"paid": households_paid, "billed": households_billed}
        )
    if (households_billed is None) != (households_paid is None):
        raise FeeError(_("应缴户数和已缴户数要么都填,要么都不填。"))


# The window of a standard's start date: not before 1990 (no property-fee standard of the platform's estates
# predates Shanghai's first residential property rules, 1997 — EARLIEST_DATE in core/validators.py) and not
# more than two years ahead (a price decided at the annual negotiation takes effect within that).
STANDARD_YEARS_AHEAD = 2


def standard_date_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last ``effective_from`` a new fee standard may have, seen on ``today``."""
    from gongzhi.core.validators import EARLIEST_DATE, add_years

    return EARLIEST_DATE, add_years(today, STANDARD_YEARS_AHEAD)
