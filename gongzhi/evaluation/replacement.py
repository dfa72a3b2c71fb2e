"""The replacement after elimination (优胜劣汰) as pure rules: the stage an estate is in, the step that
may be taken in it, and the continuity of the estate's property-service contracts. No ORM.

Legal basis:

- 《民法典》第二百七十八条第一款第（四）项 — choosing and dismissing the property-service company (选聘和解聘
  物业服务企业或者其他管理人) is decided by the owners together; the quorum and majorities of para. 2 are
  the voting app's (voting/rules.py): two thirds of the area and of the owners take part, more than half
  of the participating area and owners agree.
- 《民法典》第九百四十条 / 第九百四十九条 — when the owners hire a new company, the old contract ends and
  the old company hands over the premises and keeps serving until the handover; the platform therefore
  never lets an estate go a day without a company: the old contract ends the day before the new one
  starts (``handover_error``, ``coverage_gaps``).
- 《物业管理条例》第十五条第（二）项 — the owners' committee signs the contract with the company the owners
  chose (the committee records the choice here; the street admin keeps the registry).

A failed vote keeps the estate with its company (the owners did not dismiss it); the outcome is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.dates import long_date

MATTER = 4  # 《民法典》第二百七十八条第一款第（四）项

REFERRED = "referred"  # 已移交业主大会: the committee opens the owners' decision
VOTING = "voting"  # 业主表决中: the decision is drafted or open; its count decides the next step
KEPT = "kept"  # 业主未同意解聘（原企业继续服务）: the vote failed — the end
SELECTING = "selecting"  # 选聘中: the owners agreed; the committee chooses the company
CHOSEN = "chosen"  # 已选定企业: the street admin records the new contract
CONTRACTED = "contracted"  # 新合同待生效: the new contract starts later
DONE = "done"  # 已完成: the new contract is in force

STAGES = (REFERRED, VOTING, KEPT, SELECTING, CHOSEN, CONTRACTED, DONE)
FINAL_STAGES = frozenset({KEPT, DONE})

# action → the stages it may be taken in (the edges of the stage machine).
ACTIONS: dict[str, frozenset[str]] = {
    "open_vote": frozenset({REFERRED}),
    "record_outcome": frozenset({VOTING}),
    "choose": frozenset({SELECTING, CHOSEN}),  # a choice may be corrected until the contract is recorded
    "contract": frozenset({CHOSEN}),
}
# Who takes each step (evaluation/permissions.py): the owners' committee opens the vote and records its
# choice (voting's can_manage: the street admin only where no committee sits); the count records its outcome
# by itself (voting.signals.decision_counted), and the committee or the street admin may read it in by hand;
# the street admin records the new contract in the registry.

STAGE_LABELS = {
    REFERRED: gettext_lazy("已移交业主大会"),
    VOTING: gettext_lazy("业主表决中"),
    KEPT: gettext_lazy("业主未同意解聘，原企业继续服务"),
    SELECTING: gettext_lazy("选聘中"),
    CHOSEN: gettext_lazy("已选定企业，待签订合同"),
    CONTRACTED: gettext_lazy("新合同待生效"),
    DONE: gettext_lazy("已完成更换"),
}
ACTION_LABELS = {
    "open_vote": gettext_lazy("发起业主表决"),
    "record_outcome": gettext_lazy("截止计票（结果自动登记）"),
    "choose": gettext_lazy("登记选聘企业"),
    "contract": gettext_lazy("登记新合同"),
}


@dataclass(frozen=True)
class ReplacementFacts:
    """What the stage depends on."""

    vote_opened: bool  # an owners' decision (art. 278 matter 4) is linked
    outcome: bool | None  # the recorded outcome of the counted vote: True passed, False failed, None not yet
    chosen: bool  # the committee has recorded the chosen company
    contract_start: dt.date | None  # the new contract's start day, once recorded


def stage(facts: ReplacementFacts, today: dt.date) -> str:
    """The stage of one referred estate on ``today``. A new contract is "done" from its start day on (the
    registry shows the new company from that day: ``Contract.objects.active``)."""
    if facts.contract_start is not None:
        return DONE if facts.contract_start <= today else CONTRACTED
    if not facts.vote_opened:
        return REFERRED
    if facts.outcome is None:
        return VOTING
    if facts.outcome is False:
        return KEPT
    return CHOSEN if facts.chosen else SELECTING


def may(action: str, current: str) -> bool:
    """May ``action`` be taken in stage ``current``? Unknown actions never may."""
    return current in ACTIONS.get(action, frozenset())


def next_action(current: str) -> str | None:
    """The one step that moves the estate on from ``current`` (None when it waits for a date or is over)."""
    for action in ("open_vote", "record_outcome", "contract", "choose"):
        if may(action, current):
            return action
    return None


def outcome_error(*, matter: int, same_estate: bool, counted: bool, passed: bool | None) -> str | None:
    """Why a linked decision's result cannot be recorded yet, or None."""
    if not same_estate:
        return _("该表决不属于本小区。")
    if matter != MATTER:
        return _("该表决不是选聘和解聘物业服务企业的事项（《民法典》第二百七十八条第一款第（四）项）。")
    if not counted or passed is None:
        return _("业主表决尚未截止计票，请计票后再登记结果。")
    return None


def choice_error(*, chosen_company_id: int | None, dismissed_company_id: int, reason: str) -> str | None:
    """Why the committee's choice cannot be recorded, or None: a company, not the dismissed one, a reason."""
    if chosen_company_id is None:
        return _("请选择选聘的物业服务企业。")
    if chosen_company_id == dismissed_company_id:
        return _("业主已决定解聘该企业，不能再选聘它。")
    if len((reason or "").strip()) < 4:
        return _("请写明选聘理由（至少 4 个字）。")
    return None


def handover_error(
    *,
    old_start: dt.date,
    old_end: dt.date,
    new_start: dt.date,
    new_end: dt.date,
    earliest: dt.date,
) -> str | None:
    """Why the new contract cannot take over from the old one, or None. The old contract is cut to end the
    day before the new one starts; the new one may not start:

    - before ``earliest`` (the day the owners' vote was counted: no company is hired before the owners decide);
    - on or before the day after the old contract's start (the old one would have no day left);
    - later than the day after the old contract's end (days with no company: a gap).
    """
    if new_end <= new_start:
        return _("合同结束日期必须晚于开始日期。")
    if new_start < earliest:
        return _("新合同不能早于业主表决计票日（%(d)s）开始。") % {"d": long_date(earliest)}
    if new_start <= old_start + dt.timedelta(days=1):
        return _("新合同须晚于原合同开始日期至少两天开始。")
    gap = (new_start - old_end).days - 1
    if gap > 0:
        return _(
            "原合同 %(end)s 到期，新合同 %(start)s 才开始，中间 %(n)s 天小区没有物业服务企业。请把新合同开始日期定在 %(next)s 或更早。"
        ) % {
            "end": long_date(old_end),
            "start": long_date(new_start),
            "n": gap,
            "next": long_date(old_end + dt.timedelta(days=1)),
        }
    return None


def old_contract_end(new_start: dt.date) -> dt.date:
    """The old contract ends the day before the new one starts."""
    return new_start - dt.timedelta(days=1)


def coverage_gaps(
    periods: Iterable[tuple[dt.date, dt.date]], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """The days from ``start`` to ``end`` (inclusive) that no period (start, end inclusive) covers, as
    (first, last) runs: an empty list means the estate has a company every day. Overlaps are allowed here
    (the registry refuses them on its own)."""
    gaps: list[tuple[dt.date, dt.date]] = []
    cursor = start
    for first, last in sorted(periods):
        if last < cursor:
            continue
        if first > end:
            break
        if first > cursor:
            gaps.append((cursor, min(first - dt.timedelta(days=1), end)))
        cursor = max(cursor, last + dt.timedelta(days=1))
        if cursor > end:
            return gaps
    if cursor <= end:
        gaps.append((cursor, end))
    return gaps
