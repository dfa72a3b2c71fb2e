"""Chinese typography as a Chinese office reads it: full-width punctuation inside Chinese text
(，。：；（）“”？！), found by the lint test (core/tests/test_typography.py) and fixed by
``scripts/fullwidth.py``. Pure functions, no Django.

A half-width mark counts as "inside Chinese text" when it touches a Chinese character or a full-width
mark on either side. What is left alone: numbers (1,234 and 10:30), URLs, HTML entities (&nbsp;),
printf placeholders (%(name)s) and marks between Latin letters or digits."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Chinese characters (CJK Unified Ideographs and extension A), CJK symbols and punctuation
# (、。〈〉《》「」…), full-width forms (，：；（）？！…) and the curly quotes Chinese text uses (“”‘’).
CHINESE = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff60\u2018\u2019\u201c\u201d\u2014\u2026"
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
FULL_TO_HALF = {full: half for half, full in HALF_TO_FULL.items()}
_MARKS = re.escape("".join(HALF_TO_FULL))
_TOUCHING = re.compile(rf"(?<=[{CHINESE}])[{_MARKS}]|[{_MARKS}](?=[{CHINESE}])")
# Text the marks belong to and that must not change: HTML entities (&nbsp; &#12289;), printf
# placeholders (%(name)s) and URLs.
# A template's translated text ends at its tag: {% translate "备注" %}: reads as 备注:, so a mark right
# after such a tag (or right before one whose text starts in Chinese) is inside Chinese text too.
_AFTER_TAG = re.compile(rf"[{CHINESE}][\"']\s*%\}}([{_MARKS}])")
_BEFORE_TAG = re.compile(rf"([{_MARKS}])\{{%\s*(?:translate|trans)\s+[\"'][{CHINESE}]")
_PROTECTED = re.compile(r"&#?\w+;|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|[a-z]+://\S+")


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based
    column: int  # 1-based
    mark: str
    excerpt: str


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _PROTECTED.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _mismatched_parens(text: str, spans: list[tuple[int, int]]) -> Iterator[int]:
    """Positions of parentheses closed by the other width: （…) or (…）."""
    stack: list[tuple[int, str]] = []
    for position, char in enumerate(text):
        if char in "(（" and not _inside(position, spans):
            stack.append((position, char))
        elif char in ")）" and not _inside(position, spans) and stack:
            opened_at, opener = stack.pop()
            if (opener == "(") != (char == ")"):
                yield opened_at if opener == "(" else position


def half_width_marks(text: str) -> list[int]:
    """Positions of half-width , : ; ? ! ( ) that sit inside Chinese text."""
    spans = _protected_spans(text)
    found = {match.start() for match in _TOUCHING.finditer(text) if not _inside(match.start(), spans)}
    found.update(match.start(1) for pattern in (_AFTER_TAG, _BEFORE_TAG) for match in pattern.finditer(text))
    for line_start, line in _lines(text):
        found.update(line_start + position for position in _mismatched_parens(line, _protected_spans(line)))
    return sorted(found)


def findings(text: str) -> list[Finding]:
    """Each half-width mark inside Chinese text, with its line, column and the text around it."""
    result = []
    for position in half_width_marks(text):
        line = text.count("\n", 0, position) + 1
        line_start = text.rfind("\n", 0, position) + 1
        excerpt = text[max(line_start, position - 12) : position + 13].split("\n")[0]
        result.append(Finding(line, position - line_start + 1, text[position], excerpt))
    return result


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def _partner(text: str, position: int) -> int | None:
    """The position of the parenthesis that pairs with the one at ``position`` on its line."""
    spans = _protected_spans(text)
    opening = text[position] in "(（"
    depth = 0
    step = 1 if opening else -1
    index = position
    while 0 <= index < len(text) and text[index] != "\n":
        char = text[index]
        if not _inside(index, spans):
            if char in ("(（" if opening else ")）"):
                depth += 1
            elif char in (")）" if opening else "(（"):
                depth -= 1
                if depth == 0:
                    return index
        index += step
    return None


def to_full_width(text: str) -> str:
    """Replace each half-width mark inside Chinese text by its full-width form, both parentheses of a
    pair together, and drop the spaces a half-width mark carried (“甲, 乙” → “甲，乙”)."""
    chars = list(text)
    for _round in range(20):  # a converted mark makes its neighbours Chinese context: repeat to a fixed point
        current = "".join(chars)
        positions = half_width_marks(current)
        if not positions:
            break
        for position in positions:
            mark = chars[position]
            if mark in HALF_TO_FULL:
                chars[position] = HALF_TO_FULL[mark]
            if mark in "()（）":
                partner = _partner(current, position)
                if partner is not None and chars[partner] in HALF_TO_FULL:
                    chars[partner] = HALF_TO_FULL[chars[partner]]
    text = "".join(chars)
    # Full-width marks carry their own space: none after ，：；？！） and none before （ when a Chinese
    # character is on the other side.
    text = re.sub(rf"([，：；？！）])[ \t]+(?=[{CHINESE}\w{{%])", r"\1", text)
    text = re.sub(rf"(?<=[{CHINESE}\w}}%])[ \t]+([（])", r"\1", text)
    return re.sub(rf"(?<=[{CHINESE}])[ \t]+([，：；？！）])", r"\1", text)


def normalise_marks(text: str) -> str:
    """The text with full-width marks read as half-width and the spaces around them dropped: two
    strings that differ only in the width of their punctuation normalise alike."""
    text = "".join(FULL_TO_HALF.get(char, char) for char in text)
    return re.sub(rf"[ \t]*([{_MARKS}])[ \t]*", r"\1", text)


def chinese_literals(tree: ast.AST) -> list[ast.Constant]:
    """The plain string literals of a module that hold Chinese text: no docstrings, no f-string parts
    (their positions are the f-string's own on Python 3.11)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in ast.walk(node))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and any("\u3400" <= char <= "\u9fff" for char in node.value)
    ]
