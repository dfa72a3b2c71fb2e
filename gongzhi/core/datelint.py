"""Dates as a Chinese office writes them (docs/STACK.md 中文排版): find or fix the ISO-shaped dates
that templates show as text — ``|date:"Y-m-d"`` and friends, and a raw ``{{ x.created_at }}``.

    scripts/dates_sweep.py check [FILE…]   # print findings (default: every template)
    scripts/dates_sweep.py fix FILE…       # rewrite them with the project's filters (gongzhi_format)

A date inside an attribute that a machine reads (value=, href=, max=, datetime= …) stays ISO: that is
the form an ``<input type="date">`` and a URL need. The lint is gongzhi/core/tests/test_dates_shown.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DATE_FILTER = re.compile(r"""(?P<expr>[\w.]+)\|date:(?P<q>["'])(?P<fmt>[^"']*)(?P=q)""")
RAW_VARIABLE = re.compile(r"\{\{\s*(?P<expr>[a-z_][\w.]*?(?:_at|_on))\s*\}\}")
ISO_SHAPED = re.compile(r"[Yy][-/][mn]|[mn][-/][dj]")
# Attributes read as text by a person (a tooltip, a label) — the rest are read by machines.
TEXT_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}
DEADLINE = re.compile(r"due|deadline|closes_on|ends_on|starts_at")


@dataclass(frozen=True)
class Finding:
    line: int
    excerpt: str
    start: int
    end: int
    replacement: str


def _attribute(text: str, position: int) -> str | None:
    """The attribute whose quoted value holds ``position``, or None outside a tag."""
    opened, closed = text.rfind("<", 0, position), text.rfind(">", 0, position)
    # Template tags ({% … %}) contain neither < nor >; an HTML tag is open when its < is the latest.
    if opened <= closed:
        return None
    match = re.search(r"([\w:-]+)\s*=\s*[\"'][^\"']*$", text[opened:position])
    return match.group(1).lower() if match else ""


def _in_blocktranslate(text: str, position: int) -> bool:
    """A ``{{ name }}`` inside a blocktranslate is its placeholder: the filter goes on its ``with``."""
    opened = max(text.rfind("{% blocktranslate", 0, position), text.rfind("{% blocktrans ", 0, position))
    return opened > text.rfind("{% endblocktrans", 0, position)


def _filter_for(fmt: str, expr: str) -> str | None:
    deadline = bool(DEADLINE.search(expr))
    if fmt in {"Y-m-d", "Y年n月j日", "Y/m/d"}:
        return "long_date" if deadline else "plain_date"
    if fmt in {"Y-m-d H:i", "Y-m-d H:i:s", "Y年n月j日 H:i", "m-d H:i"}:
        return "long_date_time" if deadline or fmt == "m-d H:i" else "date_time"
    if fmt in {"Y-m-d D H:i", "Y-m-d l H:i", "Y年n月j日 l H:i"}:
        return "long_date_time"
    if fmt in {"Y-m-d D", "Y-m-d l", "Y年n月j日 l"}:
        return "long_date"
    if fmt in {"Y-m", "Y年n月"}:
        return "year_month"
    if fmt in {"m-d", "n月j日"}:
        return "month_day"
    return None


def findings(text: str) -> list[Finding]:
    found = []
    for match in DATE_FILTER.finditer(text):
        fmt, expr = match["fmt"], match["expr"]
        shaped = ISO_SHAPED.search(fmt) or fmt.startswith("Y年")
        if not shaped or _attribute(text, match.start()) not in (None, *TEXT_ATTRIBUTES):
            continue
        name = _filter_for(fmt, expr)
        replacement = f"{expr}|{name}" if name else match.group(0)
        found.append(_finding(text, match, replacement))
    for match in RAW_VARIABLE.finditer(text):
        expr = match["expr"]
        if (
            expr.startswith("form.")
            or _in_blocktranslate(text, match.start())
            or _attribute(text, match.start()) not in (None, *TEXT_ATTRIBUTES)
        ):
            continue
        name = (
            ("long_date_time" if DEADLINE.search(expr) else "date_time")
            if expr.endswith("_at")
            else ("long_date" if DEADLINE.search(expr) else "plain_date")
        )
        found.append(_finding(text, match, "{{ " + f"{expr}|{name}" + " }}"))
    return sorted(found, key=lambda f: f.start)


def _finding(text: str, match: re.Match[str], replacement: str) -> Finding:
    line = text.count("\n", 0, match.start()) + 1
    return Finding(line, match.group(0), match.start(), match.end(), replacement)


def fix(text: str) -> str:
    out, last = [], 0
    changed = False
    for finding in findings(text):
        if finding.replacement == finding.excerpt:
            continue
        out += [text[last : finding.start], finding.replacement]
        last, changed = finding.end, True
    text = "".join(out) + text[last:]
    if changed and not re.search(r"\{%\s*load\b[^%]*\bgongzhi_format\b", text):
        head = re.match(r"(\{%\s*extends[^%]*%\}\s*)?", text)
        at = head.end() if head else 0
        text = text[:at] + "{% load gongzhi_format %}" + text[at:]
    return text


def template_files() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.suffix in {".html", ".txt"} and "templates" in p.parts and p.is_file()
    )


def main(argv: list[str]) -> int:
    command, *names = argv or ["check"]
    paths = [Path(n) for n in names] or template_files()
    total = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if command == "fix":
            new = fix(text)
            if new != text:
                path.write_text(new, encoding="utf-8")
                print(f"fixed {path}")
        else:
            for finding in findings(text):
                total += 1
                print(f"{path}:{finding.line}: {finding.excerpt} → {finding.replacement}")
    return 1 if total else 0
