"""Words a street leader reads (issue #15): the four guarantees are 四保 everywhere (never 四项服务),
and the pages say in words what the statistics do — no k = 2.2, 收缩 (shrinkage), 后验/先验
(posterior/prior) outside the method (a ``<details>`` under 计算方法, or the export's method notes).

The lint reads every template, every Chinese string literal of the application's modules (not tests,
not migrations: a migration keeps the label it had) and every msgid of the catalogue."""

import ast
import re
from pathlib import Path

import polib
import pytest

import gongzhi
from gongzhi.core.typography import chinese_literals

PACKAGE_DIR = Path(gongzhi.__file__).resolve().parent
PO_PATH = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"

OLD_NAME = re.compile(r"四项服务")
JARGON = re.compile(r"收缩|后验|先验|(?<![A-Za-z_])k\s*=\s*[\d{%]")
# The method, where the formula belongs: <details><summary>计算方法</summary> … </details>.
METHOD_BLOCK = re.compile(r"<details[^>]*>\s*<summary>[^<]*计算方法[^<]*</summary>.*?</details>", re.S)


def template_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE_DIR.rglob("*")
        if path.suffix in {".html", ".txt"} and "templates" in path.parts and path.is_file()
    )


def module_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE_DIR.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def hits(pattern: re.Pattern[str], text: str) -> list[str]:
    return [text[max(0, m.start() - 12) : m.end() + 12].replace("\n", " ") for m in pattern.finditer(text)]


def template_findings(pattern: re.Pattern[str], *, outside_method: bool) -> dict[str, list[str]]:
    found = {}
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        if outside_method:
            text = METHOD_BLOCK.sub("", text)
        if rows := hits(pattern, text):
            found[str(path.relative_to(PACKAGE_DIR))] = rows
    return found


def literal_findings(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in module_files():
        for literal in chinese_literals(ast.parse(path.read_text(encoding="utf-8"))):
            if pattern.search(literal.value):
                found.setdefault(f"{path.relative_to(PACKAGE_DIR)}", []).append(
                    f"{literal.lineno} «{literal.value[:40]}»"
                )
    return found


def test_four_guarantees_are_called_sibao_everywhere():
    catalogue = [
        entry.msgid
        for entry in polib.pofile(str(PO_PATH))
        if not entry.obsolete and OLD_NAME.search(entry.msgid)
    ]
    assert template_findings(OLD_NAME, outside_method=False) == {}, "写“四保”，不写“四项服务”"
    assert literal_findings(OLD_NAME) == {}
    assert catalogue == []


def test_no_statistical_jargon_on_pages_outside_the_method():
    assert template_findings(JARGON, outside_method=True) == {}, "用话说清楚；公式只放在“计算方法”里"
    assert literal_findings(JARGON) == {}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("修正强度 k = 2.2", True),
        ("k={{ stats.k }}", True),
        ("经验贝叶斯收缩", True),
        ("后验均值", True),
        ("n ÷（n + k）", False),
        ("{% for k, n in counts.items %}", False),
        ("答卷越少，越接近街道均值", False),
    ],
)
def test_the_jargon_pattern_knows_jargon_from_code(text, found):
    assert bool(JARGON.search(text)) is found


def test_the_method_block_is_the_only_place_for_the_formula():
    page = (
        "<p>答卷越多，越接近本小区自己的均分。</p>"
        '<details class="small"><summary>{% translate "计算方法" %}</summary>经验贝叶斯收缩：k = 2.2</details>'
    )
    assert hits(JARGON, METHOD_BLOCK.sub("", page)) == []
    assert hits(JARGON, page.replace("计算方法", "说明")) != []
