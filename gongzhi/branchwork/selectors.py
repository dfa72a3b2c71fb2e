"""Reads of the branch's work: which branches a user sees and where each stands in a week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from gongzhi.branchwork import permissions, rules
from gongzhi.branchwork.models import Meeting, MeetingKind, Patrol, RhythmRule
from gongzhi.core import charts
from gongzhi.registry.models import Branch, BranchMember, OwnersCommittee


def branches_for(user):
    """The branches whose work this user reads: the street's, or the user's own area's."""
    areas = permissions.reader_areas(user)
    return (
        Branch.objects.filter(area__in=areas)
        .select_related("area__street")
        .order_by("area__street_id", "area__name")
    )


def local_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware start of Monday 00:00 and of the next Monday, in the site's local time."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=tz)
    return start, end


@dataclass
class CommitteeState:
    estate_name: str
    rhythm: rules.CommitteeRhythm
    postings: list[str] = field(default_factory=list)  # 'ok' | 'late' | 'missing' | 'pending'

    @property
    def bad_postings(self) -> int:
        return sum(1 for p in self.postings if p in ("late", "missing"))


@dataclass
class BranchWeek:
    branch: Branch
    rule: RhythmRule
    patrols: rules.Count
    meetings: rules.Count
    members: int
    committees: list[CommitteeState]

    @property
    def committees_overdue(self) -> int:
        return sum(1 for c in self.committees if c.rhythm.overdue)

    @property
    def postings_bad(self) -> int:
        return sum(c.bad_postings for c in self.committees)

    @property
    def all_ok(self) -> bool:
        return (
            self.patrols.gap == 0
            and self.meetings.gap == 0
            and not self.committees_overdue
            and not self.postings_bad
        )


def compliance(branches, monday: dt.date, today: dt.date) -> list[BranchWeek]:
    """Each branch's standing in the week of ``monday`` — a fixed number of queries for any
    number of branches (members, patrols, meetings, committees, owners'-committee meetings, rules)."""
    branches = list(branches)
    if not branches:
        return []
    ids = [b.pk for b in branches]
    area_ids = [b.area_id for b in branches]
    start, end = local_bounds(monday)
    sunday = monday + dt.timedelta(days=6)
    rule_by_street = {
        r.street_id: r for r in RhythmRule.objects.filter(street_id__in={b.area.street_id for b in branches})
    }

    members: dict[int, list[int]] = defaultdict(list)
    for pk, branch_id in BranchMember.objects.filter(branch_id__in=ids, membership="member").values_list(
        "pk", "branch_id"
    ):
        members[branch_id].append(pk)
    patrol_days: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for branch_id, member_id, day in Patrol.objects.filter(
        branch_id__in=ids, day__gte=monday, day__lte=sunday
    ).values_list("branch_id", "member_id", "day"):
        patrol_days[branch_id].append((member_id, day))
    meeting_days: dict[int, list[dt.date]] = defaultdict(list)
    for branch_id, starts_at in Meeting.objects.filter(
        branch_id__in=ids, kind=MeetingKind.BRANCH, cancelled=False, starts_at__gte=start, starts_at__lt=end
    ).values_list("branch_id", "starts_at"):
        meeting_days[branch_id].append(timezone.localtime(starts_at).date())

    # Owners' committees in office on the week's Sunday, and their meetings up to that day.
    committees = list(
        OwnersCommittee.objects.filter(
            estate__area_id__in=area_ids, term_start__lte=sunday, term_end__gte=sunday
        )
        .select_related("estate")
        .order_by("estate__name")
    )
    oc_meetings: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for estate_id, starts_at, posted in Meeting.objects.filter(
        branch_id__in=ids, kind=MeetingKind.OWNERS_COMMITTEE, cancelled=False, starts_at__lt=end
    ).values_list("estates__id", "starts_at", "decisions_posted_on"):
        if estate_id is not None:
            oc_meetings[estate_id].append((timezone.localtime(starts_at).date(), posted))

    check_day = min(today, sunday)
    committees_by_area: dict[int, list[CommitteeState]] = defaultdict(list)
    result = []
    for branch in branches:
        rule = rule_by_street.get(branch.area.street_id) or RhythmRule(street_id=branch.area.street_id)
        for committee in (c for c in committees if c.estate.area_id == branch.area_id):
            held = oc_meetings.get(committee.estate_id, [])
            rhythm = rules.oc_meeting_rhythm(
                meeting_days=[d for d, _p in held],
                today=check_day,
                interval_months=rule.oc_meeting_interval_months,
            )
            window_start = rules.add_months(check_day, -rule.oc_meeting_interval_months)
            postings = [
                rules.decision_posting(
                    meeting_day=d, posted_on=p, today=check_day, post_days=rule.oc_decision_post_days
                )
                for d, p in held
                if window_start <= d <= check_day
            ]
            committees_by_area[branch.area_id].append(CommitteeState(committee.estate.name, rhythm, postings))
        result.append(
            BranchWeek(
                branch=branch,
                rule=rule,
                members=len(members[branch.pk]),
                patrols=rules.patrol_count(
                    member_ids=members[branch.pk],
                    patrol_days=patrol_days[branch.pk],
                    monday=monday,
                    today=today,
                    days_per_week=rule.patrol_days_per_week,
                ),
                meetings=rules.meeting_count(
                    meeting_days=meeting_days[branch.pk],
                    monday=monday,
                    today=today,
                    per_week=rule.branch_meetings_per_week,
                ),
                committees=committees_by_area[branch.area_id],
            )
        )
    return result


def rating_result(session) -> dict:
    """The live tally of a hearing's rating: per group and item the counts of each level, the
    satisfied share, the number of ballots, and an ECharts option (stacked horizontal bars)."""
    from django.utils.translation import gettext as _

    from gongzhi.branchwork.models import RatingLevel, RatingScore

    items = list(session.items.all())
    pairs = RatingScore.objects.filter(item__session=session).values_list("item_id", "level")
    tallies = {t.item_id: t for t in rules.tally([i.pk for i in items], pairs)}
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.group, []).append((item, tallies[item.pk]))
    labels = [f"{i.group}·{i.label}" for i in reversed(items)]
    colours = {3: "#2e7d32", 2: "#f0a020", 1: "#c62828"}
    chart = charts.option(
        tooltip=charts.axis_tooltip(shadow=True),
        legend={"top": 0},
        grid=charts.grid(8, 24, 32, 8, contain_label=True),
        x_axis=charts.value_axis(minInterval=1),
        y_axis=charts.category_axis(labels, axisLabel={"width": 160, "overflow": "truncate"}),
        series=[
            {
                "name": str(RatingLevel(level).label),
                "type": "bar",
                "stack": "total",
                "itemStyle": {"color": colours[level]},
                "data": [tallies[i.pk].counts[level] for i in reversed(items)],
            }
            for level in rules.LEVELS
        ],
    )
    return {
        "groups": list(groups.items()),
        "ballots": session.ballots.count(),
        "tokens_used": session.tokens.filter(used_at__isnull=False).count(),
        "tokens_total": session.tokens.count(),
        "chart": chart,
        "chart_height": max(240, 28 * len(items) + 60),
        "title": _("现场测评结果"),
    }


# ---- change marks of the public pages (core/publicpages.py) -------------------------------------------------


def outcome_mark(pk: int) -> tuple | None:
    """A published outcome page changes with its street's audited writes (rating ballots included)."""
    from gongzhi.core.publicpages import street_changes

    row = Meeting.objects.filter(pk=pk).annotate(changes=street_changes("branch__area__street_id"))
    changes = row.values_list("changes", flat=True).first()
    return None if changes is None else (changes,)


def rating_mark(code: str) -> tuple | None:
    """The live tally of a rating session: each ballot is audited on the session's street."""
    from gongzhi.branchwork.models import RatingSession
    from gongzhi.core.publicpages import street_changes

    row = RatingSession.objects.filter(code=code.upper()).annotate(
        changes=street_changes("meeting__branch__area__street_id")
    )
    changes = row.values_list("changes", flat=True).first()
    return None if changes is None else (changes,)
