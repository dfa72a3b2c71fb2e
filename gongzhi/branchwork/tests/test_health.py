"""数据体检 plug-in of the branch's records (branchwork/health.py): who signs guard logs, where patrols go.
In the persona world company X manages estates A1 and B1, company Y estate A2; staff_x works for X."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.branchwork.models import Patrol, SecurityLog
from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, run_health
from gongzhi.registry.models import BranchMember


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def test_a_guard_log_signed_by_another_companys_staff_is_an_error(world):
    code = "branchwork.guard_logs_signed_by_managing_company"
    staff, today = world.user("staff_x"), timezone.localdate()
    for estate in (world.estate_a1, world.estate_b1):
        SecurityLog.objects.create(estate=estate, day=today, shift="morning", text="早班安排", author=staff)
    assert _findings(world, code) == []
    for day in (today - dt.timedelta(days=2), today):
        SecurityLog.objects.create(
            estate=world.estate_a2,
            day=day,
            shift="morning",
            text="早班安排",
            author=staff,
            author_label="张队长",
        )
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith("甲二小区：2份保安工作日志")
    assert "由“张队长”填写，其所在企业当日并不管理本小区" in message


def test_a_guard_log_after_the_contract_ended_is_an_error(world):
    staff = world.user("staff_x")
    day = world.contract_a1.end_date + dt.timedelta(days=1)
    SecurityLog.objects.create(
        estate=world.estate_a1, day=day, shift="evening", text="晚间点评", author=staff
    )
    assert len(_findings(world, "branchwork.guard_logs_signed_by_managing_company")) == 1


def test_a_patrol_outside_its_branch_or_area_is_an_error(world):
    code = "branchwork.patrols_in_their_area"
    now = timezone.now()
    member_a = BranchMember.objects.filter(branch=world.branch_a).first()
    patrol = Patrol.objects.create(
        branch=world.branch_a, member=member_a, day=timezone.localdate(now), started_at=now, ended_at=now
    )
    patrol.estates.set([world.estate_a1, world.estate_a2])
    assert _findings(world, code) == []
    patrol.estates.add(world.estate_b1)
    member_b = BranchMember.objects.create(
        branch=world.branch_b, name="周书记", organisation="party", membership="member"
    )
    Patrol.objects.filter(pk=patrol.pk).update(member=member_b, ended_at=now - dt.timedelta(hours=1))
    day = plain_date(timezone.localdate(now))  # 2026年12月7日
    assert sorted(m for _s, m in _findings(world, code)) == sorted(
        [
            f"甲居民区物业治理联合党支部 {day}的日巡由非本支部成员“周书记”记录。",
            f"甲居民区物业治理联合党支部 {day}的日巡包括不属于本居民区的小区：乙一小区。",
            f"甲居民区物业治理联合党支部 {day}的日巡结束时间早于开始时间。",
        ]
    )


def test_minutes_are_each_meetings_own(world):
    from gongzhi.branchwork import services
    from gongzhi.branchwork.models import Meeting
    from gongzhi.branchwork.tests.helpers import attend_all, schedule

    code = "branchwork.minutes_fit_meetings"
    secretary = world.user("secretary_a")
    held = []
    for kind, title, hours in (
        ("branch", "支部例会", 50),
        ("branch", "支部例会", 26),
        ("hearing", "物业服务听证会", 2),
    ):
        meeting = schedule(
            world, kind=kind, title=title, starts_at=timezone.now() - dt.timedelta(hours=hours)
        )
        attend_all(world, meeting)
        services.meeting_record_minutes(
            actor=secretary, meeting=meeting, minutes=f"{title}：{hours}小时前，议定三项。"
        )
        services.meeting_sign_off(actor=secretary, meeting=meeting)
        held.append(meeting)
    schedule(world, title="下周支部例会", starts_at=timezone.now() + dt.timedelta(days=2))  # not held yet
    assert _findings(world, code) == []
    # The two branch meetings carry one pasted text (a form, not a record): a warning.
    Meeting.objects.filter(pk__in=[held[0].pk, held[1].pk]).update(
        minutes="一、通报问题；二、汇报四保；三、研究下周工作。"
    )
    ((severity, message),) = _findings(world, code)
    assert severity == "warning" and message.startswith("2次会议（支部会议，")
    # The hearing carries it too: a hearing's record is not a branch meeting's, an error.
    Meeting.objects.filter(pk=held[2].pk).update(minutes="一、通报问题；\n二、汇报四保；三、研究下周工作。")
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith("3次会议（支部会议、听证会，")
    assert message.endswith("的会议纪要一字不差，纪要应记录每次会议自己的议程、出席和决议。")
    # A meeting signed off with no minutes at all.
    Meeting.objects.filter(pk=held[2].pk).update(minutes="")
    found = [m for _s, m in _findings(world, code)]
    assert any(m.endswith("的“物业服务听证会”已签发，却没有会议纪要。") for m in found)


def test_a_patrol_summary_saying_nothing_was_found_beside_findings_is_an_error(world):
    from gongzhi.branchwork import services
    from gongzhi.problems.services import category_defaults_ensure

    code = "branchwork.patrol_summaries_fit_findings"
    walker = world.user("member_a")
    member = world.branch_a.members.get(name="陈书记")
    category = category_defaults_ensure(street=world.street)[0]
    quiet = services.patrol_start(actor=walker, member=member, estates=[world.estate_a1])
    services.patrol_end(actor=walker, patrol=quiet, summary="未发现新问题")
    busy = services.patrol_start(actor=walker, member=member, estates=[world.estate_a1])
    services.patrol_add_finding(
        actor=walker, patrol=busy, estate=world.estate_a1, category=category, text="楼道堆物"
    )
    services.patrol_end(actor=walker, patrol=busy, summary="发现问题1项，已登记并转入问题清单")
    assert _findings(world, code) == []
    Patrol.objects.filter(pk=busy.pk).update(summary="一切正常，未发现新问题")
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.endswith(
        f"{member.name}的日巡小结写“一切正常，未发现新问题”，却登记了1项发现。"
    )


def test_a_patrol_cannot_end_saying_nothing_was_found_beside_its_findings(world):
    import pytest

    from gongzhi.branchwork import services
    from gongzhi.branchwork.services import BranchworkError
    from gongzhi.problems.services import category_defaults_ensure

    walker = world.user("member_a")
    member = world.branch_a.members.get(name="陈书记")
    patrol = services.patrol_start(actor=walker, member=member, estates=[world.estate_a1])
    category = category_defaults_ensure(street=world.street)[0]
    services.patrol_add_finding(
        actor=walker, patrol=patrol, estate=world.estate_a1, category=category, text="楼道堆物"
    )
    with pytest.raises(BranchworkError, match="本次巡查已登记1项发现，小结不能写未发现问题。"):
        services.patrol_end(actor=walker, patrol=patrol, summary="未发现新问题")
    patrol.refresh_from_db()
    assert patrol.ended_at is None and patrol.summary == ""  # nothing changed
    services.patrol_end(actor=walker, patrol=patrol, summary="楼道堆物已登记")
