"""Sort keys for lists shown to people: building and unit numbers in natural order (2号 before
10号), people's names in pinyin order (the order of a Chinese roster), not by code point."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

# Characters read differently as a surname than in ordinary words (曾 zēng, 单 shàn, 区 ōu …).
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "区": "ou",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "召": "shao",
    "尉": "yu",
    "句": "gou",
}


def natural_key(text: str | None) -> tuple:
    """Sort "2号" before "10号": digits compare as numbers."""
    return tuple(int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", text or ""))


def pinyin_key(name: str | None) -> tuple[tuple[str, ...], str]:
    """Sort people's names by their pinyin, syllable by syllable (张三 after 王五 … 曾 as zeng);
    names that read the same keep a stable order by the characters themselves."""
    name = (name or "").strip()
    if not name:
        return ((), "")
    first = SURNAME_READINGS.get(name[0])
    rest = name[1:] if first else name
    syllables = ([first] if first else []) + [part.strip().lower() for part in lazy_pinyin(rest)]
    return (tuple(s for s in syllables if s), name)
