"""The demo street's branch work (DESIGN.md §8): a live picture of the joint party branches.

Written after the registry, the logins and the problem history, as a pure function of (seed,
today) and the loaded street, in a handful of bulk inserts:

- three weeks (and this one) of meetings in every area: two branch meetings a week where the branch keeps its
  rhythm (a few areas miss some, so the street's table shows red), owners'-committee meetings
  every 6–9 weeks with the day the decisions were posted (a few late), and in the demo
  secretary's area one meeting of every kind with agenda, attendance, minutes and resolutions;
- resolutions of joint meetings and hearings linked to the problem history's meeting/hearing
  problems of the same area (ResolutionAction), so the meeting page shows live statuses — the
  demo reuses those rows rather than writing problems of its own;
- two weeks of daily patrols by the voting members (nearly every day, less in a few branches; patrol-source
  problems of the history become the findings of the patrol of that day and area);
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
from collections import defaultdict
from random import Random

from django.db import transaction
from django.utils import timezone

from gongzhi.branchwork import models as m
from gongzhi.core.models import Role, RoleGrant
from gongzhi.problems.models import Problem, Source
from gongzhi.registry import models as r

WEEKS = 3
PATROL_DAYS = 15
ROSTER_DAYS = 14

RATING_GROUPS = {
    "保洁": ["楼道清扫", "垃圾清运", "道路保洁", "公共部位消毒", "垃圾分类引导"],
    "保绿": ["草坪修剪", "树木修枝", "病虫害防治", "绿地补种", "枯枝清理"],
    "保安": ["门岗值守", "夜间巡逻", "车辆管理", "外来人员登记", "消防通道管理"],
    "保修": ["报修响应速度", "维修质量", "公共照明", "水泵房维护", "电梯与门禁"],
}
MINUTES = (
    "一、通报本周日巡发现的问题及整改进度;\n二、各方汇报“四保”服务情况;\n"
    "三、研究下周重点工作,明确责任人和完成时限。"
)


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


@transaction.atomic
def demo_create(*, street, seed, today, users) -> dict[str, int]:
    rng = Random(f"branchwork-{seed}")
    demo_area_id = _demo_area(users)
    secretary = users.get("demo_secretary")
    member_user = users.get("demo_branch")
    branches = list(
        r.Branch.objects.filter(area__street=street).select_related("area").order_by("area__name")
    )
    members_by_branch: dict[int, list[r.BranchMember]] = defaultdict(list)
    for member in r.BranchMember.objects.filter(branch__area__street=street).order_by("branch_id", "pk"):
        members_by_branch[member.branch_id].append(member)
    estates_by_area: dict[int, list[r.Estate]] = defaultdict(list)
    for estate in r.Estate.objects.filter(area__street=street).order_by("name"):
        estates_by_area[estate.area_id].append(estate)
    committee_estates = set(
        r.OwnersCommittee.objects.filter(
            estate__area__street=street, term_start__lte=today, term_end__gte=today
        ).values_list("estate_id", flat=True)
    )
    m.RhythmRule.objects.create(street=street)
    # The picture ends when "today" begins (like the problem history), so it is the same whenever
    # it is loaded that day; only the duty roster and one meeting lie ahead.
    cutoff = _at(today, 0)
    monday = today - dt.timedelta(days=today.weekday())
    # A few branches fall behind so the street's table has red cells (deterministic by seed).
    lax = {b.pk for b in rng.sample(branches, k=min(5, len(branches)))}

    meetings: list[m.Meeting] = []
    meeting_estates: list[tuple[int, list[r.Estate]]] = []  # index in ``meetings`` → estates
    plan: list[dict] = []  # per meeting: attendance/resolution plan, aligned with ``meetings``

    def add(branch, kind, title, start, estates, *, signed=True, **extra):
        meetings.append(
            m.Meeting(
                branch=branch,
                kind=kind,
                title=title,
                agenda=extra.pop("agenda", "1. 本周问题清单销项情况\n2. 日巡发现问题\n3. 下周工作安排"),
                place=extra.pop("place", f"{branch.area.name}党群服务站"),
                starts_at=start,
                minutes=MINUTES if signed else "",
                signed_off_at=start + dt.timedelta(hours=20) if signed else None,
                signed_off_by=secretary if signed and branch.area_id == demo_area_id else None,
                created_by=secretary if branch.area_id == demo_area_id else None,
                created_at=start - dt.timedelta(days=3),
                **extra,
            )
        )
        meeting_estates.append((len(meetings) - 1, estates))
        plan.append({"signed": signed})

    for branch in branches:
        estates = estates_by_area[branch.area_id]
        for week in range(WEEKS, -1, -1):
            week_monday = monday - dt.timedelta(days=7 * week)
            for slot, (weekday, hour) in enumerate(((1, 9), (4, 14))):
                day = week_monday + dt.timedelta(days=weekday)
                if day >= today or (branch.pk in lax and rng.random() < 0.45):
                    continue
                start = _at(day, hour, 30 * rng.randint(0, 1))
                signed = start + dt.timedelta(hours=20) < cutoff
                add(
                    branch,
                    m.MeetingKind.BRANCH,
                    f"第{week_monday.isocalendar()[1]}周第{slot + 1}次支部工作例会",
                    start,
                    estates[:2],
                    signed=signed,
                )
        for estate in estates:
            if estate.pk not in committee_estates:
                continue
            day = today - dt.timedelta(days=rng.randint(5, 40))
            for _round in range(2):
                start = _at(day, 19)
                late = rng.random() < 0.15
                posted = day + dt.timedelta(days=rng.randint(4, 6) if late else rng.randint(0, 3))
                add(
                    branch,
                    m.MeetingKind.OWNERS_COMMITTEE,
                    f"{estate.name}业委会例会",
                    start,
                    [estate],
                    decisions_posted_on=posted if posted <= today else None,
                )
                day -= dt.timedelta(days=rng.randint(42, 63))

    # Meetings that produced the problem history's meeting/hearing problems: one per area, day and
    # source, 90 minutes before the first of them, whose resolutions are those problems.
    area_of_estate = {e.pk: area_id for area_id, es in estates_by_area.items() for e in es}
    branch_of_area = {b.area_id: b for b in branches}
    groups: dict[tuple[int, dt.date, str], list[Problem]] = defaultdict(list)
    for problem in Problem.objects.filter(
        estate__area__street=street,
        source__in=[Source.MEETING, Source.HEARING],
        created_at__gte=_at(today - dt.timedelta(days=7 * 8), 0),
        created_at__lt=cutoff,
    ).order_by("created_at", "pk"):
        day = timezone.localtime(problem.created_at).date()
        groups[(area_of_estate[problem.estate_id], day, problem.source)].append(problem)
    linked: list[tuple[int, list[Problem]]] = []  # meeting index → problems
    hearing_index = None
    for (area_id, _day, source), problems in sorted(groups.items(), key=lambda kv: kv[1][0].created_at):
        branch = branch_of_area[area_id]
        first = problems[0].created_at - dt.timedelta(minutes=90)
        if source == Source.MEETING:
            kind, title = m.MeetingKind.JOINT, "五方联席会议:问题清单逐项落实"
        else:
            kind = m.MeetingKind.HEARING if rng.random() < 0.5 else m.MeetingKind.FORUM
            title = "物业服务听证会" if kind == m.MeetingKind.HEARING else "居民座谈会"
        involved = sorted({p.estate_id for p in problems})
        add(
            branch,
            kind,
            title,
            first,
            [e for e in estates_by_area[area_id] if e.pk in involved],
            agenda="1. 听取居民意见\n2. 物业公司说明整改计划\n3. 形成决议并明确时限",
        )
        linked.append((len(meetings) - 1, problems[:5]))
        if area_id == demo_area_id and kind == m.MeetingKind.HEARING:
            hearing_index = len(meetings) - 1

    # The demo secretary's area shows every kind; the hearing holds the Yuntai-2 rating.
    demo_branch = branch_of_area.get(demo_area_id)
    open_resolutions: list[tuple[int, str]] = []
    if demo_branch is not None:
        estates = estates_by_area[demo_branch.area_id]
        specials = [
            (m.MeetingKind.COORDINATION, "与物业公司协调会:半个月内完成整改", 16, 15),
            (m.MeetingKind.PRICE, "年度议价会议(先质后价)", 20, 14),
            (m.MeetingKind.FORUM, "居民座谈会:垃圾分类与保洁", 12, 19),
        ]
        if hearing_index is None:
            specials.append((m.MeetingKind.HEARING, "物业服务听证会(四大类 20 项现场测评)", 9, 19))
        for kind, title, days_ago, hour in specials:
            add(
                demo_branch,
                kind,
                title,
                _at(today - dt.timedelta(days=days_ago), hour),
                estates,
                agenda="1. 听取居民意见\n2. 物业公司说明整改计划\n3. 形成决议并明确时限",
            )
            open_resolutions.append(
                (len(meetings) - 1, "物业公司半个月内完成整改,业委会进一步召开会议拿出具体办法。")
            )
            if kind == m.MeetingKind.HEARING:
                hearing_index = len(meetings) - 1
        add(
            demo_branch,
            m.MeetingKind.BRANCH,
            "下周支部工作例会",
            _at(today + dt.timedelta(days=2), 9),
            estates[:1],
            signed=False,
        )
        hearing = meetings[hearing_index]
        if hearing.signed_off_at is None:  # held late yesterday: signed off in the evening
            hearing.signed_off_at, hearing.minutes = hearing.starts_at + dt.timedelta(hours=3), MINUTES
            plan[hearing_index]["signed"] = True
        hearing.title = "物业服务听证会(四大类 20 项现场测评)"
        hearing.public_summary = (
            "听证会围绕保洁、保绿、保安、保修四大类 20 个事项进行现场无记名测评。"
            "居民对门岗值守和报修响应意见较多,物业公司承诺半个月内完成整改,联合党支部逐项跟踪销项。"
        )
        hearing.published_at = hearing.signed_off_at
        for meeting in meetings:
            if (
                meeting.branch.area_id == demo_area_id
                and meeting.kind == m.MeetingKind.FORUM
                and meeting.signed_off_at
            ):
                meeting.public_summary = (
                    "座谈会听取了居民对垃圾分类和保洁的意见,形成决议,已转入问题清单跟踪。"
                )
                meeting.published_at = meeting.signed_off_at
                break

    m.Meeting.objects.bulk_create(meetings, batch_size=500)
    through = m.Meeting.estates.through
    through.objects.bulk_create(
        [
            through(meeting_id=meetings[i].pk, estate_id=e.pk)
            for i, estates in meeting_estates
            for e in estates
        ],
        batch_size=1000,
    )

    # Attendance: the voting members and the non-voting heads; a few absent with a reason.
    invitees = []
    reasons = ("外出开会", "病假", "参加区里培训", "值班")
    for meeting, info in zip(meetings, plan, strict=True):
        for member in members_by_branch[meeting.branch_id]:
            if meeting.kind == m.MeetingKind.OWNERS_COMMITTEE and member.organisation not in (
                "owners_committee",
                "party",
            ):
                continue
            absent = info["signed"] and rng.random() < 0.08
            invitees.append(
                m.Invitee(
                    meeting=meeting,
                    member=member,
                    name=member.name,
                    organisation=member.position or member.get_organisation_display(),
                    non_voting=member.membership != "member",
                    attendance="absent" if absent else ("present" if info["signed"] else "unknown"),
                    absence_reason=rng.choice(reasons) if absent else "",
                )
            )
    m.Invitee.objects.bulk_create(invitees, batch_size=1000)

    # Resolutions: the linked problems (each a ResolutionAction), and an open one for the demo
    # area's other meetings, waiting for the secretary to hand it over.
    resolutions, links = [], []
    for index, problems in linked:
        for number, problem in enumerate(problems, start=1):
            text = problem.description.split(":", 1)[-1]
            resolutions.append(
                m.Resolution(
                    meeting=meetings[index], number=number, text=text[:1000], estate_id=problem.estate_id
                )
            )
            links.append(problem)
    for index, text in open_resolutions:
        resolutions.append(m.Resolution(meeting=meetings[index], number=1, text=text, estate=None))
        links.append(None)
    m.Resolution.objects.bulk_create(resolutions, batch_size=500)
    actions = [
        m.ResolutionAction(resolution=res, problem=problem, created_at=problem.created_at)
        for res, problem in zip(resolutions, links, strict=True)
        if problem is not None
    ]
    m.ResolutionAction.objects.bulk_create(actions, batch_size=500)

    rating_counts = _rating(rng, meetings[hearing_index]) if hearing_index is not None else {}

    # Patrols: each voting member on nearly every day (lax branches: about two days in three).
    patrols, patrol_estates = [], []
    for branch in branches:
        estates = estates_by_area[branch.area_id]
        voting = [mb for mb in members_by_branch[branch.pk] if mb.membership == "member"]
        share = 0.65 if branch.pk in lax else 0.985
        for back in range(PATROL_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            for member in voting:
                if rng.random() > share:
                    continue
                start = _at(day, rng.choice((7, 8, 9, 16, 17)), rng.choice((0, 15, 30, 45)))
                recorder = (
                    member_user
                    if branch.area_id == demo_area_id and member.organisation == "residents_committee"
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
                        route_note=rng.choice(("", "东门—中心绿地—北门", "沿围墙一圈,重点看车棚", "")),
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
    findings = []
    since = today - dt.timedelta(days=PATROL_DAYS)
    for problem in Problem.objects.filter(
        estate__area__street=street, source=Source.PATROL, created_at__date__gte=since
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

    # Security log: a week of morning plans and evening reviews for the demo area's estates.
    company_user = users.get("demo_company")
    logs = []
    for estate in estates_by_area.get(demo_area_id, []):
        for back in range(6, -1, -1):
            day = today - dt.timedelta(days=back)
            for shift, text in (
                (m.Shift.MORNING, "早班:东西门岗各一人,车辆引导一人;重点检查消防通道和非机动车棚充电。"),
                (m.Shift.EVENING, "晚间点评:门岗登记规范;北门车辆乱停已劝离;明日加强夜间巡逻。"),
            ):
                if back == 0 and shift == m.Shift.EVENING:
                    continue
                comment = "消防通道保持畅通,继续保持。" if rng.random() < 0.4 else ""
                logs.append(
                    m.SecurityLog(
                        estate=estate,
                        day=day,
                        shift=shift,
                        text=text,
                        author=company_user,
                        author_label=str(company_user) if company_user else "物业公司保安队长",
                        branch_comment=comment,
                        commented_by_label="联合党支部" if comment else "",
                        created_at=_at(day, 8 if shift == m.Shift.MORNING else 20),
                    )
                )
    m.SecurityLog.objects.bulk_create(logs)

    # Duty board: every member gets a public card; each area a roster from today for two weeks.
    profiles, shifts = [], []
    for branch in branches:
        members = members_by_branch[branch.pk]
        for member in members:
            profiles.append(
                m.DutyProfile(
                    member=member,
                    role_label=member.position or member.get_organisation_display(),
                    commitment="亮身份、亮承诺、亮职责:来访必接、有问必答、事事有回音。",
                    duties="接待来访居民,登记诉求,转交问题清单跟踪销项。",
                )
            )
        if not members:
            continue
        offset = rng.randrange(len(members))
        for day_index in range(ROSTER_DAYS):
            member = members[(offset + day_index) % len(members)]
            shifts.append(
                m.DutyShift(area_id=branch.area_id, day=today + dt.timedelta(days=day_index), member=member)
            )
    m.DutyProfile.objects.bulk_create(profiles, batch_size=1000)
    m.DutyShift.objects.bulk_create(shifts, batch_size=1000)

    receptions = []
    matters = (
        ("3号楼王阿姨", "楼道里电动车充电,担心起火。", "已通知物业当天清理,并在楼道张贴提示。"),
        ("12号楼居民", "询问维修资金使用公示在哪里查看。", "告知公示栏位置和手机公开页。"),
        ("", "北门夜间路灯不亮。", "已转物业维修。"),
        ("5号楼张先生", "物业费上调的依据是什么?", "解释先质后价和年度议价会议安排。"),
    )
    for index, (visitor, matter, answer) in enumerate(matters):
        receptions.append(
            m.Reception(
                area_id=demo_area_id or branches[0].area_id,
                estate=(estates_by_area.get(demo_area_id) or [None])[0],
                received_at=_at(today - dt.timedelta(days=1 + index * 2), 10),
                visitor=visitor,
                matter=matter,
                answer=answer,
                receiver_label=str(member_user) if member_user else "值班人员",
                recorded_by=member_user,
            )
        )
    m.Reception.objects.bulk_create(receptions)

    return {
        "branch_meetings": len(meetings),
        "meeting_invitees": len(invitees),
        "meeting_resolutions": len(resolutions),
        "resolution_actions": len(actions),
        "patrols": len(patrols),
        "patrol_findings": len(findings),
        "security_logs": len(logs),
        "duty_shifts": len(shifts),
        "duty_profiles": len(profiles),
        "receptions": len(receptions),
        **rating_counts,
    }


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
        m.ResolutionAction.objects.filter(resolution__meeting__branch__area__street=street),
        m.RatingScore.objects.filter(ballot__session__meeting__branch__area__street=street),
        m.RatingSession.objects.filter(meeting__branch__area__street=street),
        m.Meeting.objects.filter(branch__area__street=street),
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
        m.Meeting.objects.filter(branch__area__street=street).values_list(
            "branch__area__name",
            "kind",
            "title",
            "starts_at",
            "signed_off_at",
            "decisions_posted_on",
            "published_at",
        ),
        m.Invitee.objects.filter(meeting__branch__area__street=street).values_list(
            "meeting__title", "meeting__starts_at", "name", "attendance", "absence_reason"
        ),
        m.Resolution.objects.filter(meeting__branch__area__street=street).values_list(
            "meeting__title", "meeting__starts_at", "number", "text", "action__problem__created_at"
        ),
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
        m.RatingScore.objects.filter(ballot__session__meeting__branch__area__street=street).values_list(
            "item__label", "level"
        ),
        m.Reception.objects.filter(area__street=street).values_list("received_at", "matter"),
    ]
    for query in queries:
        for row in sorted(query, key=repr):
            digest.update(repr(row).encode())
    return digest.hexdigest()
