"""Chinese typography (core/typography.py): the lint that keeps half-width punctuation out of Chinese
text in templates (pages, PDFs, letters, e-mails) and in the catalogue's Chinese msgids, and known
answers for the conversion the sweep used (scripts/fullwidth.py)."""

import ast
from pathlib import Path

import polib
import pytest

import gongzhi
from gongzhi.core.typography import (
    chinese_literals,
    findings,
    half_width_marks,
    normalise_marks,
    to_full_width,
)

PACKAGE_DIR = Path(gongzhi.__file__).resolve().parent
PO_PATH = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"

# Files not yet swept, with the number of findings each still has. Emptied as the sweep goes on:
# a file may only lose findings, and a file that has none must leave this list.
ALLOWED: dict[str, int] = {}


def template_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE_DIR.rglob("*")
        if path.suffix in {".html", ".txt"} and "templates" in path.parts and path.is_file()
    )


def lint_findings() -> dict[str, list[str]]:
    """Each linted file (by its path under gongzhi/) with its findings, as "line:column «excerpt»"."""
    found: dict[str, list[str]] = {}
    for path in template_files():
        rows = [f"{f.line}:{f.column} «{f.excerpt}»" for f in findings(path.read_text(encoding="utf-8"))]
        if rows:
            found[str(path.relative_to(PACKAGE_DIR))] = rows
    catalogue = [
        f"msgid «{entry.msgid}»"
        for entry in polib.pofile(str(PO_PATH))
        if not entry.obsolete
        and (half_width_marks(entry.msgid) or half_width_marks(entry.msgid_plural or ""))
    ]
    if catalogue:
        found[str(PO_PATH.relative_to(PACKAGE_DIR))] = catalogue
    return found


def test_no_half_width_punctuation_in_chinese_text():
    over = {
        name: rows[: 5 if name in ALLOWED else None]
        for name, rows in lint_findings().items()
        if len(rows) > ALLOWED.get(name, 0)
    }
    assert over == {}, "半角标点出现在中文里（改为全角，或运行 scripts/fullwidth.py fix 文件）"


def test_the_allow_list_only_shrinks():
    found = lint_findings()
    stale = {
        name: (allowed, len(found.get(name, [])))
        for name, allowed in ALLOWED.items()
        if len(found.get(name, [])) < allowed
    }
    # Lower the number (or drop the file) when a sweep fixed findings, so they cannot come back.
    assert stale == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("房屋(户)", "房屋（户）"),
        ("甲, 乙: 丙; 丁? 戊!", "甲，乙：丙；丁？戊！"),
        ("含已销项,计入企业记录", "含已销项，计入企业记录"),
        ("党员占比 %(p)s%%(%(n)s/%(d)s),目标", "党员占比 %(p)s%%（%(n)s/%(d)s），目标"),
        ("请输入 (选填)", "请输入（选填）"),
        ("时间:10:30,共 1,234 元", "时间：10:30，共 1,234 元"),
        ("（甲)", "（甲）"),
    ],
)
def test_half_width_marks_in_chinese_text_become_full_width(text, expected):
    assert to_full_width(text) == expected
    assert half_width_marks(expected) == []
    assert normalise_marks(text) == normalise_marks(expected)


@pytest.mark.parametrize(
    "text",
    [
        "面积 (m²)",
        "1,234.50",
        "10:30",
        "&nbsp;中文",
        "%(name)s中文",
        "https://example.org/中文?a=1",
        "Authorization: Bearer",
        "{% if a != b %}",
    ],
)
def test_code_numbers_times_urls_and_entities_are_left_alone(text):
    assert half_width_marks(text) == []
    assert to_full_width(text) == text


def test_a_mark_after_a_translated_chinese_text_counts_as_inside_it():
    text = '{% translate "投票时间" %}:{{ t }} <b>{% translate "备注" %}</b>'
    assert to_full_width(text) == '{% translate "投票时间" %}：{{ t }} <b>{% translate "备注" %}</b>'
    assert half_width_marks('{% translate "Time" %}:{{ t }}') == []


def test_the_lint_reports_line_column_and_excerpt():
    (finding,) = findings("第一行\n备注:无")
    assert (finding.line, finding.column, finding.mark) == (2, 3, ":")
    assert "备注:无" in finding.excerpt


def demo_modules() -> list[Path]:
    """The modules that write the demo street's texts (minutes, notes, remarks, exam questions…)."""
    return sorted({*PACKAGE_DIR.glob("*/demo_data.py"), *(PACKAGE_DIR / "demo").glob("*.py")})


def test_no_half_width_punctuation_in_the_demo_street_texts():
    """Every string literal with Chinese text in the demo modules, gettext or not: the demo's minutes,
    progress notes and exam questions are what a street leader reads first (scripts/fullwidth.py
    fix-strings sweeps them)."""
    found = [
        f"{path.relative_to(PACKAGE_DIR)}:{literal.lineno} «{literal.value[:40]}»"
        for path in demo_modules()
        for literal in chinese_literals(ast.parse(path.read_text(encoding="utf-8")))
        if half_width_marks(literal.value)
    ]
    assert len(demo_modules()) >= 10
    assert found == []
