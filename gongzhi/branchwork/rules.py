"""Pure rules of the branch's working rhythm and of the on-the-spot rating (no ORM), tested with
known answers.

Weeks are ISO weeks, Monday to Sunday, in local time (Asia/Shanghai): the caller converts a
meeting's start to a local date first, so a meeting at Sunday 23:59 counts for the week that ends
that Sunday and one at Monday 00:00 for the next. Public holidays do not change the rule: the
seed's 日巡制度 says "每日一次巡视", so the default is seven patrol days a week per member; a street
that patrols on fewer days sets ``patrol_days_per_week`` (e.g. 5), and then any 5 distinct days of
the week count. One patrol day per member per calendar day counts, however many patrols that day.

Owners' committee (Shanghai 住宅物业管理规定 2020): it meets at least every ``interval_months``
(default 2) and posts its decisions within ``post_days`` calendar days (default 3) of the meeting.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_PATROL_DAYS = 7
DEFAULT_BRANCH_MEETINGS = 2
DEFAULT_OC_INTERVAL_MONTHS = 2
DEFAULT_OC_POST_DAYS = 3


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> dt.date | None:
    """'2026-W48' → its Monday; None for anything else (also for week 53 of a 52-week year)."""
    try:
        year_text, week_text = text.split("-W")
        monday = dt.date.fromisocalendar(int(year_text), int(week_text), 1)
    except (ValueError, AttributeError):
        return None
    # Week 1 of year 1 would have no previous week to link to (OverflowError in the view).
    return monday if 1970 <= monday.year <= 2100 else None


def days_completed(monday: dt.date, today: dt.date) -> int:
    """Days of the week that are over (today is still running): 0 up to Monday, 7 after Sunday."""
    if today <= monday:
        return 0
    return min(7, (today - monday).days)


@dataclass(frozen=True)
class Count:
    done: int
    required: int  # for the whole week
    due: int  # what the rule needs by the end of yesterday
    gap: int  # what can no longer be made up this week (never negative)

    @property
    def state(self) -> str:
        """'ok' when the week's requirement is met, 'behind' when something can no longer be made
        up, 'open' otherwise (still reachable)."""
        if self.done >= self.required:
            return "ok"
        if self.gap > 0:
            return "behind"
        return "open"


def patrol_count(
    *,
    member_ids: Iterable[int],
    patrol_days: Iterable[tuple[int, dt.date]],
    monday: dt.date,
    today: dt.date,
    days_per_week: int = DEFAULT_PATROL_DAYS,
) -> Count:
    """Patrol days of the branch's members in the week of ``monday``.

    Each member owes ``days_per_week`` distinct days; extra days do not make up for another
    member. A member falls behind when the days they patrolled before today plus the days left
    (today included) can no longer reach ``days_per_week`` — with the default 7 that is every
    missed day; with 5 a member may skip two days of their choosing."""
    members = set(member_ids)
    sunday = monday + dt.timedelta(days=6)
    seen: dict[int, set[dt.date]] = {m: set() for m in members}
    for member_id, day in patrol_days:
        if member_id in seen and monday <= day <= sunday:
            seen[member_id].add(day)
    completed = days_completed(monday, today)
    remaining = 7 - completed
    done = sum(min(len(days), days_per_week) for days in seen.values())
    gap = sum(max(0, days_per_week - sum(1 for d in days if d < today) - remaining) for days in seen.values())
    required = len(members) * days_per_week
    due = len(members) * max(0, days_per_week - remaining)
    return Count(done=done, required=required, due=due, gap=gap)


def meeting_count(
    *,
    meeting_days: Iterable[dt.date],
    monday: dt.date,
    today: dt.date,
    per_week: int = DEFAULT_BRANCH_MEETINGS,
) -> Count:
    """Branch meetings held in the week (local dates). Several can be held on one day, so the
    week can only be behind once it is over (from the next Monday)."""
    sunday = monday + dt.timedelta(days=6)
    done = sum(1 for day in meeting_days if monday <= day <= sunday)
    over = today > sunday
    due = per_week if over else 0
    return Count(done=done, required=per_week, due=due, gap=max(0, per_week - done) if over else 0)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clipped to the month's end (31 Dec + 2 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CommitteeRhythm:
    last_meeting: dt.date | None
    next_due: dt.date | None  # the last day the next meeting may be held
    overdue: bool


def oc_meeting_rhythm(
    *, meeting_days: Iterable[dt.date], today: dt.date, interval_months: int = DEFAULT_OC_INTERVAL_MONTHS
) -> CommitteeRhythm:
    """Overdue when no meeting is on record, or today is after the last meeting + the interval."""
    past = [d for d in meeting_days if d <= today]
    if not past:
        return CommitteeRhythm(None, None, True)
    last = max(past)
    due = add_months(last, interval_months)
    return CommitteeRhythm(last, due, today > due)


def decision_posting(
    *, meeting_day: dt.date, posted_on: dt.date | None, today: dt.date, post_days: int = DEFAULT_OC_POST_DAYS
) -> str:
    """'ok' posted in time, 'late' posted after the limit, 'missing' not posted and the limit
    passed, 'pending' not posted and still in time. The meeting day is day 0."""
    limit = meeting_day + dt.timedelta(days=post_days)
    if posted_on is not None:
        return "ok" if posted_on <= limit else "late"
    return "missing" if today > limit else "pending"


# ---- the anonymous rating --------------------------------------------------------------------------

LEVELS = (3, 2, 1)  # 满意, 基本满意, 不满意


@dataclass(frozen=True)
class ItemTally:
    item_id: int
    counts: dict[int, int]  # level → ballots
    total: int

    @property
    def satisfied_percent(self) -> Decimal | None:
        """(满意 + 基本满意) / answers, in percent with one decimal; None without answers."""
        if not self.total:
            return None
        share = Decimal(self.counts[3] + self.counts[2]) * 100 / Decimal(self.total)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def tally(item_ids: Iterable[int], scores: Iterable[tuple[int, int]]) -> list[ItemTally]:
    """Counts per item and level from (item_id, level) pairs; unknown items or levels are refused."""
    ids = list(item_ids)
    counts: dict[int, dict[int, int]] = {i: dict.fromkeys(LEVELS, 0) for i in ids}
    for item_id, level in scores:
        if item_id not in counts or level not in LEVELS:
            raise ValueError(f"bad score ({item_id}, {level})")
        counts[item_id][level] += 1
    return [ItemTally(i, counts[i], sum(counts[i].values())) for i in ids]


TOKEN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # noqa: S105 (an alphabet, not a secret); no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)


def normalise_token(text: str) -> str:
    """What a person types from a slip: case and spaces/dashes do not matter."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


# ---- the street's work plan: milestones ticked from the data (issue 13) ---------------------------

# A milestone's state, in the order the plan page and the wall sort them.
DONE, OVERDUE, DUE, OPEN = "done", "overdue", "due", "open"
DUE_SOON_DAYS = 14  # a milestone due within two weeks is "due" (the leader's today list)


def share_meets(part: int, whole: int, target_percent: Decimal) -> bool:
    """``part / whole`` ≥ ``target_percent`` %, exactly (no rounding before the comparison).

    The seed's policy targets for the owners' committees street-wide: party members raised to
    55 %, cross-appointment with the residents' committee (“两委”交叉任职) to 40 % (DESIGN.md §5:
    policy targets, configurable, not law). The target reached counts as met: 55 of 100 meets
    55 %, 5,499 of 10,000 (54.99 %) does not. Nobody counted meets nothing."""
    if whole <= 0:
        return False
    if part < 0 or part > whole:
        raise ValueError("part must be between 0 and whole")
    return part * 100 >= target_percent * whole


def count_meets(count: int, target: int) -> bool:
    """A count milestone (e.g. “32 个居民区联合党支部全部组建”): met when count ≥ target; a target of
    0 is met by nothing (a plan never counts an empty street as done)."""
    return target > 0 and count >= target


def milestone_state(*, met: bool, due_on: dt.date, today: dt.date) -> str:
    """done when met (by the data or ticked by hand); else overdue after its due day (the due day
    itself is still on time), due within ``DUE_SOON_DAYS``, otherwise open."""
    if met:
        return DONE
    if due_on < today:
        return OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DUE
    return OPEN


def action_overdue(*, status: str, due_on: dt.date, today: dt.date) -> bool:
    """A tracked action is overdue when still open after its due day."""
    return status == "open" and due_on < today


# ---- 党建联建 programme (docs/FEES.md §8) ---------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeProgress:
    total: int
    done: int
    underway: int
    overdue: int  # not done and due before today
    percent: int  # done ÷ total, rounded half up to a whole percent; 0 with no items


def programme_progress(items: Iterable[tuple[str, dt.date | None]], today: dt.date) -> ProgrammeProgress:
    """Progress of a programme from its items' (status, due day): an item due today is not yet overdue."""
    total = done = underway = overdue = 0
    for status, due_on in items:
        total += 1
        if status == "done":
            done += 1
            continue
        if status == "underway":
            underway += 1
        if due_on is not None and due_on < today:
            overdue += 1
    share = (Decimal(done * 100) / total).quantize(Decimal(1), rounding=ROUND_HALF_UP) if total else 0
    return ProgrammeProgress(total, done, underway, overdue, int(share))


def programme_item_problem(
    status: str, evidence: str, done_on: dt.date | None, signed_on: dt.date, today: dt.date
) -> str | None:
    """Why an item's update is refused, in plain Chinese, or ``None``: a done item names its day (not before
    the agreement was signed, not after today) and its evidence."""
    from django.utils.translation import gettext as _

    if status not in {"planned", "underway", "done"}:
        return _("请选择进展。")
    if status != "done":
        return None
    if not (evidence or "").strip():
        return _("已完成的事项须写明佐证（如公示照片、会议纪要、台账）。")
    if done_on is None:
        return _("请填写完成日期。")
    if done_on < signed_on:
        return _("完成日期不能早于协议签订日期。")
    if done_on > today:
        return _("完成日期不能晚于今天。")
    return None


def pilot_fits_partnership(company_group_id: int | None, group_id: int) -> bool:
    """A partnership's pilot is one of the group's companies."""
    return company_group_id is not None and company_group_id == group_id


# What a patrol summary (巡查小结) says when the walk found nothing, in the words people write.
NOTHING_FOUND = ("未发现", "无问题", "一切正常", "没有发现")


def says_nothing_found(summary: str) -> bool:
    """The summary says the patrol found nothing ("未发现新问题", "一切正常"): it cannot stand beside the
    patrol's recorded findings (services.patrol_end refuses it; data health:
    branchwork.patrol_summaries_fit_findings)."""
    return any(words in (summary or "") for words in NOTHING_FOUND)
