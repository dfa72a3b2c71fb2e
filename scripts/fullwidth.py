"""Full-width punctuation in Chinese text (gongzhi/core/typography.py), for a sweep and for the catalogue.

    .venv/bin/python scripts/fullwidth.py fix FILE…        # templates whole; in .py files only the
                                                            # strings given to gettext (_(), gettext_lazy …)
    .venv/bin/python scripts/fullwidth.py fix-strings FILE… # .py files: EVERY string literal with Chinese
                                                            # text (the demo's minutes, notes, remarks), not
                                                            # only gettext's; docstrings and f-strings left
    .venv/bin/python scripts/fullwidth.py carry OLD.po…     # after makemessages: fill each empty or fuzzy
                                                            # entry of the catalogue from an OLD.po entry whose
                                                            # msgid differs only in punctuation width
                                                            # (e.g. git show HEAD:gongzhi/locale/…/django.po)

The English translations survive a sweep so: copy django.po aside, run makemessages, then ``carry``.
Entries that ``carry`` cannot fill are printed: they are new strings to translate."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongzhi.core.typography import chinese_literals, normalise_marks, to_full_width  # noqa: E402

PO = ROOT / "gongzhi" / "locale" / "en" / "LC_MESSAGES" / "django.po"
GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "_lazy",
}


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def fix_python(text: str, *, every_string: bool = False) -> str:
    """Full-width marks in the string literals passed to gettext functions (or, with ``every_string``,
    in every string literal with Chinese text), nothing else."""
    starts = _offsets(text)
    spans = []
    tree = ast.parse(text)
    literals = (
        chinese_literals(tree)
        if every_string
        else [
            argument
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _call_name(node) in GETTEXT_NAMES
            for argument in node.args
        ]
    )
    if literals:
        for argument in literals:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                assert argument.end_lineno is not None and argument.end_col_offset is not None
                # ast columns count UTF-8 bytes; convert to character offsets within the line.
                begin_line = text.splitlines(keepends=True)[argument.lineno - 1]
                end_line = text.splitlines(keepends=True)[argument.end_lineno - 1]
                begin = starts[argument.lineno - 1] + len(
                    begin_line.encode()[: argument.col_offset].decode(errors="ignore")
                )
                end = starts[argument.end_lineno - 1] + len(
                    end_line.encode()[: argument.end_col_offset].decode(errors="ignore")
                )
                spans.append((begin, end))
    for begin, end in sorted(spans, reverse=True):
        text = text[:begin] + to_full_width(text[begin:end]) + text[end:]
    return text


def fix(paths: list[str], *, every_string: bool = False) -> None:
    for name in paths:
        path = Path(name)
        before = path.read_text(encoding="utf-8")
        after = (
            fix_python(before, every_string=every_string) if path.suffix == ".py" else to_full_width(before)
        )
        if after != before:
            path.write_text(after, encoding="utf-8")
            print(f"fixed {path}")


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, normalise_marks(entry.msgid), normalise_marks(entry.msgid_plural or ""))


def _empty(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return not all(text.strip() for text in entry.msgstr_plural.values())
    return not entry.msgstr.strip()


def carry(old_paths: list[str]) -> None:
    known: dict[tuple, polib.POEntry] = {}
    for old_path in old_paths:
        for entry in polib.pofile(old_path):
            if not _empty(entry) and "fuzzy" not in entry.flags:
                known.setdefault(_key(entry), entry)
    po = polib.pofile(str(PO))
    filled = 0
    left = []
    for entry in po:
        if entry.obsolete or not (_empty(entry) or "fuzzy" in entry.flags):
            continue
        source = known.get(_key(entry))
        if source is None:
            left.append(entry)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(source.msgstr_plural)
        else:
            entry.msgstr = source.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
        filled += 1
    po.save(str(PO))
    print(f"carried {filled} translations; {len(left)} entries still to translate")
    for entry in left:
        print(f"  {entry.msgid!r}  ({' '.join(f'{f}:{n}' for f, n in entry.occurrences[:1])})")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "fix":
        fix(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "fix-strings":
        fix(sys.argv[2:], every_string=True)
    elif len(sys.argv) >= 3 and sys.argv[1] == "carry":
        carry(sys.argv[2:])
    else:
        print(__doc__)
        sys.exit(2)
