"""``gongzhi ledger verify FILE``: the §6 chain check as a console tool that starts without Django — no
settings, no database, no app registry — so anyone with the package installed can check a downloaded
ledger. It imports only the pure rules (``finance/rules.py``) and streams the file: one line at a time,
whatever its size.

``gongzhi/cli.py`` sends ``gongzhi ledger verify FILE`` (and ``-`` for standard input) here; every other
form (``verify --database``, ``export``, ``--help``, Django's options) goes through the management
command (``finance/management/commands/ledger.py``), which checks files with the same functions below.
Output, messages and exit codes are the command's: exit 0 with the count, balance and last hash on a
sound chain; exit 1 with ``CommandError: 链条不完整:…`` naming the first bad seq or line, or when the
file cannot be read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from gongzhi.core.console import report_error, write_line
from gongzhi.core.i18n import gettext as _
from gongzhi.finance.rules import VerifyResult, verify_lines

FAILED = 1


@contextmanager
def open_lines(path: str) -> Iterator[Iterator[str]]:
    """The lines of a JSON lines file as it is read (``-``: standard input). Line ends are ``\\n``, ``\\r\\n``
    or ``\\r`` (Python's universal newlines); a character that is not UTF-8 raises UnicodeDecodeError
    when its line is reached."""
    if path == "-":
        yield iter(sys.stdin)
        return
    with open(path, encoding="utf-8") as handle:
        yield iter(handle)


def verify_file(path: str) -> VerifyResult:
    """Raises OSError or UnicodeDecodeError for a file that cannot be read."""
    with open_lines(path) as lines:
        return verify_lines(lines)


def cannot_read(path: str, error: Exception) -> str:
    return _("无法读取文件 %(path)s:%(error)s") % {"path": path, "error": error}


def failure(result: VerifyResult) -> str:
    return _("链条不完整：%(where)s —— %(why)s") % {"where": result.where(), "why": result.message}


def sound(result: VerifyResult) -> str:
    return _("链完整：共 %(count)d 条，余额 %(balance)s，最新哈希 %(hash)s") % {
        "count": result.count,
        "balance": result.balance,
        "hash": result.last_hash,
    }


def main(path: str) -> int:
    """``gongzhi ledger verify PATH``: the exit status."""
    try:
        result = verify_file(path)
    except (OSError, UnicodeDecodeError) as error:
        return report_error(cannot_read(path, error), FAILED)
    if not result.ok:
        return report_error(failure(result), FAILED)
    write_line(sound(result))
    return 0
