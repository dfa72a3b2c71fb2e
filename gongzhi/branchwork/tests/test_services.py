"""The branch's writes (services.py): hand-over to the tracker, the lock after sign-off, the
anonymous rating, patrols, the duty board and reception — each a fact that can fail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.branchwork import services
from gongzhi.branchwork.models import (
    Addendum,
    Meeting,
    PatrolFinding,
    RatingBallot,
    RatingScore,
    RatingToken,
    ResolutionAction,
)
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.tests.helpers import RATING_ITEMS, attend_all, build_work, png, schedule
from gongzhi.core.models import AuditEvent
from gongzhi.problems.models import Problem, Source, Status
from gongzhi.problems.services import category_defaults_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(world):
    return {c.code: c for c in category_defaults_ensure(street=world.street)}


def test_schedule_invites_members_and_non_voting_guests(world):
    meeting = schedule(world)
    rows = {i.name: i.non_voting for i in meeting.invitees.all()}
    assert rows == {"陈书记": False, "刘经理": True, "王阿姨": True}  # 刘经理 is a non-party head: 列席
    assert AuditEvent.objects.filter(object_type="branchwork.Meeting", object_id=str(meeting.pk)).exists()


def test_only_the_area_secretary_schedules(world):
    for persona in ("member_a", "secretary_b", "admin", "leader"):
        with pytest.raises(PermissionDenied):
            services.meeting_schedule(
                actor=world.user(persona),
                branch=world.branch_a,
                kind="branch",
                title="例会",
                place="站",
                starts_at=timezone.now(),
            )
    assert Meeting.objects.count() == 0


def test_estate_of_another_area_is_refused(world):
    with pytest.raises(BranchworkError, match="不在本居民区"):
        services.meeting_schedule(
            actor=world.user("secretary_a"),
            branch=world.branch_a,
            kind="branch",
            title="例会",
            place="站",
            starts_at=timezone.now(),
            estates=[world.estate_b1],
        )
    assert Meeting.objects.count() == 0


def test_resolution_hand_over_files_and_assigns_a_problem(world, categories):
    meeting = schedule(world, kind="joint", title="五方联席会议")
    resolution = services.resolution_add(
        actor=world.user("secretary_a"), meeting=meeting, text="清理消防通道堆物", estate=world.estate_a1
    )
    action, note = services.resolution_hand_over(
        actor=world.user("secretary_a"), resolution=resolution, category=categories["parking"]
    )
    problem = Problem.objects.get(pk=action.problem_id)
    assert note == ""
    assert problem.source == Source.MEETING
    assert problem.estate == world.estate_a1
    assert problem.status == Status.ASSIGNED  # accepted at once: the tracker's rules apply
    assert problem.company == world.company_x  # the category's carriage: the managing company
    assert problem.deadline_days == categories["parking"].deadline_days
    assert "清理消防通道堆物" in problem.description
    assert ResolutionAction.objects.get(resolution=resolution).problem == problem
    with pytest.raises(BranchworkError, match="已转为问题"):
        services.resolution_hand_over(
            actor=world.user("secretary_a"), resolution=resolution, category=categories["parking"]
        )
    assert Problem.objects.count() == 1


def test_hearing_resolution_is_filed_with_source_hearing(world, categories):
    hearing = schedule(world, kind="hearing", title="听证会")
    resolution = services.resolution_add(
        actor=world.user("secretary_a"), meeting=hearing, text="增加保洁频次"
    )
    action, _note = services.resolution_hand_over(
        actor=world.user("secretary_a"),
        resolution=resolution,
        category=categories["cleaning"],
        estate=world.estate_a2,
    )
    assert action.problem.source == Source.HEARING
    assert action.problem.estate == world.estate_a2
    assert action.problem.company == world.company_y


def test_hand_over_without_estate_is_refused_and_changes_nothing(world, categories):
    meeting = schedule(world)
    resolution = services.resolution_add(actor=world.user("secretary_a"), meeting=meeting, text="加强巡查")
    with pytest.raises(BranchworkError, match="请选择"):
        services.resolution_hand_over(
            actor=world.user("secretary_a"), resolution=resolution, category=categories["other"]
        )
    assert Problem.objects.count() == 0 and ResolutionAction.objects.count() == 0


def test_member_cannot_hand_over(world, categories):
    meeting = schedule(world)
    resolution = services.resolution_add(
        actor=world.user("secretary_a"), meeting=meeting, text="加强巡查", estate=world.estate_a1
    )
    with pytest.raises(PermissionDenied):
        services.resolution_hand_over(
            actor=world.user("member_a"), resolution=resolution, category=categories["other"]
        )


def test_sign_off_needs_minutes_and_complete_attendance(world):
    secretary = world.user("secretary_a")
    meeting = schedule(world)
    with pytest.raises(BranchworkError, match="纪要"):
        services.meeting_sign_off(actor=secretary, meeting=meeting)
    services.meeting_record_minutes(actor=secretary, meeting=meeting, minutes="议定三件事。")
    with pytest.raises(BranchworkError, match="尚未登记出席"):
        services.meeting_sign_off(actor=secretary, meeting=meeting)
    invitee = meeting.invitees.first()
    with pytest.raises(BranchworkError, match="缺席，请写明原因"):
        services.meeting_record_attendance(
            actor=secretary, meeting=meeting, rows={invitee.pk: ("absent", " ")}
        )
    attend_all(world, meeting)
    services.meeting_sign_off(actor=secretary, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.locked


def test_future_meeting_cannot_be_signed_off(world):
    secretary = world.user("secretary_a")
    meeting = schedule(world, starts_at=timezone.now() + dt.timedelta(days=1))
    services.meeting_record_minutes(actor=secretary, meeting=meeting, minutes="预备")
    attend_all(world, meeting)
    with pytest.raises(BranchworkError, match="尚未开始"):
        services.meeting_sign_off(actor=secretary, meeting=meeting)


def test_lock_after_sign_off_refuses_changes_and_takes_addenda(world):
    secretary = world.user("secretary_a")
    meeting = schedule(world)
    services.meeting_record_minutes(actor=secretary, meeting=meeting, minutes="原纪要")
    attend_all(world, meeting)
    services.meeting_sign_off(actor=secretary, meeting=meeting)
    invitee = meeting.invitees.first()
    attempts = [
        lambda: services.meeting_record_minutes(actor=secretary, meeting=meeting, minutes="改过的纪要"),
        lambda: services.meeting_record_attendance(
            actor=secretary, meeting=meeting, rows={invitee.pk: ("absent", "其实没来")}
        ),
        lambda: services.resolution_add(actor=secretary, meeting=meeting, text="补一条决议"),
        lambda: services.meeting_update(
            actor=secretary,
            meeting=meeting,
            title="改名",
            agenda="",
            place="站",
            starts_at=meeting.starts_at,
            estates=[],
        ),
        lambda: services.meeting_sign_off(actor=secretary, meeting=meeting),
    ]
    for attempt in attempts:
        with pytest.raises(BranchworkError, match="已锁定"):
            attempt()
    meeting.refresh_from_db()
    invitee.refresh_from_db()
    assert (
        meeting.minutes == "原纪要" and invitee.attendance == "present" and meeting.resolutions.count() == 0
    )
    services.addendum_add(actor=secretary, meeting=meeting, text="更正:王阿姨为 5 号楼居民代表。")
    addendum = Addendum.objects.get(meeting=meeting)
    assert addendum.author_label == str(secretary)
    assert AuditEvent.objects.filter(object_type="branchwork.Addendum", object_id=str(addendum.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.addendum_add(actor=world.user("member_a"), meeting=meeting, text="我也补充")


def test_addendum_before_sign_off_is_refused(world):
    with pytest.raises(BranchworkError, match="尚未签发"):
        services.addendum_add(actor=world.user("secretary_a"), meeting=schedule(world), text="补充")


def test_publish_only_hearings_and_forums_after_sign_off(world):
    secretary = world.user("secretary_a")
    branch_meeting = schedule(world)
    with pytest.raises(BranchworkError, match="只有听证会和座谈会"):
        services.meeting_publish(actor=secretary, meeting=branch_meeting, summary="结果")
    forum = schedule(world, kind="forum", title="座谈会")
    with pytest.raises(BranchworkError, match="先签发"):
        services.meeting_publish(actor=secretary, meeting=forum, summary="结果")


def _rating_session(world):
    secretary = world.user("secretary_a")
    hearing = schedule(world, kind="hearing", title="听证会")
    session = services.rating_setup(actor=secretary, meeting=hearing, items_text=RATING_ITEMS, token_count=3)
    return services.rating_set_open(actor=secretary, session=session, is_open=True)


def test_anonymous_rating_one_ballot_per_token_and_the_tally(world):
    session = _rating_session(world)
    items = list(session.items.all())
    assert [(i.group, i.label) for i in items][:2] == [("保洁", "楼道清扫"), ("保洁", "垃圾清运")]
    tokens = list(session.tokens.values_list("token", flat=True))
    assert len(tokens) == 3
    services.rating_submit(session=session, token=tokens[0].lower(), levels={i.pk: 3 for i in items})
    services.rating_submit(session=session, token=tokens[1], levels={i.pk: 1 for i in items})
    with pytest.raises(BranchworkError, match="已经使用过"):
        services.rating_submit(session=session, token=tokens[0], levels={i.pk: 2 for i in items})
    with pytest.raises(BranchworkError, match="测评码无效"):
        services.rating_submit(session=session, token="NOTATOKEN", levels={i.pk: 2 for i in items})
    with pytest.raises(BranchworkError, match="没有选择"):
        services.rating_submit(session=session, token=tokens[2], levels={items[0].pk: 2})
    assert RatingToken.objects.get(token=tokens[2]).used_at is None  # the refused sheet used nothing
    assert RatingBallot.objects.count() == 2
    assert RatingScore.objects.count() == 2 * len(items)
    from gongzhi.branchwork.selectors import rating_result

    result = rating_result(session)
    first = result["groups"][0][1][0][1]
    assert (first.counts, first.satisfied_percent) == ({3: 1, 2: 0, 1: 1}, 50)
    assert result["ballots"] == 2 and result["tokens_used"] == 2
    # Anonymous: a ballot has no link to its token or to anyone.
    assert {f.name for f in RatingBallot._meta.concrete_fields} == {"id", "session", "submitted_on"}


def test_rating_closed_refuses_and_items_are_frozen_after_the_first_ballot(world):
    session = _rating_session(world)
    items = list(session.items.all())
    token = session.tokens.first().token
    services.rating_submit(session=session, token=token, levels={i.pk: 2 for i in items})
    with pytest.raises(BranchworkError, match="不能再修改"):
        services.rating_setup(
            actor=world.user("secretary_a"), meeting=session.meeting, items_text="保洁:x", token_count=3
        )
    services.rating_set_open(actor=world.user("secretary_a"), session=session, is_open=False)
    other = session.tokens.filter(used_at__isnull=True).first().token
    with pytest.raises(BranchworkError, match="尚未开始或已结束"):
        services.rating_submit(session=session, token=other, levels={i.pk: 2 for i in items})


def test_rating_items_need_a_group(world):
    hearing = schedule(world, kind="hearing", title="听证会")
    with pytest.raises(BranchworkError, match="第 1 行没有类别"):
        services.rating_setup(
            actor=world.user("secretary_a"), meeting=hearing, items_text="楼道清扫", token_count=5
        )


def test_patrol_finding_becomes_a_patrol_problem_with_its_photo(world, categories):
    member = world.user("member_a")
    patrol = services.patrol_start(
        actor=member, member=world.branch_a.members.get(name="陈书记"), estates=[world.estate_a1]
    )
    finding = services.patrol_add_finding(
        actor=member,
        patrol=patrol,
        estate=world.estate_a2,
        category=categories["ebike"],
        text="楼道电动车充电",
        photos=[png()],
    )
    problem = finding.problem
    assert (problem.source, problem.estate, problem.status, problem.urgent) == (
        Source.PATROL,
        world.estate_a2,
        Status.REPORTED,
        True,
    )
    assert problem.photos.count() == 1
    assert set(patrol.estates.all()) == {world.estate_a1, world.estate_a2}
    with pytest.raises(PermissionDenied):  # another user's patrol
        services.patrol_add_finding(
            actor=world.user("secretary_a"),
            patrol=patrol,
            estate=world.estate_a1,
            category=categories["other"],
            text="别人的巡查",
        )
    with pytest.raises(BranchworkError, match="还有一次巡查没有结束"):
        services.patrol_start(actor=member, member=patrol.member, estates=[world.estate_a1])
    services.patrol_end(actor=member, patrol=patrol, summary="完成")
    with pytest.raises(BranchworkError, match="已结束"):
        services.patrol_add_finding(
            actor=member,
            patrol=patrol,
            estate=world.estate_a1,
            category=categories["other"],
            text="迟到的发现",
        )
    assert PatrolFinding.objects.count() == 1


def test_bad_photo_is_refused_and_nothing_is_filed(world, categories):
    member = world.user("member_a")
    patrol = services.patrol_start(
        actor=member, member=world.branch_a.members.first(), estates=[world.estate_a1]
    )
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(BranchworkError, match="不是有效的图片"):
        services.patrol_add_finding(
            actor=member,
            patrol=patrol,
            estate=world.estate_a1,
            category=categories["other"],
            text="上传了坏的照片",
            photos=[fake],
        )
    assert Problem.objects.count() == 0 and PatrolFinding.objects.count() == 0


def test_duty_profile_photo_checked_by_content(world):
    member = world.branch_a.members.first()
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(BranchworkError, match="不是有效的图片"):
        services.duty_profile_save(
            actor=world.user("secretary_a"),
            member=member,
            role_label="书记",
            commitment="承诺",
            duties="职责",
            photo=fake,
        )
    profile = services.duty_profile_save(
        actor=world.user("secretary_a"),
        member=member,
        role_label="书记",
        commitment="承诺",
        duties="职责",
        photo=png(),
    )
    assert profile.photo.read()[:3] == b"\xff\xd8\xff"  # stored re-encoded as JPEG
    with pytest.raises(PermissionDenied):
        services.duty_profile_save(
            actor=world.user("member_a"), member=member, role_label="x", commitment="y", duties="z"
        )


def test_duty_shift_rules(world):
    secretary = world.user("secretary_a")
    member = world.branch_a.members.first()
    today = timezone.localdate()
    services.duty_shift_add(actor=secretary, area=world.area_a, day=today, member=member)
    with pytest.raises(BranchworkError, match="已安排"):
        services.duty_shift_add(actor=secretary, area=world.area_a, day=today, member=member)
    with pytest.raises(BranchworkError, match="不是本居民区支部成员"):
        services.duty_shift_add(actor=world.user("secretary_b"), area=world.area_b, day=today, member=member)
    with pytest.raises(PermissionDenied):
        services.duty_shift_add(actor=world.user("member_a"), area=world.area_a, day=today, member=member)


def test_reception_to_problem_once(world, categories):
    reception = services.reception_record(
        actor=world.user("member_a"), area=world.area_a, matter="楼道灯不亮", answer="已转物业"
    )
    with pytest.raises(BranchworkError, match="请选择事项所在的小区"):
        services.reception_to_problem(
            actor=world.user("member_a"), reception=reception, category=categories["repair"]
        )
    problem = services.reception_to_problem(
        actor=world.user("member_a"),
        reception=reception,
        category=categories["repair"],
        estate=world.estate_a1,
    )
    assert problem.source == "reception" and problem.estate == world.estate_a1
    with pytest.raises(BranchworkError, match="已转为问题"):
        services.reception_to_problem(
            actor=world.user("member_a"), reception=reception, category=categories["repair"]
        )


def test_security_log_by_the_managing_company_and_branch_comment(world):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):  # company X does not manage A2
        services.security_log_write(
            actor=world.user("staff_x"), estate=world.estate_a2, day=today, shift="morning", text="x"
        )
    log = services.security_log_write(
        actor=world.user("staff_x"), estate=world.estate_a1, day=today, shift="evening", text="点评"
    )
    with pytest.raises(BranchworkError, match="已填写"):
        services.security_log_write(
            actor=world.user("staff_x"), estate=world.estate_a1, day=today, shift="evening", text="again"
        )
    with pytest.raises(PermissionDenied):
        services.security_log_comment(actor=world.user("secretary_b"), log=log, comment="不是我的")
    services.security_log_comment(actor=world.user("member_a"), log=log, comment="继续保持")
    log.refresh_from_db()
    assert log.branch_comment == "继续保持"


def test_every_write_of_build_work_is_audited(world):
    before = AuditEvent.objects.count()
    build_work(world)
    labels = set(AuditEvent.objects.values_list("object_type", flat=True)[:10_000])
    assert AuditEvent.objects.count() - before >= 12
    assert {
        "branchwork.Meeting",
        "branchwork.Patrol",
        "branchwork.SecurityLog",
        "branchwork.DutyShift",
        "branchwork.DutyProfile",
        "branchwork.Reception",
        "branchwork.Resolution",
    } <= labels


def test_rhythm_rules_are_the_street_admins_and_checked(world):
    values = {
        "patrol_days_per_week": 5,
        "branch_meetings_per_week": 1,
        "oc_meeting_interval_months": 2,
        "oc_decision_post_days": 3,
    }
    with pytest.raises(PermissionDenied):
        services.rhythm_rule_update(actor=world.user("leader"), street=world.street, **values)
    with pytest.raises(PermissionDenied):
        services.rhythm_rule_update(actor=world.user("other_admin"), street=world.street, **values)
    with pytest.raises(BranchworkError, match="每名成员每周巡查天数应在 0 到 7 之间"):
        services.rhythm_rule_update(
            actor=world.user("admin"), street=world.street, **{**values, "patrol_days_per_week": 8}
        )
    services.rhythm_rule_update(actor=world.user("admin"), street=world.street, **values)
    from gongzhi.branchwork.selectors import compliance

    row = compliance([world.branch_a], dt.date(2026, 11, 23), dt.date(2026, 11, 30))[0]
    assert (row.patrols.required, row.meetings.required) == (5, 1)
