"""Sort keys for lists shown to people: building and unit numbers in natural order (2号 before
10号), people's names in pinyin order (the order of a Chinese roster), not by code point."""

from __future__ import annotations

import functools
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


# Pure functions of a short text, asked for again and again (every list page sorts the same estate and
# people names): cached, so the pinyin of a name is looked up once per process.
@functools.lru_cache(maxsize=200_000)
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


@functools.lru_cache(maxsize=200_000)
def name_key(text: str | None) -> tuple[tuple, str]:
    """Sort estates, companies, buildings and units as people count and read them: numbers by value
    (2号楼 before 10号楼), Chinese by pinyin (李 < 王 < 张), Latin letters case-blind."""
    text = (text or "").strip()
    parts: list = []
    for index, part in enumerate(re.split(r"(\d+)", text)):
        if index % 2:
            parts.append(int(part))
        else:
            parts.append(tuple(syllable.lower() for syllable in lazy_pinyin(part) if syllable.strip()))
    return (tuple(parts), text)


def sorted_by_name(items, *names):
    """``items`` sorted by ``name_key`` of the attributes (dotted paths) ``names``, in turn."""

    def value(item, path: str):
        for attribute in path.split("."):
            item = getattr(item, attribute, None)
        return item

    return sorted(items, key=lambda item: tuple(name_key(str(value(item, n) or "")) for n in names))


# --- In the database: the "pinyin" collation -----------------------------------------------------
# A paginated list is sorted by the database, not in Python. Both databases know a collation named
# "pinyin": on PostgreSQL an ICU collation (zh-u-kn-true: Chinese by pinyin, numbers by value), created
# by migration registry 0005; on SQLite a collation registered on every connection (below) that
# compares name_key. ``order_by(*pinyin_order(Estate, "area__name", "name"))`` sorts text fields through
# it and leaves other fields (numbers, dates) as they are.

COLLATION = "pinyin"


def _compare(a: str, b: str) -> int:
    left, right = name_key(a), name_key(b)
    return (left > right) - (left < right)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite learns the "pinyin" collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, _compare)


def pinyin_order(model, *paths: str) -> list:
    """Order expressions for ``paths`` ("name", "-estate__name", "pk"): text fields through the pinyin
    collation, ascending or descending as the leading "-" says."""
    from django.db import models
    from django.db.models.functions import Collate

    out = []
    for path in paths:
        descending = path.startswith("-")
        name = path.lstrip("-")
        field = _field(model, name)
        expression = (
            Collate(models.F(name), COLLATION)
            if isinstance(field, (models.CharField, models.TextField)) and not getattr(field, "choices", None)
            else models.F(name)
        )
        out.append(expression.desc() if descending else expression.asc())
    return out


def _field(model, path: str):
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        if part == "pk":
            field = model._meta.pk
        else:
            try:
                field = model._meta.get_field(part)
            except Exception:  # noqa: BLE001 — an annotation or a transform: not a text column
                return None
        model = getattr(field, "related_model", None)
    return field
