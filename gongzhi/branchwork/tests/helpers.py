"""Branch work on the persona world (gongzhi/core/testing.py), made through the services."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.branchwork import services
from gongzhi.branchwork.models import (
    DutyProfile,
    DutyShift,
    Meeting,
    Patrol,
    RatingSession,
    Reception,
    Resolution,
    SecurityLog,
)
from gongzhi.problems.models import Category
from gongzhi.problems.services import category_defaults_ensure

RATING_ITEMS = "保洁:楼道清扫\n保洁:垃圾清运\n保绿:绿化修剪\n保安:门岗值守\n保修:报修响应"


def png(name: str = "p.png", colour: str = "red") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class Work:
    categories: dict[str, Category]
    meeting: Meeting  # a branch meeting, open (not signed off)
    resolution: Resolution
    hearing: Meeting  # signed off, published, with a rating session
    session: RatingSession
    patrol: Patrol  # member_a's, ended
    log: SecurityLog
    shift: DutyShift
    profile: DutyProfile
    reception: Reception


def schedule(world, *, kind="branch", starts_at=None, title="支部例会", **extra) -> Meeting:
    return services.meeting_schedule(
        actor=world.user("secretary_a"),
        branch=world.branch_a,
        kind=kind,
        title=title,
        agenda="1. 本周问题清单\n2. 下周巡查安排",
        place="甲居民区党群服务站",
        starts_at=starts_at or timezone.now() - dt.timedelta(hours=2),
        estates=[world.estate_a1],
        members=list(world.branch_a.members.all()),
        guests="王阿姨 3号楼居民代表",
        **extra,
    )


def attend_all(world, meeting: Meeting) -> None:
    rows = {i.pk: ("present", "") for i in meeting.invitees.all()}
    services.meeting_record_attendance(actor=world.user("secretary_a"), meeting=meeting, rows=rows)


def build_work(world) -> Work:
    secretary = world.user("secretary_a")
    categories = {c.code: c for c in category_defaults_ensure(street=world.street)}
    meeting = schedule(world)
    resolution = services.resolution_add(
        actor=secretary, meeting=meeting, text="物业公司半个月内清理消防通道堆物", estate=world.estate_a1
    )
    hearing = schedule(world, kind="hearing", title="物业服务听证会")
    attend_all(world, hearing)
    services.meeting_record_minutes(actor=secretary, meeting=hearing, minutes="居民代表 12 人发言。")
    session = services.rating_setup(actor=secretary, meeting=hearing, items_text=RATING_ITEMS, token_count=10)
    services.rating_set_open(actor=secretary, session=session, is_open=True)
    services.meeting_sign_off(actor=secretary, meeting=hearing)
    services.meeting_publish(actor=secretary, meeting=hearing, summary="听证结果:保洁频次增加为每日两次。")
    member = world.branch_a.members.get(name="陈书记")
    patrol = services.patrol_start(actor=world.user("member_a"), member=member, estates=[world.estate_a1])
    services.patrol_end(actor=world.user("member_a"), patrol=patrol)
    log = services.security_log_write(
        actor=world.user("staff_x"),
        estate=world.estate_a1,
        day=timezone.localdate(),
        shift="morning",
        text="早班:东门岗两人,巡逻一人。",
    )
    profile = services.duty_profile_save(
        actor=secretary,
        member=member,
        role_label="居民区党总支书记",
        commitment="有问必答",
        duties="接待来访,协调物业",
        photo=png(),
    )
    shift = services.duty_shift_add(
        actor=secretary, area=world.area_a, day=timezone.localdate(), member=member
    )
    reception = services.reception_record(
        actor=world.user("member_a"), area=world.area_a, matter="5号楼楼道灯不亮", estate=world.estate_a1
    )
    return Work(categories, meeting, resolution, hearing, session, patrol, log, shift, profile, reception)


# ---- the street's bodies and plan (issue 13) ---------------------------------------------------------


@dataclass
class Steering:
    leadership: object  # Body: 领导小组 — admin and leader are members; no area people
    joint: object  # Body: 五方联席会议 — secretary_a sits on it
    lead_meeting: Meeting  # the leadership group's meeting, signed off
    joint_meeting: Meeting
    resolution: Resolution  # of the leadership meeting, tracked
    action: object  # TrackedAction of ``resolution``, open, owner: leader
    done_action: object  # closed with a photo as evidence
    plan: object
    manual: object  # a manual milestone, ticked with a photo
    open_manual: object  # a manual milestone, not done
    member: object  # a named member of the leadership group (no account)
    pilot: object  # branch A, a pilot


def build_steering(world) -> Steering:
    from gongzhi.branchwork.models import Metric

    admin, leader = world.user("admin"), world.user("leader")
    leadership = services.body_create(
        actor=admin, street=world.street, kind="leadership", name="示例街道物业治理领导小组", remit="研究部署"
    )
    services.body_member_add(
        actor=admin, body=leadership, name="王组长", role_label="组长", unit="街道党工委", user=leader
    )
    services.body_member_add(
        actor=admin, body=leadership, name="李主任", role_label="办公室主任", unit="管理办", user=admin
    )
    member = services.body_member_add(
        actor=admin, body=leadership, name="沈立群", role_label="成员", unit="房管办"
    )
    joint = services.body_create(actor=admin, street=world.street, kind="joint", name="示例街道五方联席会议")
    services.body_member_add(
        actor=admin, body=joint, name="陈书记", role_label="居民区党组织", user=world.user("secretary_a")
    )
    start = timezone.now() - dt.timedelta(hours=3)
    lead_meeting = services.body_meeting_schedule(
        actor=admin,
        body=leadership,
        title="领导小组第四季度推进会",
        agenda="1. 时间节点检查",
        place="街道会议室",
        starts_at=start,
        members=list(leadership.members.all()),
    )
    services.meeting_record_minutes(actor=admin, meeting=lead_meeting, minutes="检查三阶段计划时间节点。")
    resolution = services.resolution_add(actor=admin, meeting=lead_meeting, text="对未达标小区逐一约谈")
    second = services.resolution_add(actor=admin, meeting=lead_meeting, text="月度简报增加时间节点通报")
    today = timezone.localdate()
    action = services.action_track(
        actor=admin,
        resolution=resolution,
        owner_label="社区党建办",
        due_on=today + dt.timedelta(days=3),
        owner=leader,
    )
    done_action = services.action_track(actor=admin, resolution=second, owner_label="管理办", due_on=today)
    done_action = services.action_close(
        actor=admin, action=done_action, evidence="11 月简报已按新格式印发。", upload=png()
    )
    joint_meeting = services.body_meeting_schedule(
        actor=leader,
        body=joint,
        title="五方联席会议",
        place="甲居民区",
        starts_at=start,
        members=list(joint.members.all()),
    )
    plan = services.plan_create(
        actor=admin,
        street=world.street,
        title="三阶段工作计划",
        stages=[
            ("建章立制·试点推进", "", today - dt.timedelta(days=300), today - dt.timedelta(days=101)),
            ("整体启动·组织优化", "", today - dt.timedelta(days=100), today + dt.timedelta(days=100)),
            ("党建引领·良性态势", "", today + dt.timedelta(days=101), today + dt.timedelta(days=300)),
        ],
    )
    one, two, _three = list(plan.stages.all())
    manual = services.milestone_add(
        actor=admin,
        stage=one,
        title="印发工作机制",
        owner_label="管理办",
        due_on=today - dt.timedelta(days=200),
    )
    manual = services.milestone_tick(
        actor=admin, milestone=manual, evidence="党工委文件已印发。", upload=png()
    )
    open_manual = services.milestone_add(
        actor=admin,
        stage=two,
        title="末位物业整改验收",
        owner_label="管理办",
        due_on=today - dt.timedelta(days=1),
    )
    services.milestone_add(
        actor=admin,
        stage=two,
        title="联合党支部全部组建",
        owner_label="党建办",
        due_on=today + dt.timedelta(days=10),
        metric=Metric.BRANCHES_FORMED,
    )
    pilot = services.pilot_set(
        actor=admin, street=world.street, branch=world.branch_a, programme="先行试点", since=today
    )
    return Steering(
        leadership,
        joint,
        lead_meeting,
        joint_meeting,
        resolution,
        action,
        done_action,
        plan,
        manual,
        open_manual,
        member,
        pilot,
    )
