"""The pure-Python SVG helper (used where no JavaScript runs: the PDF and table sparklines)."""

import datetime as dt
from decimal import Decimal

from gongzhi.disclosure.svg import _nice_max, bar_chart, line_chart, sparkline


def test_nice_axis_maximum():
    assert _nice_max(Decimal("0")) == 1
    assert _nice_max(Decimal("87")) == 100
    assert _nice_max(Decimal("2667915.84")) == Decimal("5000000")
    assert _nice_max(Decimal("2100")) == Decimal("2500")


def test_sparkline_scales_to_the_box_and_skips_gaps():
    svg = sparkline([Decimal(0), None, Decimal(100)], width=100, height=20)
    assert svg.startswith("<svg") and 'points="2.0,18.0 98.0,2.0"' in svg
    assert sparkline([None, None]) == ""


def test_line_chart_places_points_by_date_and_escapes_the_title():
    start = dt.date(2025, 1, 1)
    svg = line_chart(
        [(start, Decimal("100")), (dt.date(2025, 1, 11), Decimal("50"))],
        title="<b>余额</b>",
        end=dt.date(2025, 1, 21),
        width=166,
        height=154,
    )
    assert "&lt;b&gt;余额&lt;/b&gt;" in svg and "<b>" not in svg
    # x: 56 + 100 × days/20; y: 28 + 100 − 100 × value/100 (the axis top is 100).
    assert 'points="56.0,28.0 106.0,28.0 106.0,78.0 156.0,78.0"' in svg


def test_bar_chart_writes_amounts_with_two_decimals():
    svg = bar_chart([("停车收益", Decimal("26185.2")), ("广告<收益>", Decimal("7878"))], title="公共收益")
    assert "26,185.20" in svg and "7,878.00" in svg and "广告&lt;收益&gt;" in svg
    assert bar_chart([], title="x") == ""
