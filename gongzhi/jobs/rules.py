"""Pure rules of the queue: when a failed job is tried again, and which period a scheduled run belongs to.

No ORM here; tested with known answers (``tests/test_rules.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def backoff_seconds(
    attempts: int, *, base: int = BACKOFF_BASE_SECONDS, cap: int = BACKOFF_CAP_SECONDS
) -> int:
    """Seconds to wait before attempt ``attempts + 1`` after ``attempts`` failed ones: base · 2^(n−1),
    capped (30 s, 60 s, 120 s … 1 h). Doubling spreads retries of a failing gateway out instead of
    hammering it; the cap keeps a daily job from drifting into the next day."""
    if attempts < 1:
        return 0
    return min(cap, base * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Every:
    """Run once in every period of ``seconds`` (periods counted from the Unix epoch)."""

    seconds: int

    def period(self, now: dt.datetime) -> str | None:
        return str(int(now.timestamp()) // self.seconds)


@dataclass(frozen=True)
class Daily:
    """Run once a local calendar day, at or after ``at`` (a worker started later that day still runs
    that day's run: a missed 02:00 is caught up, never skipped)."""

    at: dt.time

    def period(self, now: dt.datetime) -> str | None:
        """``now`` is a local (aware) time; None before the day's start time."""
        if now.time() < self.at:
            return None
        return now.date().isoformat()


def parse_schedule(entry: dict) -> Every | Daily:
    """``{"every": 60}`` → Every(60); ``{"daily": "02:10"}`` → Daily(02:10). Anything else is a
    programming error in a ``jobs.py`` module and fails at start-up."""
    if "every" in entry:
        seconds = int(entry["every"])
        if seconds < 1:
            raise ValueError(f"schedule {entry!r}: every must be ≥ 1 second")
        return Every(seconds)
    if "daily" in entry:
        return Daily(dt.time.fromisoformat(str(entry["daily"])))
    raise ValueError(f"schedule {entry!r}: needs 'every' (seconds) or 'daily' ('HH:MM')")


def schedule_key(task: str, period: str) -> str:
    """The idempotency key of one scheduled run: unique in the table, so two workers that both see the
    period due insert one job between them."""
    return f"sched:{task}:{period}"
