"""The demo street's branch work (docs/DESIGN.md §8): a live picture of the joint party branches.

Written after the registry, the logins and the problem history, as a pure function of (seed,
today) and the loaded street, in a handful of bulk inserts:

- eighteen months (and this week) of meetings in every area, so that the wall's trends have a history: two
  branch meetings a week where the branch keeps its rhythm (a few areas miss some, so the street's table
  shows red), owners'-committee meetings every 6–9 weeks with the day the decisions were posted (a few
  late), and in the demo
  secretary's area one meeting of every kind with agenda, attendance, minutes and resolutions;
- resolutions of joint meetings and hearings linked to the problem history's meeting/hearing
  problems of the same area (ResolutionAction), so the meeting page shows live statuses — the
  demo reuses those rows rather than writing problems of its own;
- eighteen months of daily patrols by the voting members (nearly every day in the last two weeks, less in a
  few branches; further back the branches kept the daily round less well, more so the longer ago — the
  trends show the rhythm improving); patrol-source problems of the history become the findings of the
  patrol of that day and area;
- a week of the security team's morning/evening log for every estate of the demo area;
- a duty roster for every area from today for two weeks, with each member's public card;
- the hearing in the demo area with an on-the-spot rating of 20 items in 4 groups (Yuntai-2),
  48 of 60 tokens used, its outcome published;
- a few first-inquiry receptions.

No audit rows per item: the demo street's one import audit row covers them (as for problems).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from random import Random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.branchwork import demo_minutes
from gongzhi.branchwork import models as m
from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.scopes import staff_companies
from gongzhi.problems.models import Problem, Source
from gongzhi.registry import models as r

WEEKS = 78  # weeks of branch meetings before this one: eighteen months (the wall's trends)
PATROL_DAYS = 15  # the recent fortnight of patrols, kept nearly every day
PATROL_HISTORY_DAYS = 548  # eighteen months of patrols in all (the wall's trends)
OC_MEETING_ROUNDS = 11  # owners'-committee meetings 6–9 weeks apart: eighteen months
ROSTER_DAYS = 14

RATING_GROUPS = {
    "保洁": ["楼道清扫", "垃圾清运", "道路保洁", "公共部位消毒", "垃圾分类引导"],
    "保绿": ["草坪修剪", "树木修枝", "病虫害防治", "绿地补种", "枯枝清理"],
    "保安": ["门岗值守", "夜间巡逻", "车辆管理", "外来人员登记", "消防通道管理"],
    "保修": ["报修响应速度", "维修质量", "公共照明", "水泵房维护", "电梯与门禁"],
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_tz())


def _tz():
    return timezone.get_current_timezone()


def _demo_area(users) -> int | None:
    secretary = users.get("demo_secretary")
    if secretary is None:
        return None
    grant = RoleGrant.objects.filter(user=secretary, role=Role.AREA_SECRETARY).first()
    return grant.area_id if grant else None


@dataclass
class _Street:
    """What every section reads: the day, the random stream (drawn section by section in a fixed
    order, so the story is the same for the same seed) and the street's registry rows."""

    street: r.Street
    today: dt.date
    rng: Random
    users: dict
    demo_area_id: int | None
    branches: list[r.Branch]
    members_by_branch: dict[int, list[r.BranchMember]]
    estates_by_area: dict[int, list[r.Estate]]
    committee_estates: set[int]
    lax: set[int] = field(default_factory=set)  # branches that fall behind

    @property
    def cutoff(self) -> dt.datetime:
        # The picture ends when "today" begins (like the problem history), so it is the same whenever
        # it is loaded that day; only the duty roster and one meeting lie ahead.
        return _at(self.today, 0)

    @property
    def secretary(self):
        return self.users.get("demo_secretary")

    @property
    def member_user(self):
        return self.users.get("demo_branch")

    @property
    def area_of_estate(self) -> dict[int, int]:
        return {e.pk: area_id for area_id, es in self.estates_by_area.items() for e in es}

    @property
    def branch_of_area(self) -> dict[int, r.Branch]:
        return {b.area_id: b for b in self.branches}


def _street(*, street, seed, today, users) -> _Street:
    members_by_branch: dict[int, list[r.BranchMember]] = defaultdict(list)
    for member in r.BranchMember.objects.filter(branch__area__street=street).order_by("branch_id", "pk"):
        members_by_branch[member.branch_id].append(member)
    estates_by_area: dict[int, list[r.Estate]] = defaultdict(list)
    for estate in r.Estate.objects.filter(area__street=street).order_by("name"):
        estates_by_area[estate.area_id].append(estate)
    return _Street(
        street=street,
        today=today,
        rng=Random(f"branchwork-{seed}"),
        users=users,
        demo_area_id=_demo_area(users),
        branches=list(
            r.Branch.objects.filter(area__street=street).select_related("area").order_by("area__name")
        ),
        members_by_branch=members_by_branch,
        estates_by_area=estates_by_area,
        committee_estates=set(
            r.OwnersCommittee.objects.filter(
                estate__area__street=street, term_start__lte=today, term_end__gte=today
            ).values_list("estate_id", flat=True)
        ),
    )


@transaction.atomic
def demo_create(*, street, seed, scale: float = 1.0, today, users) -> dict[str, int]:
    s = _street(street=street, seed=seed, today=today, users=users)
    m.RhythmRule.objects.create(street=street)
    # A few branches fall behind so the street's table has red cells (deterministic by seed).
    s.lax = {b.pk for b in s.rng.sample(s.branches, k=min(5, len(s.branches)))}
    book = _Meetings(s)
    _weekly_meetings(s, book)
    linked = _problem_meetings(s, book)
    open_resolutions = _demo_area_meetings(s, book)
    book.save()
    invitees = _invitees(s, book)
    resolutions, actions = _resolutions(book, linked, open_resolutions)
    _write_minutes(book)
    hearing = book.meetings[book.hearing_index] if book.hearing_index is not None else None
    rating_counts = _rating(s.rng, hearing) if hearing is not None else {}
    patrols, findings = _patrols(s)
    _patrol_summaries(s)
    logs = _security_logs(s)
    profiles, shifts = _duty_board(s)
    receptions = _receptions(s)
    steering = _steering(s)
    return {
        **steering,
        "branch_meetings": len(book.meetings),
        "meeting_invitees": invitees,
        "meeting_resolutions": resolutions,
        "resolution_actions": actions,
        "patrols": patrols,
        "patrol_findings": findings,
        "security_logs": logs,
        "duty_shifts": shifts,
        "duty_profiles": profiles,
        "receptions": receptions,
        **rating_counts,
    }


# ---- meetings -----------------------------------------------------------------------------------


class _Meetings:
    """The meetings being planned, with their estates and attendance plan, saved in one go."""

    def __init__(self, s: _Street):
        self.s = s
        self.meetings: list[m.Meeting] = []
        self.estates: list[tuple[int, list[r.Estate]]] = []  # index in ``meetings`` → estates
        self.plan: list[dict] = []  # per meeting: attendance/resolution plan, aligned with ``meetings``
        self.hearing_index: int | None = None  # the demo area's hearing (the rating)

    def add(self, branch, kind, title, start, estates, *, signed=True, **extra) -> int:
        s = self.s
        self.meetings.append(
            m.Meeting(
                street_id=branch.area.street_id,
                branch=branch,
                kind=kind,
                title=title,
                agenda=extra.pop("agenda", demo_minutes.agenda(kind)),
                place=extra.pop("place", f"{branch.area.name}党群服务站"),
                starts_at=start,
                minutes="",  # written from the facts once attendance and resolutions are known
                signed_off_at=start + dt.timedelta(hours=20) if signed else None,
                signed_off_by=s.secretary if signed and branch.area_id == s.demo_area_id else None,
                created_by=s.secretary if branch.area_id == s.demo_area_id else None,
                created_at=start - dt.timedelta(days=3),
                **extra,
            )
        )
        self.estates.append((len(self.meetings) - 1, estates))
        self.plan.append({"signed": signed})
        return len(self.meetings) - 1

    def save(self) -> None:
        m.Meeting.objects.bulk_create(self.meetings, batch_size=500)
        through = m.Meeting.estates.through
        through.objects.bulk_create(
            [
                through(meeting_id=self.meetings[i].pk, estate_id=e.pk)
                for i, estates in self.estates
                for e in estates
            ],
            batch_size=1000,
        )


def _weekly_meetings(s: _Street, book: _Meetings) -> None:
    """Two branch meetings a week (fewer in lax branches) and the owners' committees' meetings."""
    rng, today = s.rng, s.today
    monday = today - dt.timedelta(days=today.weekday())
    # an owners' committee meets from the start of the estate's first committee on record, not before
    first_term: dict[int, dt.date] = {}
    for estate_id, term_start in r.OwnersCommittee.objects.filter(estate__area__street=s.street).values_list(
        "estate_id", "term_start"
    ):
        first_term[estate_id] = min(term_start, first_term.get(estate_id, term_start))
    for branch in s.branches:
        estates = s.estates_by_area[branch.area_id]
        for week in range(WEEKS, -1, -1):
            week_monday = monday - dt.timedelta(days=7 * week)
            for _slot, (weekday, hour) in enumerate(((1, 9), (4, 14))):
                day = week_monday + dt.timedelta(days=weekday)
                if day >= today or (branch.pk in s.lax and rng.random() < 0.45):
                    continue
                start = _at(day, hour, 30 * rng.randint(0, 1))
                signed = start + dt.timedelta(hours=20) < s.cutoff
                book.add(
                    branch,
                    m.MeetingKind.BRANCH,
                    f"{day.month}月{day.day}日支部工作例会",  # titled by its date, as a clerk files it
                    start,
                    estates[:2],
                    signed=signed,
                )
        for estate in estates:
            if estate.pk not in s.committee_estates:
                continue
            day = today - dt.timedelta(days=rng.randint(5, 40))
            for _round in range(OC_MEETING_ROUNDS):
                if day < first_term.get(estate.pk, today):
                    break
                start = _at(day, 19)
                late = rng.random() < 0.15
                posted = day + dt.timedelta(days=rng.randint(4, 6) if late else rng.randint(0, 3))
                book.add(
                    branch,
                    m.MeetingKind.OWNERS_COMMITTEE,
                    f"{estate.name}业委会例会",
                    start,
                    [estate],
                    decisions_posted_on=posted if posted <= today else None,
                )
                day -= dt.timedelta(days=rng.randint(42, 63))


def _problem_meetings(s: _Street, book: _Meetings) -> list[tuple[int, list[Problem]]]:
    """Meetings that produced the problem history's meeting/hearing problems: one per area, day and
    source, 90 minutes before the first of them, whose resolutions are those problems. Returns
    (meeting index, problems) pairs."""
    area_of_estate, branch_of_area = s.area_of_estate, s.branch_of_area
    groups: dict[tuple[int, dt.date, str], list[Problem]] = defaultdict(list)
    for problem in Problem.objects.filter(
        estate__area__street=s.street,
        source__in=[Source.MEETING, Source.HEARING],
        created_at__gte=_at(s.today - dt.timedelta(days=7 * 8), 0),
        created_at__lt=s.cutoff,
    ).order_by("created_at", "pk"):
        day = timezone.localtime(problem.created_at).date()
        groups[(area_of_estate[problem.estate_id], day, problem.source)].append(problem)
    linked: list[tuple[int, list[Problem]]] = []
    for (area_id, _day, source), problems in sorted(groups.items(), key=lambda kv: kv[1][0].created_at):
        branch = branch_of_area[area_id]
        first = problems[0].created_at - dt.timedelta(minutes=90)
        if source == Source.MEETING:
            kind, title = m.MeetingKind.JOINT, "五方联席会议：问题清单逐项落实"
        else:
            kind = m.MeetingKind.HEARING if s.rng.random() < 0.5 else m.MeetingKind.FORUM
            title = "物业服务听证会" if kind == m.MeetingKind.HEARING else "居民座谈会"
        involved = sorted({p.estate_id for p in problems})
        index = book.add(
            branch,
            kind,
            title,
            first,
            [e for e in s.estates_by_area[area_id] if e.pk in involved],
        )
        linked.append((index, problems[:5]))
        if area_id == s.demo_area_id and kind == m.MeetingKind.HEARING:
            book.hearing_index = index
    return linked


def _demo_area_meetings(s: _Street, book: _Meetings) -> list[tuple[int, str]]:
    """The demo secretary's area shows every kind; the hearing holds the Yuntai-2 rating. Returns the
    open resolutions (meeting index, text) waiting for the secretary to hand them over."""
    demo_branch = s.branch_of_area.get(s.demo_area_id)
    open_resolutions: list[tuple[int, str]] = []
    if demo_branch is None:
        return open_resolutions
    today, meetings = s.today, book.meetings
    estates = s.estates_by_area[demo_branch.area_id]
    specials = [
        (m.MeetingKind.COORDINATION, "与物业公司协调会：半个月内完成整改", 16, 15),
        (m.MeetingKind.PRICE, "年度议价会议（先质后价）", 20, 14),
        (m.MeetingKind.FORUM, "居民座谈会：垃圾分类与保洁", 12, 19),
    ]
    if book.hearing_index is None:
        specials.append((m.MeetingKind.HEARING, "物业服务听证会（四大类 20 项现场测评）", 9, 19))
    for kind, title, days_ago, hour in specials:
        index = book.add(
            demo_branch,
            kind,
            title,
            _at(today - dt.timedelta(days=days_ago), hour),
            estates,
        )
        open_resolutions.append((index, demo_minutes.OPEN_RESOLUTIONS[kind]))
        if kind == m.MeetingKind.HEARING:
            book.hearing_index = index
    book.add(
        demo_branch,
        m.MeetingKind.BRANCH,
        "下周支部工作例会",
        _at(today + dt.timedelta(days=2), 9),
        estates[:1],
        signed=False,
    )
    hearing = meetings[book.hearing_index]
    if hearing.signed_off_at is None:  # held late yesterday: signed off in the evening
        hearing.signed_off_at = hearing.starts_at + dt.timedelta(hours=3)
        book.plan[book.hearing_index]["signed"] = True
    hearing.title = "物业服务听证会（四大类 20 项现场测评）"
    hearing.public_summary = (
        "听证会围绕保洁、保绿、保安、保修四大类 20 个事项进行现场无记名测评。"
        "居民对门岗值守和报修响应意见较多，物业公司承诺半个月内完成整改，联合党支部逐项跟踪销项。"
    )
    hearing.published_at = hearing.signed_off_at
    for meeting in meetings:
        if (
            meeting.branch.area_id == s.demo_area_id
            and meeting.kind == m.MeetingKind.FORUM
            and meeting.signed_off_at
        ):
            meeting.public_summary = "座谈会听取了居民对垃圾分类和保洁的意见，形成决议，已转入问题清单跟踪。"
            meeting.published_at = meeting.signed_off_at
            break
    return open_resolutions


def _write_minutes(book: _Meetings) -> None:
    """The minutes of every signed-off meeting, from its kind, attendance, estates and resolutions."""
    signed = [meeting for meeting in book.meetings if meeting.signed_off_at is not None]
    invitees: dict[int, list[m.Invitee]] = defaultdict(list)
    for invitee in m.Invitee.objects.filter(meeting__in=signed).order_by("pk"):
        invitees[invitee.meeting_id].append(invitee)
    resolutions: dict[int, list[str]] = defaultdict(list)
    for meeting_id, text in (
        m.Resolution.objects.filter(meeting__in=signed).order_by("number").values_list("meeting_id", "text")
    ):
        resolutions[meeting_id].append(text)
    estates = {index: [e.name for e in chosen] for index, chosen in book.estates}
    for index, meeting in enumerate(book.meetings):
        if meeting.signed_off_at is not None:
            meeting.minutes = demo_minutes.minutes(
                meeting,
                estates=estates.get(index, []),
                invitees=invitees[meeting.pk],
                resolutions=resolutions[meeting.pk],
            )
    m.Meeting.objects.bulk_update(signed, ["minutes"], batch_size=500)


def _invitees(s: _Street, book: _Meetings) -> int:
    """Attendance: the voting members and the non-voting heads; a few absent with a reason."""
    invitees = []
    reasons = ("外出开会", "病假", "参加区里培训", "值班")
    for meeting, info in zip(book.meetings, book.plan, strict=True):
        for member in s.members_by_branch[meeting.branch_id]:
            if meeting.kind == m.MeetingKind.OWNERS_COMMITTEE and member.organisation not in (
                "owners_committee",
                "party",
            ):
                continue
            absent = info["signed"] and s.rng.random() < 0.08
            invitees.append(
                m.Invitee(
                    meeting=meeting,
                    member=member,
                    name=member.name,
                    organisation=member.position or member.get_organisation_display(),
                    non_voting=member.membership != "member",
                    attendance="absent" if absent else ("present" if info["signed"] else "unknown"),
                    absence_reason=s.rng.choice(reasons) if absent else "",
                )
            )
    m.Invitee.objects.bulk_create(invitees, batch_size=1000)
    return len(invitees)


def _resolutions(
    book: _Meetings, linked: list[tuple[int, list[Problem]]], open_resolutions: list[tuple[int, str]]
) -> tuple[int, int]:
    """The linked problems (each a ResolutionAction), and an open one for the demo area's other
    meetings, waiting for the secretary to hand it over. Returns (resolutions, actions)."""
    resolutions, links = [], []
    for index, problems in linked:
        for number, problem in enumerate(problems, start=1):
            # "听证会上居民反映：…" is how the tracker files it; the resolution is what was said
            text = re.split("[:：]", problem.description, maxsplit=1)[-1]
            resolutions.append(
                m.Resolution(
                    meeting=book.meetings[index], number=number, text=text[:1000], estate_id=problem.estate_id
                )
            )
            links.append(problem)
    for index, text in open_resolutions:
        resolutions.append(m.Resolution(meeting=book.meetings[index], number=1, text=text, estate=None))
        links.append(None)
    m.Resolution.objects.bulk_create(resolutions, batch_size=500)
    actions = [
        m.ResolutionAction(resolution=res, problem=problem, created_at=problem.created_at)
        for res, problem in zip(resolutions, links, strict=True)
        if problem is not None
    ]
    m.ResolutionAction.objects.bulk_create(actions, batch_size=500)
    return len(resolutions), len(actions)


# ---- patrols, security log, duty board, receptions ----------------------------------------------


def _patrols(s: _Street) -> tuple[int, int]:
    """Each voting member on nearly every day (lax branches: about two days in three); patrol-source
    problems of the history become the findings of that day's first patrol in the area. Returns
    (patrols, findings)."""
    rng, today = s.rng, s.today
    patrols, patrol_estates = [], []
    for branch in s.branches:
        estates = s.estates_by_area[branch.area_id]
        voting = [mb for mb in s.members_by_branch[branch.pk] if mb.membership == "member"]
        recent = 0.65 if branch.pk in s.lax else 0.985
        for back in range(PATROL_HISTORY_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            # before the last fortnight the daily round was kept less well, the further back the less
            share = recent if back <= PATROL_DAYS else recent * (0.97 - 0.17 * back / PATROL_HISTORY_DAYS)
            for member in voting:
                if rng.random() > share:
                    continue
                start = _at(day, rng.choice((7, 8, 9, 16, 17)), rng.choice((0, 15, 30, 45)))
                recorder = (
                    s.member_user
                    if branch.area_id == s.demo_area_id and member.organisation == "residents_committee"
                    else None
                )
                patrols.append(
                    m.Patrol(
                        branch=branch,
                        member=member,
                        recorded_by=recorder,
                        day=day,
                        started_at=start,
                        ended_at=start + dt.timedelta(minutes=rng.randint(30, 80)),
                        route_note=rng.choice(("", "东门—中心绿地—北门", "沿围墙一圈，重点看车棚", "")),
                        summary=rng.choice(("未发现新问题", "车棚充电情况已提醒", "")),
                    )
                )
                covered = (
                    rng.sample(estates, k=min(len(estates), 2 if rng.random() < 0.2 else 1))
                    if estates
                    else []
                )
                patrol_estates.append(covered)
    m.Patrol.objects.bulk_create(patrols, batch_size=1000)
    pthrough = m.Patrol.estates.through
    pthrough.objects.bulk_create(
        [
            pthrough(patrol_id=p.pk, estate_id=e.pk)
            for p, covered in zip(patrols, patrol_estates, strict=True)
            for e in covered
        ],
        batch_size=2000,
    )
    first_patrol: dict[tuple[int, dt.date], m.Patrol] = {}
    for patrol in patrols:
        first_patrol.setdefault((patrol.branch.area_id, patrol.day), patrol)
    area_of_estate = s.area_of_estate
    findings = []
    since = today - dt.timedelta(days=PATROL_HISTORY_DAYS)
    for problem in Problem.objects.filter(
        estate__area__street=s.street, source=Source.PATROL, created_at__date__gte=since
    ).order_by("created_at", "pk"):
        patrol = first_patrol.get(
            (area_of_estate[problem.estate_id], timezone.localtime(problem.created_at).date())
        )
        if patrol is not None:
            findings.append(
                m.PatrolFinding(
                    patrol=patrol,
                    estate_id=problem.estate_id,
                    problem=problem,
                    text=problem.description[:300],
                    created_at=problem.created_at,
                )
            )
    m.PatrolFinding.objects.bulk_create(findings)
    return len(patrols), len(findings)


def _patrol_summaries(s: _Street) -> None:
    """A patrol that found something says so in its summary (data health:
    branchwork.patrol_summaries_fit_findings); the others keep what the walker wrote."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for pk, found in (
        m.Patrol.objects.filter(branch__area__street=s.street)
        .annotate(found=Count("findings"))
        .filter(found__gt=0)
        .values_list("pk", "found")
    ):
        by_count[found].append(pk)
    for found, pks in sorted(by_count.items()):
        m.Patrol.objects.filter(pk__in=pks).update(summary=f"发现问题{found}项，已登记并转入问题清单")


def _security_logs(s: _Street) -> int:
    """A week of morning plans and evening reviews for the demo area's estates."""
    company_user = s.users.get("demo_company")
    own = set(staff_companies(company_user).values_list("pk", flat=True)) if company_user else set()
    logs = []
    for estate in s.estates_by_area.get(s.demo_area_id, []):
        for back in range(6, -1, -1):
            day = s.today - dt.timedelta(days=back)
            # Staff sign only for the estates their company manages that day (data health:
            # branchwork.guard_logs_signed_by_managing_company); the others' logs are the managing
            # company's guard captain's, who has no login in the demo.
            manager = (
                r.Contract.objects.active(on=day).filter(estate=estate).select_related("company").first()
            )
            signs = manager is not None and manager.company_id in own
            label = f"{manager.company.name}保安队长" if manager else "物业公司保安队长"
            for shift, text in (
                (m.Shift.MORNING, "早班：东西门岗各一人，车辆引导一人；重点检查消防通道和非机动车棚充电。"),
                (m.Shift.EVENING, "晚间点评：门岗登记规范；北门车辆乱停已劝离；明日加强夜间巡逻。"),
            ):
                if back == 0 and shift == m.Shift.EVENING:
                    continue
                comment = "消防通道保持畅通，继续保持。" if s.rng.random() < 0.4 else ""
                logs.append(
                    m.SecurityLog(
                        estate=estate,
                        day=day,
                        shift=shift,
                        text=text,
                        author=company_user if signs else None,
                        author_label=str(company_user) if signs else label,
                        branch_comment=comment,
                        commented_by_label="联合党支部" if comment else "",
                        created_at=_at(day, 8 if shift == m.Shift.MORNING else 20),
                    )
                )
    m.SecurityLog.objects.bulk_create(logs)
    return len(logs)


def _duty_board(s: _Street) -> tuple[int, int]:
    """Every member gets a public card; each area a roster from today for two weeks. Returns
    (profiles, shifts)."""
    profiles, shifts = [], []
    for branch in s.branches:
        members = s.members_by_branch[branch.pk]
        for member in members:
            profiles.append(
                m.DutyProfile(
                    member=member,
                    role_label=member.position or member.get_organisation_display(),
                    commitment="亮身份、亮承诺、亮职责：来访必接、有问必答、事事有回音。",
                    duties="接待来访居民，登记诉求，转交问题清单跟踪销项。",
                )
            )
        if not members:
            continue
        offset = s.rng.randrange(len(members))
        for day_index in range(ROSTER_DAYS):
            member = members[(offset + day_index) % len(members)]
            shifts.append(
                m.DutyShift(area_id=branch.area_id, day=s.today + dt.timedelta(days=day_index), member=member)
            )
    m.DutyProfile.objects.bulk_create(profiles, batch_size=1000)
    m.DutyShift.objects.bulk_create(shifts, batch_size=1000)
    return len(profiles), len(shifts)


def _receptions(s: _Street) -> int:
    """A few first-inquiry receptions in the demo area."""
    member_user = s.member_user
    receptions = []
    matters = (
        ("3号楼王阿姨", "楼道里电动车充电，担心起火。", "已通知物业当天清理，并在楼道张贴提示。"),
        ("12号楼居民", "询问维修资金使用公示在哪里查看。", "告知公示栏位置和手机公开页。"),
        ("", "北门夜间路灯不亮。", "已转物业维修。"),
        ("5号楼张先生", "物业费上调的依据是什么？", "解释先质后价和年度议价会议安排。"),
    )
    for index, (visitor, matter, answer) in enumerate(matters):
        receptions.append(
            m.Reception(
                area_id=s.demo_area_id or s.branches[0].area_id,
                estate=(s.estates_by_area.get(s.demo_area_id) or [None])[0],
                received_at=_at(s.today - dt.timedelta(days=1 + index * 2), 10),
                visitor=visitor,
                matter=matter,
                answer=answer,
                receiver_label=str(member_user) if member_user else "值班人员",
                recorded_by=member_user,
            )
        )
    m.Reception.objects.bulk_create(receptions)
    return len(receptions)


def _rating(rng: Random, hearing: m.Meeting) -> dict[str, int]:
    """Yuntai-2's on-the-spot rating: 20 items in 4 groups, 60 slips, 48 ballots."""
    code_rng = Random(f"rating-{hearing.pk}")
    alphabet = "ACDEFGHJKMNPQRTUVWXY34679"
    session = m.RatingSession.objects.create(
        meeting=hearing,
        code="".join(code_rng.choice(alphabet) for _i in range(6)),
        is_open=False,
        created_at=hearing.starts_at,
    )
    items = m.RatingItem.objects.bulk_create(
        [
            m.RatingItem(session=session, group=group, label=label, order=index * 10 + j)
            for index, (group, labels) in enumerate(RATING_GROUPS.items())
            for j, label in enumerate(labels)
        ]
    )
    tokens = set()
    while len(tokens) < 60:
        tokens.add("".join(code_rng.choice(alphabet) for _i in range(8)))
    used_at = hearing.starts_at + dt.timedelta(minutes=40)
    m.RatingToken.objects.bulk_create(
        [
            m.RatingToken(session=session, token=t, used_at=used_at if i < 48 else None)
            for i, t in enumerate(sorted(tokens))
        ]
    )
    ballots = m.RatingBallot.objects.bulk_create(
        [
            m.RatingBallot(session=session, submitted_on=timezone.localtime(hearing.starts_at).date())
            for _i in range(48)
        ]
    )
    weak = {"门岗值守", "报修响应速度", "车辆管理", "垃圾分类引导"}
    scores = []
    for ballot in ballots:
        for item in items:
            roll = rng.random()
            if item.label in weak:
                level = 3 if roll < 0.35 else 2 if roll < 0.65 else 1
            else:
                level = 3 if roll < 0.7 else 2 if roll < 0.92 else 1
            scores.append(m.RatingScore(ballot=ballot, item=item, level=level))
    m.RatingScore.objects.bulk_create(scores, batch_size=2000)
    return {"rating_items": len(items), "rating_ballots": len(ballots), "rating_scores": len(scores)}


@transaction.atomic
def demo_delete(*, street) -> dict[str, int]:
    deleted: dict[str, int] = defaultdict(int)
    steps = [
        m.ResolutionAction.objects.filter(resolution__meeting__street=street),
        m.TrackedAction.objects.filter(resolution__meeting__street=street),
        m.RatingScore.objects.filter(ballot__session__meeting__street=street),
        m.RatingSession.objects.filter(meeting__street=street),
        m.Meeting.objects.filter(street=street),
        m.BodyMember.objects.filter(body__street=street),
        m.Body.objects.filter(street=street),
        m.Milestone.objects.filter(stage__plan__street=street),
        m.PlanStage.objects.filter(plan__street=street),
        m.WorkPlan.objects.filter(street=street),
        m.Pilot.objects.filter(street=street),
        m.Partnership.objects.filter(street=street),
        m.PatrolFinding.objects.filter(patrol__branch__area__street=street),
        m.Patrol.objects.filter(branch__area__street=street),
        m.SecurityLog.objects.filter(estate__area__street=street),
        m.DutyShift.objects.filter(area__street=street),
        m.DutyProfile.objects.filter(member__branch__area__street=street),
        m.Reception.objects.filter(area__street=street),
        m.RhythmRule.objects.filter(street=street),
    ]
    for queryset in steps:
        for label, n in queryset.delete()[1].items():
            deleted[label] += n
    return {label: n for label, n in deleted.items() if n}


def demo_fingerprint(street) -> str:
    """SHA-256 over the street's branch work by natural keys (no ids, no random codes, no tracking
    numbers: those come from row ids; a linked problem counts by its report time)."""
    digest = hashlib.sha256()
    queries = [
        m.Meeting.objects.filter(street=street).values_list(
            "branch__area__name",
            "body__name",
            "kind",
            "title",
            "starts_at",
            "signed_off_at",
            "decisions_posted_on",
            "published_at",
        ),
        m.Invitee.objects.filter(meeting__street=street).values_list(
            "meeting__title", "meeting__starts_at", "name", "attendance", "absence_reason"
        ),
        m.Resolution.objects.filter(meeting__street=street).values_list(
            "meeting__title",
            "meeting__starts_at",
            "number",
            "text",
            "action__problem__created_at",
            "tracked__due_on",
            "tracked__status",
        ),
        m.BodyMember.objects.filter(body__street=street).values_list(
            "body__name", "name", "role_label", "unit"
        ),
        m.Milestone.objects.filter(stage__plan__street=street).values_list(
            "stage__number", "title", "due_on", "metric", "done_on"
        ),
        m.Pilot.objects.filter(street=street).values_list("branch__name", "company__name", "since"),
        m.Patrol.objects.filter(branch__area__street=street).values_list(
            "member__name", "day", "started_at", "ended_at"
        ),
        m.PatrolFinding.objects.filter(patrol__branch__area__street=street).values_list(
            "patrol__day", "problem__created_at", "text"
        ),
        m.SecurityLog.objects.filter(estate__area__street=street).values_list(
            "estate__name", "day", "shift", "branch_comment"
        ),
        m.DutyShift.objects.filter(area__street=street).values_list("area__name", "day", "member__name"),
        m.RatingScore.objects.filter(ballot__session__meeting__street=street).values_list(
            "item__label", "level"
        ),
        m.Reception.objects.filter(area__street=street).values_list("received_at", "matter"),
    ]
    for query in queries:
        for row in sorted(query, key=repr):
            digest.update(repr(row).encode())
    return digest.hexdigest()


# ---- the street's bodies, their meetings, the three-stage plan and the pilots (issue 13) ---------

# Fictional people of the street office who are not demo accounts.
OFFICE_PEOPLE = (
    ("沈立群", "副组长", "街道党工委副书记"),
    ("顾海峰", "成员", "街道房管办主任"),
    ("陆佩华", "成员", "街道社区党建办主任"),
    ("钱志明", "成员", "街道城运中心主任"),
    ("蒋文娟", "成员", "街道自治办主任"),
)


def _person(user) -> str:
    """A demo account's display name without its bracketed role: “王敏(…管理办)” → “王敏”."""
    return (user.display_name or user.username).split("(")[0] if user else ""


def _days(s: _Street, days: int) -> dt.date:
    """A day relative to the demo's today (the story is told as of 2026-12-06: −757 days is the
    leadership group's first meeting on 9 November two years before, as in the seed)."""
    return s.today + dt.timedelta(days=days)


def _steering(s: _Street) -> dict[str, int]:
    street, users = s.street, s.users
    admin, leader = users.get("demo_admin"), users.get("demo_leader")
    bodies = _bodies(s, admin, leader)
    meetings, resolutions, actions = _body_meetings(s, bodies, admin)
    pilots = _pilots(s)
    from gongzhi.branchwork.partnerships import demo_create as partnerships_create

    partnerships = partnerships_create(street=street, admin=admin, today=s.today)
    milestones = _plan(s, admin)
    return {
        "street_bodies": len(bodies),
        "body_members": m.BodyMember.objects.filter(body__street=street).count(),
        "body_meetings": meetings,
        "body_resolutions": resolutions,
        "tracked_actions": actions,
        "pilots": pilots,
        "partnerships": partnerships,
        "plan_milestones": milestones,
    }


def _bodies(s: _Street, admin, leader) -> dict[str, m.Body]:
    street = s.street
    name = street.name
    bodies = {
        "leadership": m.Body(
            street=street,
            kind=m.BodyKind.LEADERSHIP,
            name=f"{name}党建引领物业治理工作领导小组",
            remit="研究物业治理工作机制、总体推动方案和三阶段计划；审定业委会换届人选把关、物业末位淘汰等重大事项；"
            "挂图作战，按时间节点督办落实。",
        ),
        "council": m.Body(
            street=street,
            kind=m.BodyKind.COMPANY_COUNCIL,
            name=f"{name}物业企业理事会",
            remit="组织辖区物业企业交流互评，推动“四保”提质和服务事项公开，落实“质价相符、先质后价”。",
        ),
        "federation": m.Body(
            street=street,
            kind=m.BodyKind.DIRECTORS_FEDERATION,
            name=f"{name}业委会主任联合会",
            remit="业委会主任培训、经验交流和互助；推动《管理规约》《业主大会议事规则》公开和维修资金规范使用。",
        ),
        "joint": m.Body(
            street=street,
            kind=m.BodyKind.JOINT,
            name=f"{name}物业治理五方联席会议",
            remit="街道、居民区党组织、居委会、业委会、物业企业五方协商跨小区的共性问题，一件一件抓落实。",
        ),
    }
    m.Body.objects.bulk_create(bodies.values())
    members: list[m.BodyMember] = []
    lead = bodies["leadership"]
    if leader:
        members.append(
            m.BodyMember(body=lead, user=leader, name=_person(leader), role_label="组长", unit="街道党工委")
        )
    for person, role, unit in OFFICE_PEOPLE[:1]:
        members.append(m.BodyMember(body=lead, name=person, role_label=role, unit=unit))
    if admin:
        members.append(
            m.BodyMember(
                body=lead, user=admin, name=_person(admin), role_label="办公室主任", unit="街道物业管理办"
            )
        )
    for person, role, unit in OFFICE_PEOPLE[1:]:
        members.append(m.BodyMember(body=lead, name=person, role_label=role, unit=unit))

    # The council: the heads of the companies serving the street (the state-owned one chairs it).
    company_user = users_company = s.users.get("demo_company")
    own = set(staff_companies(users_company).values_list("pk", flat=True)) if users_company else set()
    companies = list(r.Company.objects.filter(street=s.street).order_by("-ownership", "name"))
    for k, company in enumerate(companies[:9]):
        members.append(
            m.BodyMember(
                body=bodies["council"],
                user=company_user if company.pk in own else None,
                name=company.contact_name or f"{company.name}负责人",
                role_label="理事长" if k == 0 else "理事",
                unit=company.name,
            )
        )
    # The federation: the directors of the committees in office (the demo committee's among them).
    directors = list(
        r.CommitteeMember.objects.filter(
            committee__estate__area__street=s.street,
            committee__term_start__lte=s.today,
            committee__term_end__gte=s.today,
            position=r.CommitteePosition.DIRECTOR,
        )
        .select_related("committee__estate")
        .order_by("committee__estate__name")
    )
    oc_user = s.users.get("demo_oc")
    oc_name = _person(oc_user)
    seen: set[str] = set()
    for k, director in enumerate(directors[:11]):
        if director.name in seen:
            continue
        seen.add(director.name)
        members.append(
            m.BodyMember(
                body=bodies["federation"],
                user=oc_user if oc_user and director.name == oc_name else None,
                name=director.name,
                role_label="会长" if k == 0 else "会员",
                unit=f"{director.committee.estate.name}业委会",
            )
        )
    if oc_user and oc_name not in seen:
        members.append(
            m.BodyMember(
                body=bodies["federation"], user=oc_user, name=oc_name, role_label="会员", unit="业委会"
            )
        )
    # The joint meeting: the five parties, with the demo area's secretary and residents' director.
    joint = bodies["joint"]
    if admin:
        members.append(
            m.BodyMember(
                body=joint, user=admin, name=_person(admin), role_label="召集人", unit="街道物业管理办"
            )
        )
    secretary, branch_user = s.users.get("demo_secretary"), s.users.get("demo_branch")
    if secretary:
        members.append(
            m.BodyMember(
                body=joint,
                user=secretary,
                name=_person(secretary),
                role_label="居民区党组织",
                unit="居民区党总支",
            )
        )
    if branch_user:
        members.append(
            m.BodyMember(
                body=joint,
                user=branch_user,
                name=_person(branch_user),
                role_label="居委会",
                unit="居民区居委会",
            )
        )
    if directors:
        members.append(
            m.BodyMember(
                body=joint,
                name=directors[0].name,
                role_label="业委会",
                unit=f"{directors[0].committee.estate.name}业委会",
            )
        )
    if companies:
        head = companies[0]
        members.append(
            m.BodyMember(
                body=joint,
                name=head.contact_name or f"{head.name}负责人",
                role_label="物业企业",
                unit=head.name,
            )
        )
    unique: dict[tuple[int, str], m.BodyMember] = {}
    for member in members:
        unique.setdefault((member.body.pk, member.name), member)
    m.BodyMember.objects.bulk_create(unique.values())
    return bodies


# (title, days from today, agenda, minutes, [(resolution, owner, due in days from the meeting, done evidence or "")])
BODY_MEETINGS = {
    "leadership": [
        (
            "领导小组第一次会议",
            -757,
            "1. 领导小组工作机制\n2. 总体推动方案和三阶段计划安排\n3. 物业公示内容和“四保”提质要求\n4. 联合党支部三权指导办法",
            "会议围绕“1+3”老旧小区物业治理模式的建立，对领导小组工作机制、总体推动方案、三阶段计划安排以及物业公示内容、"
            "“四保”提质要求、联合党支部三权指导办法进行细化研究。会议要求以考促学、专业监督、问题导向、挂图作战，"
            "在既定时间节点前实现建章立制、试点推进。",
            [
                (
                    "印发领导小组工作机制和总体推动方案",
                    "街道物业管理办",
                    30,
                    "已以街道党工委文件印发，并在居民区书记例会上传达。",
                ),
                (
                    "选取 10 个居民区先行试点组建大联合党支部",
                    "街道社区党建办",
                    120,
                    "10 个试点联合党支部已按程序组建，居委会、业委会、物业负责人纳入支部。",
                ),
            ],
        ),
        (
            "领导小组第三季度推进会",
            -70,
            "1. 32 个联合党支部组建进度\n2. 23 家业委会换届人选把关情况\n3. 物业服务质量测评与末位整改",
            "会议听取了联合党支部组建和换届人选把关情况的汇报。32 个居民区联合党支部将于 10 月底前全部组建；"
            "换届中的业委会党员占比和“两委”交叉任职占比仍低于 55% 和 40% 的目标，要求各居民区党总支加强人选把关。",
            [
                (
                    "10 月底前完成其余居民区联合党支部组建",
                    "街道社区党建办",
                    40,
                    "32 个居民区联合党支部已全部组建，支部书记由居民区党总支书记兼任。",
                ),
                ("排名靠后的 9 家物业开展“找茬”整改，形成整改清单", "街道物业管理办", 45, ""),
            ],
        ),
        (
            "领导小组第四季度推进会",
            -12,
            "1. 三阶段计划时间节点检查\n2. 业委会党员和交叉任职占比\n3. 月度简报和挂图作战",
            "会议对照三阶段计划逐项检查时间节点：联合党支部已全部组建；业委会党员占比、交叉任职占比尚未达标，"
            "交叉任职节点已超期。会议决定对未达标的换届小区逐一约谈，并在月度简报中通报。",
            [
                ("对党员占比未达标的换届小区逐一约谈居民区书记", "街道社区党建办", 20, ""),
                (
                    "月度简报增加时间节点和超期事项通报",
                    "街道物业管理办",
                    10,
                    "月度简报已增加“时间节点”一栏，11 月简报已按新格式印发。",
                ),
            ],
        ),
    ],
    "council": [
        (
            "物业企业理事会：“四保”提质和服务事项公开",
            -40,
            "1. 保洁、保绿整改情况交流\n2. 服务事项公开清单\n3. 质价相符、先质后价",
            "各理事单位交流了保洁、保绿整改情况。会议明确从居民感受度高的保洁、保绿着手，统一服务事项公开清单，"
            "提价意向须以服务质量测评结果为前提。",
            [
                ("统一服务事项公开清单，各企业在管小区全部张贴", "物业企业理事会理事长单位", 50, ""),
            ],
        ),
    ],
    "federation": [
        (
            "业委会主任联合会：维修资金使用和管理规约公开",
            -25,
            "1. 专项维修资金使用程序\n2. 《管理规约》《业主大会议事规则》公开\n3. 换届工作经验交流",
            "会议交流了专项维修资金使用中的业主表决和审价程序，要求各业委会定期公开维修资金和公共收益收支情况，"
            "尚未公开《管理规约》的小区年底前完成。",
            [
                ("尚未公开《管理规约》的小区年底前完成公开", "业委会主任联合会会长", 35, ""),
            ],
        ),
    ],
    "joint": [
        (
            "五方联席会议：跨小区停车和围栏整修",
            -18,
            "1. 相邻小区停车位整合\n2. 围栏和门头整修\n3. 责任分工和时限",
            "五方就相邻小区停车位整合和围栏整修协商一致：物业企业提出方案，业委会征求业主意见，居委会做好宣传，"
            "居民区党组织跟踪销项。",
            [
                ("物业企业提交停车位整合方案", "物业企业负责人", 14, "方案已提交，业委会正在征求业主意见。"),
            ],
        ),
    ],
}


def _body_meetings(s: _Street, bodies: dict[str, m.Body], admin) -> tuple[int, int, int]:
    meetings, resolutions, actions = 0, 0, 0
    members = defaultdict(list)
    for member in m.BodyMember.objects.filter(body__street=s.street).order_by("pk"):
        members[member.body_id].append(member)
    reasons = ("外出开会", "参加区里培训", "病假")
    for key, rows in BODY_MEETINGS.items():
        body = bodies[key]
        for title, days, agenda, minutes, decisions in rows:
            start = _at(_days(s, days), 14)
            meeting = m.Meeting.objects.create(
                street=s.street,
                body=body,
                kind=m.MeetingKind.BODY,
                title=title,
                agenda=agenda,
                place=f"{s.street.name}社区党群服务中心",
                starts_at=start,
                minutes=minutes,
                signed_off_at=start + dt.timedelta(hours=20),
                signed_off_by=admin,
                created_by=admin,
                created_at=start - dt.timedelta(days=5),
            )
            meetings += 1
            invitees = []
            for member in members[body.pk]:
                absent = s.rng.random() < 0.1
                invitees.append(
                    m.Invitee(
                        meeting=meeting,
                        body_member=member,
                        name=member.name,
                        organisation=" ".join(x for x in (member.unit, member.role_label) if x)[:80],
                        attendance="absent" if absent else "present",
                        absence_reason=s.rng.choice(reasons) if absent else "",
                    )
                )
            m.Invitee.objects.bulk_create(invitees)
            for number, (text, owner, due_in, evidence) in enumerate(decisions, start=1):
                resolution = m.Resolution.objects.create(meeting=meeting, number=number, text=text)
                resolutions += 1
                due_on = _days(s, days + due_in)
                done = bool(evidence)
                m.TrackedAction.objects.create(
                    resolution=resolution,
                    owner_label=owner,
                    due_on=due_on,
                    status=m.ActionStatus.DONE if done else m.ActionStatus.OPEN,
                    evidence=evidence,
                    closed_on=min(due_on, s.today - dt.timedelta(days=1)) if done else None,
                    closed_by=admin if done else None,
                    created_by=admin,
                    created_at=start + dt.timedelta(days=1),
                )
                actions += 1
    return meetings, resolutions, actions


def _pilots(s: _Street) -> int:
    """The seed's 10 pilot joint branches (the demo registry founded them first) and the pilot
    company under a 党建联建 agreement (the state-owned company, as 振南物业 under 浦发集团)."""
    founded = sorted((b for b in s.branches if b.founded_on), key=lambda b: (b.founded_on, b.pk))[:10]
    rows = [
        m.Pilot(
            street=s.street,
            branch=b,
            programme="先行试点大联合党支部：居委会、业委会、物业负责人按程序纳入支部，非党负责人列席；"
            "推动“四保”服务、账目公开等问题在支部会议上摆上桌面。",
            since=b.founded_on,
        )
        for b in founded
    ]
    from gongzhi.branchwork.partnerships import demo_pilot_company

    company = demo_pilot_company(s.street)  # state-owned, never a bottom-N company
    if company is not None:
        rows.append(
            m.Pilot(
                street=s.street,
                company=company,
                agreement="党建联建协议",
                programme="以提质增效和经费公开为基础的推进方案：在管老旧小区统一“四保”标准，按季公开物业费收支，"
                "区域化集中管理。",
                since=_days(s, -700),
            )
        )
    m.Pilot.objects.bulk_create(rows)
    return len(rows)


def _plan(s: _Street, admin) -> int:
    plan = m.WorkPlan.objects.create(street=s.street, title="党建引领物业治理三阶段工作计划")
    stages = [
        m.PlanStage(
            plan=plan,
            number=1,
            title="建章立制·试点推进",
            goal="建立领导小组工作机制和制度；10 个联合党支部、1 家物业企业先行试点。",
            starts_on=_days(s, -826),
            ends_on=_days(s, -524),
        ),
        m.PlanStage(
            plan=plan,
            number=2,
            title="整体启动·组织优化",
            goal="32 个居民区联合党支部全部组建并规范运行；业委会换届人选把关，党员占比 55%、交叉任职占比 40%。",
            starts_on=_days(s, -523),
            ends_on=_days(s, 115),
        ),
        m.PlanStage(
            plan=plan,
            number=3,
            title="党建引领·良性态势",
            goal="质价相符、优胜劣汰机制常态运行，居民满意度持续提升，形成良性竞争态势。",
            starts_on=_days(s, 116),
            ends_on=_days(s, 390),
        ),
    ]
    m.PlanStage.objects.bulk_create(stages)
    one, two, three = stages
    M = m.Metric
    rows = [
        (
            one,
            "印发领导小组工作机制和总体推动方案",
            "街道物业管理办",
            -727,
            M.MANUAL,
            -730,
            "街道党工委文件印发，见领导小组第一次会议决议 1。",
        ),
        (
            one,
            "联合党支部运行制度和三权指导办法出台",
            "街道社区党建办",
            -640,
            M.MANUAL,
            -650,
            "《物业治理联合党支部运行制度》已印发各居民区。",
        ),
        (
            one,
            "签订党建联建协议，确定试点物业企业",
            "街道物业管理办",
            -600,
            M.MANUAL,
            -700,
            "与国企物业签订党建联建协议，形成推进方案。",
        ),
        (one, "10 个试点联合党支部组建", "街道社区党建办", -560, M.PILOT_BRANCHES, None, ""),
        (
            two,
            "引入第三方开展物业服务质量测评",
            "街道物业管理办",
            -160,
            M.MANUAL,
            -170,
            "第三方测评机构完成首轮测评，结果已在领导小组会议通报。",
        ),
        (two, "32 个居民区联合党支部全部组建", "街道社区党建办", -36, M.BRANCHES_FORMED, None, ""),
        (two, "业委会“两委”交叉任职占比达到 40%（全街道）", "街道社区党建办", -6, M.OC_CROSS_SHARE, None, ""),
        (two, "末位 9 家物业“找茬”整改验收", "街道物业管理办", 9, M.MANUAL, None, ""),
        (two, "业委会党员占比达到 55%（全街道）", "街道社区党建办", 25, M.OC_PARTY_SHARE, None, ""),
        (two, "全部居民区常态公示物业费收支", "街道物业管理办", 56, M.MANUAL, None, ""),
        (three, "每年一次议价会议制度覆盖全部小区", "物业企业理事会", 205, M.MANUAL, None, ""),
        (three, "末 3 家物业淘汰退出，优质物业扩大服务规模", "街道物业管理办", 300, M.MANUAL, None, ""),
        (three, "居民对物业服务满意度较上年提升", "领导小组办公室", 390, M.MANUAL, None, ""),
    ]
    m.Milestone.objects.bulk_create(
        [
            m.Milestone(
                stage=stage,
                title=title,
                owner_label=owner,
                due_on=_days(s, due),
                metric=metric,
                done_on=_days(s, done) if done is not None else None,
                evidence=evidence,
                ticked_by=admin if done is not None else None,
            )
            for stage, title, owner, due, metric, done, evidence in rows
        ]
    )
    return len(rows)
