"""Known answers for the shared display filters (core/templatetags/gongzhi_format.py, core/dates.py):
money with thousands separators, dates with the weekday in the page's language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from gongzhi.core.dates import long_date, plain_date
from gongzhi.core.templatetags.gongzhi_format import money, yuan


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1522181.85"), "1,522,181.85"),
        (Decimal("480000"), "480,000.00"),
        (Decimal("-1234.5"), "-1,234.50"),
        ("999.995", "1,000.00"),  # Decimal's half-even rounding of the exact value, no float on the way
        (0, "0.00"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
        ("Infinity", "—"),
    ],
)
def test_money_has_two_decimals_and_thousands_separators(value, expected):
    assert money(value) == expected


def test_yuan_adds_the_unit_in_the_pages_language():
    with translation.override("zh-hans"):
        assert yuan(Decimal("1234567.8")) == "1,234,567.80 元"


SUNDAY = dt.date(2026, 12, 6)


def test_long_date_names_the_weekday_in_chinese_in_the_chinese_ui():
    with translation.override("zh-hans"):
        assert long_date(SUNDAY) == "2026年12月6日 星期日"
        assert long_date(dt.date(2027, 1, 1)) == "2027年1月1日 星期五"
        assert plain_date(SUNDAY) == "2026年12月6日"
        assert "Sunday" not in long_date(SUNDAY)


def test_long_date_is_english_in_english():
    with translation.override("en"):
        assert long_date(SUNDAY) == "Sunday, 6 December 2026"
        assert plain_date(SUNDAY) == "6 December 2026"


def test_an_aware_datetime_is_read_as_the_local_day():
    # 2026-12-05 17:00 UTC is already Sunday 01:00 in Shanghai.
    moment = dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.UTC)
    with translation.override("zh-hans"):
        assert long_date(moment) == "2026年12月6日 星期日"
        assert long_date(None) == "—"


def test_the_filters_work_in_a_template():
    template = Template("{% load gongzhi_format %}{{ d|long_date }} · {{ a|yuan }}")
    with translation.override("zh-hans"):
        html = template.render(Context({"d": SUNDAY, "a": Decimal("1522181.85")}))
    assert html == "2026年12月6日 星期日 · 1,522,181.85 元"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "共 35,978 条，1,240 户，12 人"), ("en", "共 35,978 条，1,240 户，12 人")],
)
def test_counts_have_thousands_separators_in_both_languages(language, expected):
    """intcomma on a Chinese page groups by three with commas, as the money filter does (Django's zh_Hans
    alone writes 35978)."""
    template = Template("{% load humanize %}共 {{ a|intcomma }} 条，{{ b|intcomma }} 户，{{ c|intcomma }} 人")
    with translation.override(language):
        assert template.render(Context({"a": 35978, "b": 1240, "c": 12})) == expected
