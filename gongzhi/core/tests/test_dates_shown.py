"""Dates as a Chinese office writes them (issue #15): no ISO 2026-12-06 in page text, PDFs or letters.
The lint (core/datelint.py) reads every template for a ``|date:`` whose format is ISO-shaped (Y-m-d,
m-d H:i, Y-m …) and for a raw ``{{ x.created_at }}`` / ``{{ x.due_on }}`` without a filter, outside
the attributes a machine reads (an ``<input type="date">``'s value, a URL); its allow-list may only
shrink. Known answers for the filters that replace them (core/dates.py)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from gongzhi.core import datelint
from gongzhi.core.dates import date_time, long_date_time, month_day, year_month

# Files allowed to keep ISO-shaped dates, with their number of findings (fix a file with
# scripts/dates_sweep.py fix FILE). Empty since the sweep of the plan, body and elimination pages.
ALLOWED: dict[str, int] = {}


def lint_findings() -> dict[str, list[str]]:
    found = {}
    for path in datelint.template_files():
        rows = [f"{f.line}: {f.excerpt}" for f in datelint.findings(path.read_text(encoding="utf-8"))]
        if rows:
            found[str(path.relative_to(datelint.PACKAGE_DIR))] = rows
    return found


def test_no_iso_dates_in_page_text():
    over = {name: rows for name, rows in lint_findings().items() if len(rows) > ALLOWED.get(name, 0)}
    assert over == {}, (
        "页面上的日期写成 2026年12月6日（|plain_date、|long_date、|date_time；scripts/dates_sweep.py fix 文件）"
    )


def test_the_allow_list_only_shrinks():
    found = lint_findings()
    stale = {
        name: (n, len(found.get(name, []))) for name, n in ALLOWED.items() if len(found.get(name, [])) < n
    }
    assert stale == {}


@pytest.mark.parametrize(
    ("template", "fixed"),
    [
        ('<td>{{ a.due_on|date:"Y-m-d" }}</td>', "<td>{{ a.due_on|long_date }}</td>"),
        ('<td>{{ job.created_at|date:"Y-m-d H:i" }}</td>', "<td>{{ job.created_at|date_time }}</td>"),
        ('<li>{{ m.starts_at|date:"m-d H:i" }}</li>', "<li>{{ m.starts_at|long_date_time }}</li>"),
        ('<td>{{ r.month|date:"Y-m" }}</td>', "<td>{{ r.month|year_month }}</td>"),
        ("<td>{{ i.inspected_on }}</td>", "<td>{{ i.inspected_on|plain_date }}</td>"),
        (
            '{% blocktranslate with d=x.posted_on|date:"Y-m-d" %}于 {{ d }} 公告{% endblocktranslate %}',
            "{% blocktranslate with d=x.posted_on|plain_date %}于 {{ d }} 公告{% endblocktranslate %}",
        ),
        (
            "<span title=\"应公示日期 {{ d.due_date|date:'Y-m-d' }}\">",
            '<span title="应公示日期 {{ d.due_date|long_date }}">',
        ),
    ],
)
def test_iso_dates_shown_as_text_are_found_and_fixed(template, fixed):
    assert len(datelint.findings(template)) == 1
    assert datelint.fix(template) == "{% load gongzhi_format %}" + fixed
    assert datelint.findings(datelint.fix(template)) == []


@pytest.mark.parametrize(
    "template",
    [
        '<input type="date" name="day" value="{{ day|date:\'Y-m-d\' }}">',
        "<a href=\"?day={{ prev_day|date:'Y-m-d' }}\">",
        '<input type="date" max="{{ today|date:\'Y-m-d\' }}">',
        "<time datetime=\"{{ x.created_at|date:'c' }}\">",
        "{% blocktranslate %}截至 {{ closes_on }}{% endblocktranslate %}",
        "{{ form.closes_on }}",
        '{{ t|date:"H:i" }}',
    ],
)
def test_dates_read_by_machines_and_placeholders_are_left_alone(template):
    assert datelint.findings(template) == []


SUNDAY_MORNING = dt.datetime(2026, 12, 6, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai


def test_the_replacing_filters_write_chinese_dates_and_english_in_english():
    with translation.override("zh-hans"):
        assert date_time(SUNDAY_MORNING) == "2026年12月6日 10:30"
        assert long_date_time(SUNDAY_MORNING) == "2026年12月6日 星期日 10:30"
        assert year_month(dt.date(2026, 12, 1)) == "2026年12月"
        assert month_day(dt.date(2026, 12, 6)) == "12月6日"
        assert date_time(dt.date(2026, 12, 6)) == "2026年12月6日"
        assert date_time(None) == "—"
    with translation.override("en"):
        assert date_time(SUNDAY_MORNING) == "6 December 2026, 10:30"
        assert long_date_time(SUNDAY_MORNING) == "Sunday, 6 December 2026, 10:30"
        assert year_month(dt.date(2026, 12, 1)) == "December 2026"
        assert month_day(dt.date(2026, 12, 6)) == "6 December"


def test_the_filters_read_an_aware_moment_in_local_time_in_a_template():
    template = Template("{% load gongzhi_format %}{{ t|date_time }} · {{ t|long_date_time }}")
    with translation.override("zh-hans"):
        html = template.render(Context({"t": dt.datetime(2026, 12, 5, 17, 5, tzinfo=dt.UTC)}))
    assert html == "2026年12月6日 01:05 · 2026年12月6日 星期日 01:05"
