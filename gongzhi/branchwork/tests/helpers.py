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
