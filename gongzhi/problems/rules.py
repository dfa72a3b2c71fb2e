"""The rectification workflow as plain data and functions (no ORM), tested with known answers.

    reported ──accept──▶ assigned ──progress──▶ in_progress ──submit──▶ submitted ──close──▶ closed
        │                   └───────────submit──────────────────────────▲    │                 │
        └─reject─▶ rejected                       in_progress ◀─send_back─┘   reopen (once, by the
                                                                               reporter, within
                                                                               REOPEN_WINDOW_DAYS)
                                                                               ──▶ assigned

Who acts (checked in permissions.py): the area's branch accepts, rejects, sends back and closes
(销项 only after on-site verification: there is no way from assigned/in_progress to closed); the
assignee (the carriage the problem went to) records progress and submits; the reporter rates and
reopens. "Rectify within half a month" (seed text) = DEFAULT_DEADLINE_DAYS working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError

DEFAULT_DEADLINE_DAYS = 10  # ≈ half a month in working days
REOPEN_WINDOW_DAYS = 30  # calendar days after closure in which the reporter may reopen once
MAX_REOPENS = 1
MAX_PHOTOS = 6
REPORTS_PER_HOUR = 5
REPORTS_PER_DAY = 20

BRANCH = "branch"
ASSIGNEE = "assignee"
REPORTER = "reporter"


@dataclass(frozen=True)
class Transition:
    action: str
    source: frozenset[str]
    target: str
    actor: str
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("accept", frozenset({"reported"}), "assigned", BRANCH),
        Transition("reject", frozenset({"reported"}), "rejected", BRANCH, needs_note=True),
        Transition(
            "progress", frozenset({"assigned", "in_progress"}), "in_progress", ASSIGNEE, needs_note=True
        ),
        Transition("submit", frozenset({"assigned", "in_progress"}), "submitted", ASSIGNEE, needs_note=True),
        Transition("send_back", frozenset({"submitted"}), "in_progress", BRANCH, needs_note=True),
        Transition("close", frozenset({"submitted"}), "closed", BRANCH),
        Transition("reopen", frozenset({"closed"}), "assigned", REPORTER, needs_note=True),
    )
}


class WorkflowError(UserError):
    """An action that the workflow does not allow from the current state; ``message`` is Chinese."""


def next_status(status: str, action: str) -> str:
    """The status after ``action`` from ``status``, or WorkflowError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(_("未知的操作“%(action)s”。") % {"action": action})
    if status not in transition.source:
        raise WorkflowError(
            _("当前状态下不能执行此操作（%(status)s → %(action)s）。") % {"status": status, "action": action}
        )
    return transition.target


def allowed_actions(status: str) -> list[str]:
    return [action for action, t in TRANSITIONS.items() if status in t.source]


def can_reopen(*, closed_on: dt.date | None, today: dt.date, reopen_count: int) -> bool:
    """Once, within REOPEN_WINDOW_DAYS calendar days of closure (the closure day counts as day 0)."""
    if closed_on is None or reopen_count >= MAX_REOPENS:
        return False
    return (today - closed_on).days <= REOPEN_WINDOW_DAYS


def can_rate(*, status: str, rating: int | None) -> bool:
    return status == "closed" and rating is None


def is_overdue(*, status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Overdue = still open (assigned or in progress) after the deadline day has passed."""
    return status in ("assigned", "in_progress") and deadline is not None and today > deadline


def tracking_number(year: int, sequence: int) -> str:
    """WT-2026-000123: the number a resident quotes (问题 tracking); at least six digits, more once the ids pass
    999,999 (the number is the row's id, so it stays unique)."""
    return f"WT-{year}-{sequence:06d}"
