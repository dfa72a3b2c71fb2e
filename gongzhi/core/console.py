"""What the console tools that start without Django share (``gongzhi/cli.py``: ``gongzhi tally FILE``,
``gongzhi ledger verify FILE``): they report as a management command does, so a script sees the same
streams, text and exit status whichever path ran."""

from __future__ import annotations

import os
import sys


def report_error(message: str, code: int) -> int:
    """Write ``CommandError: <message>`` on standard error, as Django's ``run_from_argv`` does for a
    ``CommandError`` (red and bold on a terminal, Django's default palette), and return ``code``."""
    text = f"CommandError: {message}\n"
    if sys.stdout.isatty() and sys.stderr.isatty() and os.environ.get("DJANGO_COLORS") != "nocolor":
        text = f"\x1b[31;1m{text}\x1b[0m"
    sys.stderr.write(text)
    return code


def write_line(text: str) -> None:
    """One line on standard output, as ``BaseCommand.stdout.write`` (which ends it with a newline)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
