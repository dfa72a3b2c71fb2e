"""Writes of the branch's work. Each service checks its actor (permissions.py), validates in
plain Chinese (BranchworkError), writes, and records an AuditEvent in the same transaction.

Hand-over to the problem tracker goes through ``gongzhi.problems.services.problem_report`` (and
``problem_accept`` for meeting resolutions, so the tracker's category deadline and carriage rules
apply): the branch never writes Problem rows itself."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.branchwork import permissions, rules
from gongzhi.branchwork.models import (
    PUBLIC_KINDS,
    ActionStatus,
    Addendum,
    Attendance,
    Body,
    BodyKind,
    BodyMember,
    DutyProfile,
    DutyShift,
    Invitee,
    Meeting,
    MeetingKind,
    Metric,
    Milestone,
    Patrol,
    PatrolFinding,
    Pilot,
    PlanStage,
    RatingBallot,
    RatingItem,
    RatingScore,
    RatingSession,
    RatingToken,
    Reception,
    Resolution,
    ResolutionAction,
    RhythmRule,
    SecurityLog,
    Shift,
    TrackedAction,
    WorkPlan,
)
from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.errors import UserError
from gongzhi.core.images import ImageRejected, clean_image
from gongzhi.core.models import AuditEvent
from gongzhi.core.uploads import UploadRejected, clean_document
from gongzhi.problems import services as problem_services
from gongzhi.problems.models import Category, Problem, Source
from gongzhi.registry.models import Area, Branch, BranchMember, Estate, Street

CREATE, UPDATE, DELETE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE
MAX_GUESTS = 30
MAX_RATING_ITEMS = 40
MAX_TOKENS = 500


class BranchworkError(UserError):
    """A refusal the user can act on; ``message`` is plain Chinese."""


def _text(value: str, *, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise BranchworkError(_("请填写%(label)s。") % {"label": label})
    if len(value) > max_length:
        raise BranchworkError(_("%(label)s不能超过 %(n)d 字。") % {"label": label, "n": max_length})
    return value


# ---- rhythm rules ----------------------------------------------------------------------------------


def rhythm_rule_for(street_id: int) -> RhythmRule:
    """The street's rules, or the defaults (unsaved) while it has none."""
    return RhythmRule.objects.filter(street_id=street_id).first() or RhythmRule(street_id=street_id)


@transaction.atomic
def rhythm_rule_update(
    *,
    actor,
    street: Street,
    patrol_days_per_week: int,
    branch_meetings_per_week: int,
    oc_meeting_interval_months: int,
    oc_decision_post_days: int,
) -> RhythmRule:
    if not permissions.is_street_admin_of(actor, street.pk):
        raise PermissionDenied
    checks = [
        (patrol_days_per_week, 0, 7, _("每名成员每周巡查天数")),
        (branch_meetings_per_week, 0, 14, _("每周支部会议次数")),
        (oc_meeting_interval_months, 1, 12, _("业委会会议最长间隔（月）")),
        (oc_decision_post_days, 1, 30, _("业委会决定公告期限（日）")),
    ]
    for value, low, high, label in checks:
        if not low <= value <= high:
            raise BranchworkError(
                _("%(label)s应在 %(low)d 到 %(high)d 之间。") % {"label": label, "low": low, "high": high}
            )
    rule = RhythmRule.objects.select_for_update().filter(street=street).first() or RhythmRule(street=street)
    before = snapshot(rule) if rule.pk else {}
    rule.patrol_days_per_week = patrol_days_per_week
    rule.branch_meetings_per_week = branch_meetings_per_week
    rule.oc_meeting_interval_months = oc_meeting_interval_months
    rule.oc_decision_post_days = oc_decision_post_days
    rule.save()
    audit_record(
        actor=actor,
        action=UPDATE if before else CREATE,
        obj=rule,
        street_id=street.pk,
        changes=diff(before, snapshot(rule)),
    )
    return rule


# ---- meetings --------------------------------------------------------------------------------------


def _check_meeting_fields(*, kind: str, title: str, agenda: str, place: str, starts_at) -> dict:
    if kind not in MeetingKind.values:
        raise BranchworkError(_("请选择会议类型。"))
    if starts_at is None:
        raise BranchworkError(_("请填写开始时间。"))
    # A meeting is recorded afterwards or planned ahead, never in year 1 (the database cannot even store it).
    this_year = timezone.localdate().year
    if not 1990 <= starts_at.year <= this_year + 5:
        raise BranchworkError(_("开始时间应在 1990 年至 %(last)s 年之间。") % {"last": this_year + 5})
    return {
        "kind": kind,
        "title": _text(title, label=_("会议名称"), max_length=100),
        "agenda": _text(agenda, label=_("议程"), max_length=3000, required=False),
        "place": _text(place, label=_("地点"), max_length=100),
        "starts_at": starts_at,
    }


def _check_estates(branch: Branch | None, estates: Iterable[Estate], *, street_id: int) -> list[Estate]:
    """A branch meeting's estates lie in its area; a body meeting's anywhere in its street."""
    estates = list(estates)
    for estate in estates:
        _check_estate(branch, estate, street_id=street_id)
    return estates


def _check_estate(branch: Branch | None, estate: Estate, *, street_id: int) -> None:
    if branch is not None:
        if estate.area_id != branch.area_id:
            raise BranchworkError(_("小区“%(name)s”不在本居民区。") % {"name": estate.name})
    elif estate.area.street_id != street_id:
        raise BranchworkError(_("小区“%(name)s”不在本街道。") % {"name": estate.name})


def _parse_guests(lines: str) -> list[tuple[str, str]]:
    """One non-voting guest per line: "姓名" or "姓名 单位/职务"."""
    guests = []
    for number, line in enumerate((lines or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _sep, organisation = line.replace(",", " ").replace(",", " ").partition(" ")
        if len(name) > 60 or len(organisation.strip()) > 80:
            raise BranchworkError(
                _("列席人员第 %(n)d 行太长（姓名 60 字、单位 80 字以内）。") % {"n": number}
            )
        guests.append((name, organisation.strip()))
    if len(guests) > MAX_GUESTS:
        raise BranchworkError(_("列席人员最多 %(n)d 人。") % {"n": MAX_GUESTS})
    return guests


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    branch: Branch,
    kind: str,
    title: str,
    agenda: str = "",
    place: str,
    starts_at: dt.datetime,
    estates: Iterable[Estate] = (),
    members: Iterable[BranchMember] = (),
    guests: str = "",
) -> Meeting:
    """Schedule a meeting with its invited members (支部成员 vote; 列席 members and guests do not)."""
    permissions.require_secretary(actor, branch.area_id)
    fields = _check_meeting_fields(kind=kind, title=title, agenda=agenda, place=place, starts_at=starts_at)
    if kind == MeetingKind.BODY:
        raise BranchworkError(_("请选择会议类型。"))
    estates = _check_estates(branch, estates, street_id=branch.area.street_id)
    members = list(members)
    for member in members:
        if member.branch_id != branch.pk:
            raise BranchworkError(_("“%(name)s”不是本支部成员。") % {"name": member.name})
    guest_rows = _parse_guests(guests)
    names = [m.name for m in members] + [g[0] for g in guest_rows]
    if len(set(names)) != len(names):
        raise BranchworkError(_("参会人员中有重名，请区分（如加上单位）。"))
    meeting = Meeting.objects.create(
        street_id=branch.area.street_id, branch=branch, created_by=actor, **fields
    )
    meeting.estates.set(estates)
    Invitee.objects.bulk_create(
        [
            Invitee(
                meeting=meeting,
                member=m,
                name=m.name,
                organisation=m.position or m.get_organisation_display(),
                non_voting=m.membership != "member",
            )
            for m in members
        ]
        + [Invitee(meeting=meeting, name=n, organisation=o, non_voting=True) for n, o in guest_rows]
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=meeting,
        street_id=branch.area.street_id,
        changes={"kind": kind, "starts_at": starts_at.isoformat(), "invitees": names},
    )
    return meeting


def _branch_of(meeting: Meeting) -> Branch:
    """The organising branch of a branch meeting (hand-over, rating: branch meetings only)."""
    if meeting.branch is None:
        raise BranchworkError(_("机构会议的决议请设为跟踪落实事项。"))
    return meeting.branch


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("branch__area", "body")
        .get(pk=meeting.pk)
    )


def _require_unlocked(meeting: Meeting) -> None:
    if meeting.locked:
        raise BranchworkError(_("会议已签发，出席和纪要已锁定；如需更正，请添加补充说明。"))


@transaction.atomic
def meeting_update(
    *, actor, meeting: Meeting, title: str, agenda: str, place: str, starts_at, estates: Iterable[Estate]
) -> Meeting:
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    _require_unlocked(locked)
    before = snapshot(locked)
    fields = _check_meeting_fields(
        kind=locked.kind, title=title, agenda=agenda, place=place, starts_at=starts_at
    )
    estates = _check_estates(locked.branch, estates, street_id=locked.street_id)
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.save()
    locked.estates.set(estates)
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.street_id,
        changes=diff(before, snapshot(locked)),
    )
    return locked


@transaction.atomic
def meeting_record_attendance(*, actor, meeting: Meeting, rows: Mapping[int, tuple[str, str]]) -> Meeting:
    """``rows``: invitee id → (attendance, absence reason). All rows or none are saved."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    _require_unlocked(locked)
    invitees = {i.pk: i for i in locked.invitees.all()}
    changes = {}
    for invitee_id, (attendance, reason) in rows.items():
        invitee = invitees.get(invitee_id)
        if invitee is None:
            raise BranchworkError(_("参会人员不属于本次会议。"))
        if attendance not in Attendance.values:
            raise BranchworkError(_("“%(name)s”的出席情况无效。") % {"name": invitee.name})
        reason = (reason or "").strip()
        if attendance == Attendance.ABSENT and not reason:
            raise BranchworkError(_("“%(name)s”缺席，请写明原因。") % {"name": invitee.name})
        if len(reason) > 200:
            raise BranchworkError(_("“%(name)s”的缺席原因不能超过 200 字。") % {"name": invitee.name})
        if attendance != Attendance.ABSENT:
            reason = ""
        if (invitee.attendance, invitee.absence_reason) != (attendance, reason):
            changes[invitee.name] = [invitee.attendance, attendance]
            invitee.attendance, invitee.absence_reason = attendance, reason
    Invitee.objects.bulk_update(invitees.values(), ["attendance", "absence_reason"])
    if changes:
        audit_record(
            actor=actor,
            action=UPDATE,
            obj=locked,
            street_id=locked.street_id,
            changes={"attendance": changes},
        )
    return locked


@transaction.atomic
def meeting_record_minutes(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    _require_unlocked(locked)
    minutes = _text(minutes, label=_("会议纪要"), max_length=20000, required=False)
    if minutes != locked.minutes:
        audit_record(
            actor=actor,
            action=UPDATE,
            obj=locked,
            street_id=locked.street_id,
            changes={"minutes": [len(locked.minutes), len(minutes)]},
        )
        locked.minutes = minutes
        locked.save(update_fields=["minutes"])
    return locked


@transaction.atomic
def resolution_add(
    *, actor, meeting: Meeting, text: str, estate: Estate | None = None, needs_action: bool = True
) -> Resolution:
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    _require_unlocked(locked)
    text = _text(text, label=_("决议内容"), max_length=1000)
    if estate is not None:
        _check_estate(locked.branch, estate, street_id=locked.street_id)
    number = (locked.resolutions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    resolution = Resolution.objects.create(
        meeting=locked, number=number, text=text, estate=estate, needs_action=needs_action
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=resolution,
        street_id=locked.street_id,
        changes={"meeting": locked.pk, "text": text},
    )
    return resolution


@transaction.atomic
def resolution_hand_over(
    *, actor, resolution: Resolution, category: Category, estate: Estate | None = None
) -> tuple[ResolutionAction, str]:
    """Turn a resolution into a tracked problem (source: meeting, or hearing for hearings and
    forums) and accept it at once, so the tracker's deadline rules for the category apply. If
    the tracker cannot assign it yet (e.g. no company under contract), the problem stays
    reported for the branch to assign; the second value then says why."""
    resolution = (
        Resolution.objects.select_for_update(of=("self",))
        .select_related("meeting__branch__area")
        .get(pk=resolution.pk)
    )
    meeting = resolution.meeting
    permissions.require_meeting_manager(actor, meeting)
    if meeting.branch_id is None:
        raise BranchworkError(_("机构会议的决议请设为跟踪落实事项。"))
    if TrackedAction.objects.filter(resolution=resolution).exists():
        raise BranchworkError(_("该决议已设为跟踪落实事项。"))
    if ResolutionAction.objects.filter(resolution=resolution).exists():
        raise BranchworkError(_("该决议已转为问题跟踪。"))
    if not resolution.needs_action:
        raise BranchworkError(_("该决议无需落实，不能转为问题。"))
    estate = estate or resolution.estate
    if estate is None:
        raise BranchworkError(_("请选择决议涉及的小区。"))
    if estate.area_id != _branch_of(meeting).area_id:
        raise BranchworkError(_("小区“%(name)s”不在本居民区。") % {"name": estate.name})
    source = Source.HEARING if meeting.kind in PUBLIC_KINDS else Source.MEETING
    description = _("%(kind)s“%(title)s”（%(day)s）决议 %(n)d:%(text)s") % {
        "kind": meeting.get_kind_display(),
        "title": meeting.title,
        "day": timezone.localtime(meeting.starts_at).date().isoformat(),
        "n": resolution.number,
        "text": resolution.text,
    }
    try:
        problem = problem_services.problem_report(
            actor=actor, estate=estate, category=category, description=description[:1000], source=source
        )
    except problem_services.ProblemError as exc:
        raise BranchworkError(exc.message) from exc
    note = ""
    try:
        with transaction.atomic():
            problem = problem_services.problem_accept(
                actor=actor, problem=problem, note=_("会议决议，转入问题跟踪。")
            )
    except problem_services.ProblemError as exc:
        note = exc.message
    if resolution.estate_id is None:
        resolution.estate = estate
        resolution.save(update_fields=["estate"])
    action = ResolutionAction.objects.create(resolution=resolution, problem=problem)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=action,
        street_id=meeting.street_id,
        changes={"resolution": resolution.pk, "problem": problem.number},
    )
    return action, note


@transaction.atomic
def meeting_sign_off(*, actor, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """The secretary signs off: attendance and minutes are locked from now on."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    _require_unlocked(locked)
    if not locked.minutes.strip():
        raise BranchworkError(_("请先填写会议纪要再签发。"))
    open_rows = [i.name for i in locked.invitees.all() if i.attendance == Attendance.UNKNOWN]
    if open_rows:
        raise BranchworkError(_("以下人员尚未登记出席情况：%(names)s。") % {"names": "、".join(open_rows)})
    moment = now or timezone.now()
    if moment < locked.starts_at:
        raise BranchworkError(_("会议尚未开始，不能签发。"))
    locked.signed_off_at, locked.signed_off_by = moment, actor
    locked.save(update_fields=["signed_off_at", "signed_off_by"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.street_id,
        changes={"signed_off_at": [None, moment.isoformat()]},
    )
    return locked


@transaction.atomic
def addendum_add(*, actor, meeting: Meeting, text: str) -> Addendum:
    """A correction after sign-off — appended with author and time, never edited or deleted."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    if not locked.locked:
        raise BranchworkError(_("会议尚未签发，请直接修改纪要。"))
    text = _text(text, label=_("补充说明"), max_length=3000)
    addendum = Addendum.objects.create(meeting=locked, text=text, author=actor, author_label=str(actor))
    audit_record(
        actor=actor,
        action=CREATE,
        obj=addendum,
        street_id=locked.street_id,
        changes={"meeting": locked.pk, "text": text},
    )
    return addendum


@transaction.atomic
def meeting_publish(*, actor, meeting: Meeting, summary: str, now: dt.datetime | None = None) -> Meeting:
    """Publish a hearing's or forum's outcome summary on the area's public page (after sign-off)."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    if locked.kind not in PUBLIC_KINDS:
        raise BranchworkError(_("只有听证会和座谈会的结果可以公开。"))
    if not locked.locked:
        raise BranchworkError(_("请先签发会议纪要，再公开结果。"))
    summary = _text(summary, label=_("公开结果摘要"), max_length=3000)
    before = {"public_summary": locked.public_summary}
    locked.public_summary = summary
    locked.published_at = locked.published_at or now or timezone.now()
    locked.save(update_fields=["public_summary", "published_at"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.street_id,
        changes={"public_summary": [before["public_summary"], summary]},
    )
    return locked


@transaction.atomic
def oc_decisions_posted(*, actor, meeting: Meeting, posted_on: dt.date) -> Meeting:
    """Record the day an owners' committee meeting's decisions were posted (Shanghai: within 3 days)."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    if locked.kind != MeetingKind.OWNERS_COMMITTEE:
        raise BranchworkError(_("只有业委会会议需要登记决定公告日期。"))
    if posted_on < timezone.localtime(locked.starts_at).date():
        raise BranchworkError(_("公告日期不能早于会议日期。"))
    if posted_on > timezone.localdate():
        raise BranchworkError(_("公告日期不能晚于今天。"))
    before = locked.decisions_posted_on
    locked.decisions_posted_on = posted_on
    locked.save(update_fields=["decisions_posted_on"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.street_id,
        changes={"decisions_posted_on": [before.isoformat() if before else None, posted_on.isoformat()]},
    )
    return locked


# ---- anonymous rating ------------------------------------------------------------------------------


def _parse_items(text: str) -> list[tuple[str, str]]:
    """Lines "类别:事项" (or "类别:事项"); a line without a colon keeps the previous group."""
    items, group = [], ""
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, sep, tail = line.replace(":", ":").partition(":")
        if sep:
            group, label = head.strip(), tail.strip()
        else:
            label = line
        if not group:
            raise BranchworkError(_("第 %(n)d 行没有类别，请写成“类别：事项”。") % {"n": number})
        if not label or len(label) > 80 or len(group) > 30:
            raise BranchworkError(_("第 %(n)d 行无效（事项 1–80 字，类别 30 字以内）。") % {"n": number})
        items.append((group, label))
    if not items:
        raise BranchworkError(_("请至少列出一个测评事项。"))
    if len(items) > MAX_RATING_ITEMS:
        raise BranchworkError(_("测评事项最多 %(n)d 项。") % {"n": MAX_RATING_ITEMS})
    return items


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(rules.TOKEN_ALPHABET) for _i in range(6))
        if not RatingSession.objects.filter(code=code).exists():
            return code


@transaction.atomic
def rating_setup(*, actor, meeting: Meeting, items_text: str, token_count: int) -> RatingSession:
    """Set the items of a hearing's on-the-spot rating and print single-use tokens. Items can be
    changed only before the first ballot."""
    locked = _lock_meeting(meeting)
    permissions.require_meeting_manager(actor, locked)
    if locked.kind not in PUBLIC_KINDS:
        raise BranchworkError(_("现场测评只用于听证会和座谈会。"))
    items = _parse_items(items_text)
    if not 1 <= token_count <= MAX_TOKENS:
        raise BranchworkError(_("测评票数量应在 1 到 %(n)d 之间。") % {"n": MAX_TOKENS})
    session = RatingSession.objects.filter(meeting=locked).first()
    if session is not None and session.ballots.exists():
        raise BranchworkError(_("已有人提交测评，不能再修改测评事项。"))
    if session is None:
        session = RatingSession.objects.create(meeting=locked, code=_new_code())
    session.items.all().delete()
    RatingItem.objects.bulk_create(
        [RatingItem(session=session, group=g, label=label, order=i) for i, (g, label) in enumerate(items)]
    )
    session.tokens.all().delete()
    tokens: set[str] = set()
    while len(tokens) < token_count:
        tokens.add("".join(secrets.choice(rules.TOKEN_ALPHABET) for _i in range(8)))
    RatingToken.objects.bulk_create([RatingToken(session=session, token=t) for t in sorted(tokens)])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.street_id,
        changes={"rating_items": len(items), "rating_tokens": token_count},
    )
    return session


@transaction.atomic
def rating_set_open(*, actor, session: RatingSession, is_open: bool) -> RatingSession:
    session = (
        RatingSession.objects.select_for_update(of=("self",))
        .select_related("meeting__branch__area")
        .get(pk=session.pk)
    )
    permissions.require_secretary(actor, _branch_of(session.meeting).area_id)
    session.is_open = is_open
    session.save(update_fields=["is_open"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=session.meeting,
        street_id=session.meeting.street_id,
        changes={"rating_open": is_open},
    )
    return session


@transaction.atomic
def rating_submit(
    *, session: RatingSession, token: str, levels: Mapping[int, int], today: dt.date | None = None
) -> RatingBallot:
    """One anonymous ballot per single-use token. The token is marked used; the ballot does not
    point at it, so nobody — the office included — can tell whose sheet is whose."""
    session = (
        RatingSession.objects.select_for_update(of=("self",))
        .select_related("meeting__branch__area")
        .get(pk=session.pk)
    )
    if not session.is_open:
        raise BranchworkError(_("测评尚未开始或已结束。"))
    code = rules.normalise_token(token)
    row = RatingToken.objects.select_for_update().filter(session=session, token=code).first()
    if row is None:
        raise BranchworkError(_("测评码无效，请核对入场时领取的纸条。"))
    if row.used_at is not None:
        raise BranchworkError(_("这张测评码已经使用过，每张只能测评一次。"))
    item_ids = list(session.items.values_list("pk", flat=True))
    missing = [i for i in item_ids if i not in levels]
    if missing:
        raise BranchworkError(_("还有 %(n)d 个事项没有选择，请全部选择后提交。") % {"n": len(missing)})
    for item_id, level in levels.items():
        if item_id not in item_ids or level not in rules.LEVELS:
            raise BranchworkError(_("测评内容无效，请刷新页面后重新填写。"))
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    ballot = RatingBallot.objects.create(session=session, submitted_on=today or timezone.localdate())
    RatingScore.objects.bulk_create(
        [RatingScore(ballot=ballot, item_id=i, level=levels[i]) for i in item_ids]
    )
    audit_record(
        actor=None,
        action=CREATE,
        obj=ballot,
        street_id=session.meeting.street_id,
        object_label=_("现场无记名测评票"),
        changes={"meeting": session.meeting_id},
    )
    return ballot


# ---- patrols ---------------------------------------------------------------------------------------


@transaction.atomic
def patrol_start(
    *,
    actor,
    member: BranchMember,
    estates: Iterable[Estate],
    route_note: str = "",
    now: dt.datetime | None = None,
) -> Patrol:
    branch = member.branch
    permissions.require_branch_member(actor, branch.area_id)
    estates = list(estates)
    if not estates:
        raise BranchworkError(_("请选择本次巡查的小区。"))
    _check_estates(branch, estates, street_id=branch.area.street_id)
    route_note = _text(route_note, label=_("路线说明"), max_length=300, required=False)
    moment = now or timezone.now()
    if Patrol.objects.filter(recorded_by=actor, ended_at__isnull=True).exists():
        raise BranchworkError(_("您还有一次巡查没有结束，请先结束它。"))
    patrol = Patrol.objects.create(
        branch=branch,
        member=member,
        recorded_by=actor,
        day=timezone.localtime(moment).date(),
        started_at=moment,
        route_note=route_note,
    )
    patrol.estates.set(estates)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=patrol,
        street_id=branch.area.street_id,
        changes={"member": member.name, "estates": [e.name for e in estates]},
    )
    return patrol


def _own_open_patrol(actor, patrol: Patrol) -> Patrol:
    locked = Patrol.objects.select_for_update().select_related("branch__area").get(pk=patrol.pk)
    if locked.recorded_by_id != actor.pk:
        raise PermissionDenied
    if locked.ended_at is not None:
        raise BranchworkError(_("本次巡查已结束。"))
    return locked


@transaction.atomic
def patrol_add_finding(
    *,
    actor,
    patrol: Patrol,
    estate: Estate,
    category: Category,
    text: str,
    photos: Sequence = (),
) -> PatrolFinding:
    """A finding filed at once as a problem (source: patrol) with its photos."""
    locked = _own_open_patrol(actor, patrol)
    if estate.area_id != locked.branch.area_id:
        raise BranchworkError(_("小区“%(name)s”不在本居民区。") % {"name": estate.name})
    text = _text(text, label=_("发现的问题"), max_length=300)
    try:
        problem = problem_services.problem_report(
            actor=actor,
            estate=estate,
            category=category,
            description=text,
            source=Source.PATROL,
            photos=photos,
        )
    except problem_services.ProblemError as exc:
        raise BranchworkError(exc.message) from exc
    finding = PatrolFinding.objects.create(patrol=locked, estate=estate, problem=problem, text=text)
    locked.estates.add(estate)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=finding,
        street_id=locked.branch.area.street_id,
        changes={"patrol": locked.pk, "problem": problem.number},
    )
    return finding


@transaction.atomic
def patrol_end(*, actor, patrol: Patrol, summary: str = "", now: dt.datetime | None = None) -> Patrol:
    locked = _own_open_patrol(actor, patrol)
    summary = _text(summary, label=_("巡查小结"), max_length=500, required=False)
    found = locked.findings.count()
    if found and rules.says_nothing_found(summary):
        raise BranchworkError(_("本次巡查已登记%(count)d项发现，小结不能写未发现问题。") % {"count": found})
    locked.summary = summary
    locked.ended_at = max(now or timezone.now(), locked.started_at)
    locked.save(update_fields=["summary", "ended_at"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=locked,
        street_id=locked.branch.area.street_id,
        changes={"ended_at": [None, locked.ended_at.isoformat()]},
    )
    return locked


# ---- security log ----------------------------------------------------------------------------------


@transaction.atomic
def security_log_write(*, actor, estate: Estate, day: dt.date, shift: str, text: str) -> SecurityLog:
    if not permissions.may_write_security_log(actor, estate):
        raise PermissionDenied
    if shift not in Shift.values:
        raise BranchworkError(_("请选择班次。"))
    if day > timezone.localdate():
        raise BranchworkError(_("日期不能晚于今天。"))
    text = _text(text, label=_("工作安排/点评"), max_length=2000)
    if SecurityLog.objects.filter(estate=estate, day=day, shift=shift).exists():
        raise BranchworkError(
            _("%(estate)s %(day)s 的%(shift)s已填写。")
            % {"estate": estate.name, "day": day.isoformat(), "shift": Shift(shift).label}
        )
    log = SecurityLog.objects.create(
        estate=estate, day=day, shift=shift, text=text, author=actor, author_label=str(actor)
    )
    audit_record(actor=actor, action=CREATE, obj=log, street_id=estate.area.street_id, changes={"text": text})
    return log


@transaction.atomic
def security_log_comment(*, actor, log: SecurityLog, comment: str) -> SecurityLog:
    log = SecurityLog.objects.select_for_update().select_related("estate__area").get(pk=log.pk)
    permissions.require_branch_member(actor, log.estate.area_id)
    comment = _text(comment, label=_("支部意见"), max_length=500)
    before = log.branch_comment
    log.branch_comment, log.commented_by_label = comment, str(actor)
    log.save(update_fields=["branch_comment", "commented_by_label"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=log,
        street_id=log.estate.area.street_id,
        changes={"branch_comment": [before, comment]},
    )
    return log


# ---- duty board and reception ----------------------------------------------------------------------


@transaction.atomic
def duty_profile_save(
    *, actor, member: BranchMember, role_label: str, commitment: str, duties: str, photo=None
) -> DutyProfile:
    """The member's public card. A photo is accepted only if it decodes as an image, and is
    stored re-encoded without metadata (core/images.py)."""
    area = member.branch.area
    permissions.require_secretary(actor, area.pk)
    profile = DutyProfile.objects.filter(member=member).first() or DutyProfile(member=member)

    def plain(p: DutyProfile) -> dict:
        return {
            "role_label": p.role_label,
            "commitment": p.commitment,
            "duties": p.duties,
            "photo": p.photo.name or "",
        }

    before = plain(profile) if profile.pk else {}
    profile.role_label = _text(role_label, label=_("身份"), max_length=60)
    profile.commitment = _text(commitment, label=_("承诺"), max_length=300)
    profile.duties = _text(duties, label=_("职责"), max_length=300)
    if photo:
        try:
            image = clean_image(photo)
        except ImageRejected as exc:
            raise BranchworkError(exc.message) from exc
        old = profile.photo.name if profile.photo else ""
        profile.photo.save(f"{secrets.token_hex(6)}.jpg", ContentFile(image.content), save=False)
        profile.photo_width, profile.photo_height = image.width, image.height
        if old:
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    profile.save()
    audit_record(
        actor=actor,
        action=UPDATE if before else CREATE,
        obj=profile,
        street_id=area.street_id,
        changes=diff(before, plain(profile)),
    )
    return profile


@transaction.atomic
def duty_shift_add(*, actor, area: Area, day: dt.date, member: BranchMember) -> DutyShift:
    permissions.require_secretary(actor, area.pk)
    if member.branch.area_id != area.pk:
        raise BranchworkError(_("“%(name)s”不是本居民区支部成员。") % {"name": member.name})
    if day < timezone.localdate() - dt.timedelta(days=31):
        raise BranchworkError(_("只能安排近一个月以来和今后的值班。"))
    try:
        with transaction.atomic():
            shift = DutyShift.objects.create(area=area, day=day, member=member)
    except IntegrityError:
        raise BranchworkError(
            _("%(day)s 已安排 %(name)s 值班。") % {"day": day.isoformat(), "name": member.name}
        ) from None
    audit_record(
        actor=actor,
        action=CREATE,
        obj=shift,
        street_id=area.street_id,
        changes={"day": day.isoformat(), "member": member.name},
    )
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    permissions.require_secretary(actor, shift.area_id)
    audit_record(
        actor=actor,
        action=DELETE,
        obj=shift,
        street_id=shift.area.street_id,
        changes={"day": shift.day.isoformat(), "member": shift.member.name},
    )
    shift.delete()


@transaction.atomic
def reception_record(
    *,
    actor,
    area: Area,
    matter: str,
    answer: str = "",
    visitor: str = "",
    estate: Estate | None = None,
    received_at: dt.datetime | None = None,
) -> Reception:
    permissions.require_branch_member(actor, area.pk)
    if estate is not None and estate.area_id != area.pk:
        raise BranchworkError(_("小区“%(name)s”不在本居民区。") % {"name": estate.name})
    moment = received_at or timezone.now()
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise BranchworkError(_("接待时间不能晚于现在。"))
    reception = Reception.objects.create(
        area=area,
        estate=estate,
        received_at=moment,
        visitor=_text(visitor, label=_("来访人"), max_length=60, required=False),
        matter=_text(matter, label=_("来访事项"), max_length=1000),
        answer=_text(answer, label=_("答复"), max_length=1000, required=False),
        receiver_label=str(actor),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=reception,
        street_id=area.street_id,
        changes={"matter": reception.matter},
    )
    return reception


@transaction.atomic
def reception_to_problem(
    *, actor, reception: Reception, category: Category, estate: Estate | None = None
) -> Problem:
    """One click: the visitor's matter becomes a problem for the tracker (source 首问接待)."""
    reception = Reception.objects.select_for_update().select_related("area").get(pk=reception.pk)
    permissions.require_branch_member(actor, reception.area_id)
    if reception.problem_id:
        raise BranchworkError(_("该接待事项已转为问题。"))
    estate = estate or reception.estate
    if estate is None or estate.area_id != reception.area_id:
        raise BranchworkError(_("请选择事项所在的小区。"))
    try:
        problem = problem_services.problem_report(
            actor=actor,
            estate=estate,
            category=category,
            description=reception.matter[:1000],
            source=Source.RECEPTION,
        )
    except problem_services.ProblemError as exc:
        raise BranchworkError(exc.message) from exc
    reception.problem, reception.estate = problem, estate
    reception.save(update_fields=["problem", "estate"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=reception,
        street_id=reception.area.street_id,
        changes={"problem": [None, problem.number]},
    )
    return problem


# ---- street bodies (领导小组 · 物业企业理事会 · 业委会主任联合会 · 联席会议) --------------------------

MAX_BODY_MEMBERS = 60
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _require_body_admin(actor, street_id: int) -> None:
    if not permissions.may_manage_bodies(actor, street_id):
        raise PermissionDenied


@transaction.atomic
def body_create(*, actor, street: Street, kind: str, name: str, remit: str = "") -> Body:
    _require_body_admin(actor, street.pk)
    if kind not in BodyKind.values:
        raise BranchworkError(_("请选择机构类型。"))
    name = _text(name, label=_("名称"), max_length=80)
    remit = _text(remit, label=_("职责"), max_length=2000, required=False)
    if Body.objects.filter(street=street, name=name).exists():
        raise BranchworkError(_("本街道已有同名的议事机构。"))
    body = Body.objects.create(street=street, kind=kind, name=name, remit=remit)
    audit_record(
        actor=actor, action=CREATE, obj=body, street_id=street.pk, changes={"kind": kind, "name": name}
    )
    return body


@transaction.atomic
def body_update(*, actor, body: Body, name: str, remit: str) -> Body:
    body = Body.objects.select_for_update().get(pk=body.pk)
    _require_body_admin(actor, body.street_id)
    before = snapshot(body)
    body.name = _text(name, label=_("名称"), max_length=80)
    body.remit = _text(remit, label=_("职责"), max_length=2000, required=False)
    if Body.objects.filter(street_id=body.street_id, name=body.name).exclude(pk=body.pk).exists():
        raise BranchworkError(_("本街道已有同名的议事机构。"))
    body.save()
    audit_record(
        actor=actor, action=UPDATE, obj=body, street_id=body.street_id, changes=diff(before, snapshot(body))
    )
    return body


@transaction.atomic
def body_member_add(
    *, actor, body: Body, name: str, role_label: str = "", unit: str = "", user=None
) -> BodyMember:
    """A member by name with their role and unit; with an account, they read the body's meetings."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    _require_body_admin(actor, body.street_id)
    name = _text(name, label=_("姓名"), max_length=60)
    role_label = _text(role_label, label=_("职务"), max_length=40, required=False)
    unit = _text(unit, label=_("单位"), max_length=80, required=False)
    if body.members.filter(name=name).exists():
        raise BranchworkError(_("该机构已有同名成员。"))
    if body.members.count() >= MAX_BODY_MEMBERS:
        raise BranchworkError(_("一个机构最多 %(n)d 名成员。") % {"n": MAX_BODY_MEMBERS})
    if user is not None and body.members.filter(user=user).exists():
        raise BranchworkError(_("该账号已是本机构成员。"))
    member = BodyMember.objects.create(body=body, name=name, role_label=role_label, unit=unit, user=user)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=member,
        street_id=body.street_id,
        changes={
            "body": body.pk,
            "name": name,
            "role": role_label,
            "unit": unit,
            "user": getattr(user, "pk", None),
        },
    )
    return member


@transaction.atomic
def body_member_remove(*, actor, member: BodyMember) -> None:
    member = BodyMember.objects.select_related("body").get(pk=member.pk)
    _require_body_admin(actor, member.body.street_id)
    audit_record(
        actor=actor,
        action=DELETE,
        obj=member,
        street_id=member.body.street_id,
        changes={"body": member.body_id, "name": member.name},
    )
    member.delete()


@transaction.atomic
def body_meeting_schedule(
    *,
    actor,
    body: Body,
    title: str,
    agenda: str = "",
    place: str,
    starts_at: dt.datetime,
    estates: Iterable[Estate] = (),
    members: Iterable[BodyMember] = (),
    guests: str = "",
) -> Meeting:
    """A meeting of a street body (the same Meeting machinery as the branches': attendance, minutes,
    resolutions, sign-off, addenda, the minutes PDF). Convened by the street admin or leadership."""
    if not permissions.may_hold_body_meetings(actor, body.street_id):
        raise PermissionDenied
    fields = _check_meeting_fields(
        kind=MeetingKind.BODY, title=title, agenda=agenda, place=place, starts_at=starts_at
    )
    estates = _check_estates(None, estates, street_id=body.street_id)
    members = list(members)
    for member in members:
        if member.body_id != body.pk:
            raise BranchworkError(_("“%(name)s”不是本机构成员。") % {"name": member.name})
    guest_rows = _parse_guests(guests)
    names = [m.name for m in members] + [g[0] for g in guest_rows]
    if len(set(names)) != len(names):
        raise BranchworkError(_("参会人员中有重名，请区分（如加上单位）。"))
    meeting = Meeting.objects.create(street_id=body.street_id, body=body, created_by=actor, **fields)
    meeting.estates.set(estates)
    Invitee.objects.bulk_create(
        [
            Invitee(
                meeting=meeting,
                body_member=m,
                name=m.name,
                organisation=" ".join(x for x in (m.unit, m.role_label) if x)[:80],
            )
            for m in members
        ]
        + [Invitee(meeting=meeting, name=n, organisation=o, non_voting=True) for n, o in guest_rows]
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=meeting,
        street_id=body.street_id,
        changes={"body": body.pk, "starts_at": starts_at.isoformat(), "invitees": names},
    )
    return meeting


# ---- tracked actions of resolutions (决议跟踪落实), branch and body meetings alike --------------------


def _evidence(upload, *, name: str):
    try:
        return clean_document(upload, name=name, max_bytes=MAX_EVIDENCE_BYTES)
    except UploadRejected as error:
        raise BranchworkError(error.message) from None


@transaction.atomic
def action_track(
    *, actor, resolution: Resolution, owner_label: str, due_on: dt.date, owner=None
) -> TrackedAction:
    """A resolution becomes a tracked action: who answers for it and by when. Refused for a
    resolution that needs no action or was handed to the problem tracker already."""
    resolution = (
        Resolution.objects.select_for_update(of=("self",))
        .select_related("meeting__branch__area", "meeting__body")
        .get(pk=resolution.pk)
    )
    meeting = resolution.meeting
    permissions.require_meeting_manager(actor, meeting)
    if not resolution.needs_action:
        raise BranchworkError(_("该决议无需落实，不能设为跟踪事项。"))
    if TrackedAction.objects.filter(resolution=resolution).exists():
        raise BranchworkError(_("该决议已设为跟踪落实事项。"))
    if ResolutionAction.objects.filter(resolution=resolution).exists():
        raise BranchworkError(_("该决议已转为问题跟踪。"))
    owner_label = _text(owner_label, label=_("责任人"), max_length=80)
    if due_on is None:
        raise BranchworkError(_("请填写完成期限。"))
    if due_on < timezone.localtime(meeting.starts_at).date():
        raise BranchworkError(_("完成期限不能早于会议日期。"))
    action = TrackedAction.objects.create(
        resolution=resolution, owner=owner, owner_label=owner_label, due_on=due_on, created_by=actor
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=action,
        street_id=meeting.street_id,
        changes={"resolution": resolution.pk, "owner": owner_label, "due_on": due_on.isoformat()},
    )
    return action


@transaction.atomic
def action_close(
    *, actor, action: TrackedAction, evidence: str, upload=None, closed_on: dt.date | None = None
) -> TrackedAction:
    """Close a tracked action on its evidence (what was done; a PDF or photo optional, checked by
    ``core.uploads.clean_document``). The meeting's managers or the action's owner close it."""
    action = (
        TrackedAction.objects.select_for_update(of=("self",))
        .select_related("resolution__meeting__branch__area")
        .get(pk=action.pk)
    )
    if not permissions.may_close_action(actor, action):
        raise PermissionDenied
    if action.status == ActionStatus.DONE:
        raise BranchworkError(_("该事项已办结。"))
    evidence = _text(evidence, label=_("办结情况"), max_length=2000)
    today = timezone.localdate()
    closed_on = closed_on or today
    if closed_on > today:
        raise BranchworkError(_("办结日期不能晚于今天。"))
    if upload is not None:
        clean = _evidence(upload, name=_("佐证材料"))
        action.evidence_file.save(
            f"action-{action.pk}.{clean.extension}", ContentFile(clean.content), save=False
        )
        action.evidence_type = clean.content_type
    action.status, action.evidence, action.closed_on, action.closed_by = (
        ActionStatus.DONE,
        evidence,
        closed_on,
        actor,
    )
    action.save()
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=action,
        street_id=action.resolution.meeting.street_id,
        changes={"status": ["open", "done"], "evidence": evidence, "file": bool(upload)},
    )
    return action


# ---- the street's work plan (三阶段 · 时间节点 · 试点) --------------------------------------------------


def _require_plan_editor(actor, street_id: int) -> None:
    if not permissions.may_edit_plan(actor, street_id):
        raise PermissionDenied


@transaction.atomic
def plan_create(
    *, actor, street: Street, title: str, stages: Sequence[tuple[str, str, dt.date, dt.date]]
) -> WorkPlan:
    """The plan with its stages in order: (title, goal, starts_on, ends_on); stages follow each other."""
    _require_plan_editor(actor, street.pk)
    if WorkPlan.objects.filter(street=street).exists():
        raise BranchworkError(_("本街道已有工作计划。"))
    title = _text(title, label=_("计划名称"), max_length=100)
    if not stages:
        raise BranchworkError(_("请至少列出一个阶段。"))
    previous_end = None
    for stage_title, _goal, starts_on, ends_on in stages:
        if ends_on < starts_on:
            raise BranchworkError(_("阶段“%(name)s”的结束日期早于开始日期。") % {"name": stage_title})
        if previous_end is not None and starts_on <= previous_end:
            raise BranchworkError(_("阶段“%(name)s”须在上一阶段结束后开始。") % {"name": stage_title})
        previous_end = ends_on
    plan = WorkPlan.objects.create(street=street, title=title)
    PlanStage.objects.bulk_create(
        [
            PlanStage(
                plan=plan,
                number=n,
                title=_text(t, label=_("阶段名称"), max_length=60),
                goal=_text(g, label=_("阶段目标"), max_length=1000, required=False),
                starts_on=s,
                ends_on=e,
            )
            for n, (t, g, s, e) in enumerate(stages, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=plan,
        street_id=street.pk,
        changes={"title": title, "stages": len(stages)},
    )
    return plan


@transaction.atomic
def milestone_add(
    *,
    actor,
    stage: PlanStage,
    title: str,
    owner_label: str,
    due_on: dt.date,
    metric: str = Metric.MANUAL,
    target: Decimal | None = None,
    owner=None,
) -> Milestone:
    street_id = stage.plan.street_id
    _require_plan_editor(actor, street_id)
    title = _text(title, label=_("节点"), max_length=120)
    owner_label = _text(owner_label, label=_("责任人"), max_length=80)
    if metric not in Metric.values:
        raise BranchworkError(_("请选择衡量方式。"))
    if due_on is None:
        raise BranchworkError(_("请填写时间节点。"))
    if target is not None:
        if metric == Metric.MANUAL:
            raise BranchworkError(_("人工确认的节点不设目标值。"))
        if target <= 0 or (metric in (Metric.OC_PARTY_SHARE, Metric.OC_CROSS_SHARE) and target > 100):
            raise BranchworkError(_("目标值无效：数量应大于 0，百分比在 0 到 100 之间。"))
    milestone = Milestone.objects.create(
        stage=stage,
        title=title,
        owner_label=owner_label,
        owner=owner,
        due_on=due_on,
        metric=metric,
        target=target,
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=milestone,
        street_id=street_id,
        changes={"title": title, "due_on": due_on.isoformat(), "metric": metric, "target": str(target or "")},
    )
    return milestone


@transaction.atomic
def milestone_tick(
    *, actor, milestone: Milestone, evidence: str, upload=None, done_on: dt.date | None = None
) -> Milestone:
    """The admin ticks a manual milestone on its evidence (text, and a PDF or photo through the
    document cleaner). Measurable milestones are ticked by the data, never by hand."""
    milestone = (
        Milestone.objects.select_for_update(of=("self",)).select_related("stage__plan").get(pk=milestone.pk)
    )
    street_id = milestone.stage.plan.street_id
    _require_plan_editor(actor, street_id)
    if milestone.metric != Metric.MANUAL:
        raise BranchworkError(_("该节点由数据自动判断完成，无需人工确认。"))
    if milestone.done_on is not None:
        raise BranchworkError(_("该节点已确认完成。"))
    evidence = _text(evidence, label=_("完成依据"), max_length=2000)
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise BranchworkError(_("完成日期不能晚于今天。"))
    if upload is not None:
        clean = _evidence(upload, name=_("佐证材料"))
        milestone.evidence_file.save(
            f"milestone-{milestone.pk}.{clean.extension}", ContentFile(clean.content), save=False
        )
        milestone.evidence_type = clean.content_type
    milestone.done_on, milestone.evidence, milestone.ticked_by = done_on, evidence, actor
    milestone.save()
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=milestone,
        street_id=street_id,
        changes={"done_on": [None, done_on.isoformat()], "evidence": evidence, "file": bool(upload)},
    )
    return milestone


@transaction.atomic
def pilot_set(
    *,
    actor,
    street: Street,
    programme: str,
    since: dt.date,
    branch: Branch | None = None,
    company=None,
    agreement: str = "",
) -> Pilot:
    """Flag a branch or a company as a pilot with its programme (and agreement, e.g. 党建联建协议)."""
    _require_plan_editor(actor, street.pk)
    if (branch is None) == (company is None):
        raise BranchworkError(_("试点须是一个联合党支部或一家物业企业。"))
    if branch is not None and branch.area.street_id != street.pk:
        raise BranchworkError(_("该支部不在本街道。"))
    if company is not None and company.street_id != street.pk:
        raise BranchworkError(_("该物业企业不在本街道。"))
    programme = _text(programme, label=_("试点方案"), max_length=2000)
    agreement = _text(agreement, label=_("协议"), max_length=120, required=False)
    pilot = (
        Pilot.objects.filter(branch=branch).first()
        if branch
        else Pilot.objects.filter(company=company).first()
    )
    before = snapshot(pilot) if pilot else {}
    pilot = pilot or Pilot(street=street, branch=branch, company=company)
    pilot.programme, pilot.agreement, pilot.since = programme, agreement, since
    pilot.save()
    audit_record(
        actor=actor,
        action=UPDATE if before else CREATE,
        obj=pilot,
        street_id=street.pk,
        changes=diff(before, snapshot(pilot)),
    )
    return pilot


def _milestone_checked(
    *, title: str, owner_label: str, due_on: dt.date | None, metric: str, target: Decimal | None
) -> tuple[str, str]:
    """The rules a milestone's fields obey on creation and on every edit (plain Chinese errors)."""
    title = _text(title, label=_("节点"), max_length=120)
    owner_label = _text(owner_label, label=_("责任人"), max_length=80)
    if metric not in Metric.values:
        raise BranchworkError(_("请选择衡量方式。"))
    if due_on is None:
        raise BranchworkError(_("请填写时间节点。"))
    if target is not None:
        if metric == Metric.MANUAL:
            raise BranchworkError(_("人工确认的节点不设目标值。"))
        if target <= 0 or (metric in (Metric.OC_PARTY_SHARE, Metric.OC_CROSS_SHARE) and target > 100):
            raise BranchworkError(_("目标值无效：数量应大于 0，百分比在 0 到 100 之间。"))
    return title, owner_label


@transaction.atomic
def milestone_update(
    *,
    actor,
    milestone: Milestone,
    stage: PlanStage,
    title: str,
    owner_label: str,
    due_on: dt.date,
    metric: str = Metric.MANUAL,
    target: Decimal | None = None,
) -> Milestone:
    """Edit a milestone of the street's plan (street admin): its stage within the same plan, title, owner,
    due date, how it is measured and its target. A milestone ticked by hand keeps its manual measure (its
    evidence stands for that measure); nothing is written when a rule is broken."""
    milestone = (
        Milestone.objects.select_for_update(of=("self",)).select_related("stage__plan").get(pk=milestone.pk)
    )
    street_id = milestone.stage.plan.street_id
    _require_plan_editor(actor, street_id)
    if stage.plan_id != milestone.stage.plan_id:
        raise BranchworkError(_("只能移到本计划的阶段。"))
    title, owner_label = _milestone_checked(
        title=title, owner_label=owner_label, due_on=due_on, metric=metric, target=target
    )
    if milestone.done_on is not None and metric != Metric.MANUAL:
        raise BranchworkError(_("该节点已凭依据人工确认完成，不能改为由数据判断。"))
    before = snapshot(milestone)
    milestone.stage = stage
    milestone.title, milestone.owner_label, milestone.due_on = title, owner_label, due_on
    milestone.metric, milestone.target = metric, target
    milestone.save()
    changes = diff(before, snapshot(milestone))
    if changes:
        audit_record(actor=actor, action=UPDATE, obj=milestone, street_id=street_id, changes=changes)
    return milestone


@transaction.atomic
def pilot_update(*, actor, pilot: Pilot, programme: str, agreement: str, since: dt.date) -> Pilot:
    """Edit a pilot's programme, agreement and start (street admin); the branch or company it is stays."""
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    _require_plan_editor(actor, pilot.street_id)
    if since is None:
        raise BranchworkError(_("请填写试点开始日期。"))
    if since > timezone.localdate() + dt.timedelta(days=366):
        raise BranchworkError(_("试点开始日期不能晚于一年以后。"))
    before = snapshot(pilot)
    pilot.programme = _text(programme, label=_("试点方案"), max_length=2000)
    pilot.agreement = _text(agreement, label=_("协议"), max_length=120, required=False)
    pilot.since = since
    pilot.save()
    changes = diff(before, snapshot(pilot))
    if changes:
        audit_record(actor=actor, action=UPDATE, obj=pilot, street_id=pilot.street_id, changes=changes)
    return pilot


@transaction.atomic
def pilot_create(
    *,
    actor,
    street: Street,
    programme: str,
    since: dt.date,
    branch: Branch | None = None,
    company=None,
    agreement: str = "",
) -> Pilot:
    """Flag a new pilot (a joint branch or a company not yet a pilot); ``pilot_set`` does the checks."""
    _require_plan_editor(actor, street.pk)
    if (branch is not None and Pilot.objects.filter(branch=branch).exists()) or (
        company is not None and Pilot.objects.filter(company=company).exists()
    ):
        raise BranchworkError(_("它已是试点，请修改原有的试点。"))
    if since is None:
        raise BranchworkError(_("请填写试点开始日期。"))
    if since > timezone.localdate() + dt.timedelta(days=366):
        raise BranchworkError(_("试点开始日期不能晚于一年以后。"))
    return pilot_set(
        actor=actor,
        street=street,
        programme=programme,
        since=since,
        branch=branch,
        company=company,
        agreement=agreement,
    )
