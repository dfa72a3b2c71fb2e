"""Pure rules of delivery: quiet hours, backoff, rate limits and the deduplication key. No ORM.

Quiet hours follow the national rule for commercial short messages: 《通信短信息服务管理规定》
(工业和信息化部令第31号, 2015) 第十七条 forbids sending commercial short messages without the
recipient's consent, and the carriers' codes of practice keep notices out of the night; the platform's
default window is 21:00–08:00 Asia/Shanghai, and a message that falls in it waits, it is not dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib

#: A failed attempt n (1, 2, 3 …) waits base × 2^(n−1) seconds, at most this long.
BACKOFF_CAP_SECONDS = 6 * 3600


def dedup_key(event: str, ref: str, user_id: int, channel: str) -> str:
    """One outbox row per event occurrence, recipient and channel: the same event told twice is
    delivered once (SHA-256 hex of the four parts)."""
    raw = "\x1f".join([event, ref, str(user_id), channel])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def in_quiet_hours(local: dt.time, start: dt.time, end: dt.time) -> bool:
    """True when the local time lies in [start, end); the window may wrap over midnight
    (21:00–08:00). An empty window (start == end) is never quiet."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(local_now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """The first moment after ``local_now`` (aware, local zone) at which the quiet window ends:
    today's ``end`` if still ahead, else tomorrow's."""
    candidate = local_now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate = (local_now + dt.timedelta(days=1)).replace(
            hour=end.hour, minute=end.minute, second=0, microsecond=0
        )
    return candidate


def backoff_seconds(attempts: int, base: int) -> int:
    """Wait after the ``attempts``-th failure: base, 2·base, 4·base … capped at six hours."""
    return min(base * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


def rate_limited_until(
    sent_in_window: list[dt.datetime], limit: int, now: dt.datetime, window: dt.timedelta
) -> dt.datetime | None:
    """None when one more message fits the limit of ``limit`` per ``window``; else the moment the
    oldest message in the window leaves it (then one more fits)."""
    recent = sorted(t for t in sent_in_window if t > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window
