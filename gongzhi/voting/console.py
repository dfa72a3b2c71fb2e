"""``gongzhi tally FILE``: the open re-count of docs/DESIGN.md §6 as a console tool that starts without
Django — no settings, no database, no app registry — so anyone with the package installed can re-count a
published ballot file. It imports only the pure rules (``voting/rules.py``).

``gongzhi/cli.py`` sends ``gongzhi tally FILE`` (and ``-`` for standard input) here; every other form
(``--export``, ``--help``, Django's options) goes through the management command
(``voting/management/commands/tally.py``), which reads files with the same functions below. Output,
messages and exit codes are the command's: the outcome as JSON on standard output (exit 0); bad input
exits 2 with ``CommandError: 输入有误(<item>):…`` naming the unit, owner or line; an unreadable file
exits 1.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

from gongzhi.core.console import report_error, write_line
from gongzhi.core.i18n import gettext as _
from gongzhi.voting.rules import TallyInputError, parse_tally_document, tally

BAD_INPUT = 2
CANNOT_READ = 1


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the file; a key given twice is refused (readers disagree on which value wins)."""
    document = dict(pairs)
    if len(document) != len(pairs):  # only then look for the key, in file order
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise TallyInputError(_("JSON 对象中字段 %(key)s 重复。") % {"key": key}, item=key)
            seen.add(key)
    return document


def load_document(text: str) -> Any:
    """Decode a tally file; numbers with a fraction become exact Decimals, never floats."""
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise TallyInputError(
            _("不是有效的 JSON：第 %(line)d 行第 %(col)d 列，%(msg)s。")
            % {"line": error.lineno, "col": error.colno, "msg": error.msg},
            item=f"line {error.lineno}",
        ) from None
    except TallyInputError:
        raise  # a duplicate key, named by _no_duplicate_keys
    except (ValueError, RecursionError) as error:
        # An integer of more than 4,300 digits (Python's int limit) or nesting deeper than the parser's
        # stack: still bad input, never a traceback.
        raise TallyInputError(
            _("不是有效的 JSON：%(msg)s。") % {"msg": type(error).__name__}, item="(document)"
        ) from None


def tally_text(text: str) -> dict:
    document = parse_tally_document(load_document(text))
    return tally(document.matter, document.units, document.ballots)


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def read_text(path: str) -> str:
    """The whole file (the §6 tally file is one JSON document); ``-`` is standard input.
    Raises OSError or UnicodeDecodeError."""
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def cannot_read(path: str, error: Exception) -> str:
    return _("无法读取文件 %(path)s:%(error)s") % {"path": path, "error": error}


def bad_input(error: TallyInputError) -> str:
    return _("输入有误（%(item)s）：%(message)s") % {"item": error.item, "message": error.message}


def main(path: str) -> int:
    """``gongzhi tally PATH``: the exit status."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as error:
        return report_error(cannot_read(path, error), CANNOT_READ)
    try:
        outcome = tally_text(text)
    except TallyInputError as error:
        return report_error(bad_input(error), BAD_INPUT)
    write_line(dump(outcome))
    return 0
