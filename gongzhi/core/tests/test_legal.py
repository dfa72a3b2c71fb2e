"""Legal citations in the official form (core/legal.py): Chinese numerals, 书名号, 款 and 项 — known
answers, the pages that cite Civil Code art. 278, and a lint that keeps every citation of the Civil Code
in templates and the catalogue inside 《》."""

import re

import polib
import pytest
from django.utils import translation

from gongzhi.core.legal import chinese_number, civil_code_278_item
from gongzhi.core.tests.test_typography import PO_PATH, template_files


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"), (4, "四"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
        (100, "一百"), (101, "一百零一"), (108, "一百零八"), (110, "一百一十"), (278, "二百七十八"),
        (280, "二百八十"), (943, "九百四十三"), (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"),
        (1260, "一千二百六十"), (9999, "九千九百九十九"),
    ],
)  # fmt: skip
def test_chinese_numbers_as_articles_are_numbered(n, text):
    assert chinese_number(n) == text


@pytest.mark.parametrize("n", [0, -1, 10000])
def test_numbers_outside_the_range_are_refused(n):
    with pytest.raises(ValueError):
        chinese_number(n)


def test_the_matters_of_article_278_are_cited_in_the_official_form():
    with translation.override("zh-hans"):
        assert civil_code_278_item(4) == "《民法典》第二百七十八条第一款第（四）项"
        assert civil_code_278_item(5) == "《民法典》第二百七十八条第一款第（五）项"
    with translation.override("en"):
        assert civil_code_278_item(4) == "Civil Code, Article 278(1), item (4)"
    with pytest.raises(ValueError):
        civil_code_278_item(10)


# The Civil Code named without 书名号 before an article number: 民法典第… instead of 《民法典》第….
BARE_CITATION = re.compile(r"(?<!《)民法典(?!》)\s*第")


def test_every_citation_of_the_civil_code_in_pages_and_the_catalogue_uses_book_title_marks():
    bare = [
        f"{path.name}: {match.group(0)}"
        for path in template_files()
        for match in BARE_CITATION.finditer(path.read_text(encoding="utf-8"))
    ]
    bare += [
        f"msgid «{entry.msgid[:60]}»"
        for entry in polib.pofile(str(PO_PATH))
        if not entry.obsolete and BARE_CITATION.search(entry.msgid)
    ]
    assert bare == []
