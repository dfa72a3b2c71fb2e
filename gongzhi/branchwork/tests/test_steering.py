"""The street's bodies, the one meeting model, tracked actions and the work plan (issue 13):
services, the door's answers and the plan's rules with known answers at their bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.branchwork import rules, services
from gongzhi.branchwork.models import Meeting, MeetingKind, Metric, TrackedAction
from gongzhi.branchwork.selectors_plan import overdue_milestones, plan_facts, street_milestones
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.tests.helpers import build_steering, schedule
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.registry.models import CommitteeMember

pytestmark = pytest.mark.django_db


# ---- rules: known answers -------------------------------------------------------------------------


def test_share_target_is_met_at_the_target_and_not_a_hair_below():
    assert rules.share_meets(55, 100, Decimal("55")) is True  # 55 % meets 55 %
    assert rules.share_meets(5499, 10000, Decimal("55")) is False  # 54.99 % does not
    assert rules.share_meets(11, 20, Decimal("55")) is True
    assert rules.share_meets(2, 5, Decimal("40")) is True  # 40 % meets 40 %
    assert rules.share_meets(2, 5, Decimal("40.01")) is False
    assert rules.share_meets(0, 0, Decimal("55")) is False  # nobody counted meets nothing


def test_count_and_state_rules():
    assert rules.count_meets(32, 32) and not rules.count_meets(31, 32) and not rules.count_meets(0, 0)
    day = dt.date(2026, 12, 6)
    assert rules.milestone_state(met=False, due_on=day, today=day) == rules.DUE  # due today: on time
    assert rules.milestone_state(met=False, due_on=day - dt.timedelta(days=1), today=day) == rules.OVERDUE
    assert rules.milestone_state(met=False, due_on=day + dt.timedelta(days=14), today=day) == rules.DUE
    assert rules.milestone_state(met=False, due_on=day + dt.timedelta(days=15), today=day) == rules.OPEN
    assert rules.milestone_state(met=True, due_on=day - dt.timedelta(days=30), today=day) == rules.DONE
    assert rules.action_overdue(status="open", due_on=day - dt.timedelta(days=1), today=day)
    assert not rules.action_overdue(status="open", due_on=day, today=day)
    assert not rules.action_overdue(status="done", due_on=day - dt.timedelta(days=9), today=day)


# ---- bodies and their meetings ----------------------------------------------------------------------


def test_only_the_street_admin_creates_bodies_and_keeps_members(world):
    with pytest.raises(PermissionDenied):
        services.body_create(
            actor=world.user("leader"), street=world.street, kind="leadership", name="领导小组"
        )
    with pytest.raises(PermissionDenied):
        services.body_create(
            actor=world.user("other_admin"), street=world.street, kind="joint", name="联席会议"
        )
    body = services.body_create(
        actor=world.user("admin"), street=world.street, kind="company_council", name="理事会"
    )
    services.body_member_add(
        actor=world.user("admin"), body=body, name="张理事长", role_label="理事长", unit="星河物业"
    )
    with pytest.raises(BranchworkError):
        services.body_member_add(actor=world.user("admin"), body=body, name="张理事长")
    with pytest.raises(BranchworkError):
        services.body_create(actor=world.user("admin"), street=world.street, kind="joint", name="理事会")
    assert AuditEvent.objects.filter(object_type__icontains="body").count() >= 2


def test_body_meetings_use_the_branch_machinery_and_resolutions_become_tracked_actions(world):
    s = build_steering(world)
    meeting = s.lead_meeting
    assert (
        meeting.kind == MeetingKind.BODY
        and meeting.branch_id is None
        and meeting.street_id == world.street.pk
    )
    assert [i.name for i in meeting.invitees.all()] == ["王组长", "李主任", "沈立群"]
    leader = world.user("leader")
    # The leader convenes and keeps a body meeting too; an area secretary does not.
    rows = {i.pk: ("present", "") for i in meeting.invitees.all()}
    services.meeting_record_attendance(actor=leader, meeting=meeting, rows=rows)
    with pytest.raises(PermissionDenied):
        services.meeting_record_minutes(actor=world.user("secretary_a"), meeting=meeting, minutes="x")
    with pytest.raises(PermissionDenied):
        services.body_meeting_schedule(
            actor=world.user("secretary_a"), body=s.joint, title="t", place="p", starts_at=timezone.now()
        )
    signed = services.meeting_sign_off(actor=leader, meeting=meeting)
    assert signed.locked
    # The tracked action: owner, due date, status, closing evidence; closed by its owner.
    action = TrackedAction.objects.get(pk=s.action.pk)
    assert (action.owner_label, action.status) == ("社区党建办", "open")
    with pytest.raises(BranchworkError):
        services.action_close(actor=leader, action=action, evidence="  ")
    closed = services.action_close(actor=leader, action=action, evidence="已约谈 3 个小区书记。")
    assert closed.status == "done" and closed.closed_on == timezone.localdate() and closed.closed_by == leader
    with pytest.raises(BranchworkError):
        services.action_close(actor=leader, action=closed, evidence="again")
    assert s.done_action.evidence_file and s.done_action.evidence_type == "image/jpeg"
    # A body's resolution is never handed to the problem tracker; tracked twice is refused.
    with pytest.raises(BranchworkError):
        services.action_track(
            actor=leader, resolution=s.resolution, owner_label="x", due_on=timezone.localdate()
        )


def test_branch_meeting_resolutions_can_be_tracked_too(world):
    meeting = schedule(world)
    resolution = services.resolution_add(
        actor=world.user("secretary_a"), meeting=meeting, text="制定停车管理办法"
    )
    action = services.action_track(
        actor=world.user("secretary_a"),
        resolution=resolution,
        owner_label="甲居民区居委会",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    assert action.resolution.meeting.branch_id == world.branch_a.pk
    with pytest.raises(PermissionDenied):
        services.action_track(
            actor=world.user("admin"), resolution=resolution, owner_label="x", due_on=timezone.localdate()
        )


def test_a_meeting_has_exactly_one_organiser_in_the_database(world):
    s = build_steering(world)
    base = {"street": world.street, "title": "t", "place": "p", "starts_at": timezone.now()}
    for extra in (
        {"branch": world.branch_a, "body": s.leadership, "kind": "body"},
        {"kind": "body"},
        {"body": s.leadership, "kind": "branch"},
        {"branch": world.branch_a, "kind": "body"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.create(**base, **extra)


def test_the_door_keeps_the_leadership_groups_minutes_to_the_street_and_its_members(world):
    s = build_steering(world)

    def sees(name, obj):
        return visible(world.user(name), type(obj)).filter(pk=obj.pk).exists()

    for name in ("admin", "leader"):
        assert sees(name, s.lead_meeting) and sees(name, s.resolution) and sees(name, s.action)
    # secretary_a sits on the joint meeting, not on the leadership group.
    assert sees("secretary_a", s.joint_meeting) and not sees("secretary_a", s.lead_meeting)
    assert not sees("secretary_a", s.resolution) and not sees("secretary_a", s.leadership)
    for name in ("secretary_b", "member_a", "other_admin", "staff_x", "oc_a1"):
        assert not sees(name, s.lead_meeting) and not sees(name, s.joint_meeting)
    # Branch meetings keep their old answers.
    branch_meeting = schedule(world)
    assert sees("secretary_a", branch_meeting) and sees("admin", branch_meeting)
    assert not sees("secretary_b", branch_meeting)


# ---- the plan -----------------------------------------------------------------------------------------


def test_measurable_milestones_are_ticked_from_the_data(world):
    s = build_steering(world)
    today = timezone.localdate()
    facts = plan_facts(world.street.pk, today)
    assert (facts.areas, facts.branches_formed, facts.pilot_branches) == (2, 2, 1)
    rows = {r.milestone.title: r for r in street_milestones(world.street.pk, today)}
    assert rows["联合党支部全部组建"].state == rules.DONE and rows["联合党支部全部组建"].measure.value == "2"
    assert rows["印发工作机制"].state == rules.DONE
    assert rows["末位物业整改验收"].state == rules.OVERDUE
    assert [r.milestone.title for r in overdue_milestones(world.street)] == ["末位物业整改验收"]
    # Street-wide party share of the committees in office: the world has one member, a party member.
    stage = s.plan.stages.get(number=2)
    party = services.milestone_add(
        actor=world.user("admin"),
        stage=stage,
        title="党员占比 55%",
        owner_label="党建办",
        due_on=today - dt.timedelta(days=1),
        metric=Metric.OC_PARTY_SHARE,
    )
    committee = world.committee_a1

    def party_state():
        return {r.milestone.pk: r for r in street_milestones(world.street.pk, today)}[party.pk]

    assert party_state().state == rules.DONE  # 1 of 1 = 100 %
    # 11 of 20 = 55 %: met at the bound; one more non-member: 11 of 21 = 52.4 %: overdue.
    CommitteeMember.objects.bulk_create(
        [CommitteeMember(committee=committee, name=f"党员{i}", is_party_member=True) for i in range(10)]
        + [CommitteeMember(committee=committee, name=f"群众{i}") for i in range(9)]
    )
    assert plan_facts(world.street.pk, today).oc_members == 20
    assert party_state().state == rules.DONE and party_state().measure.value == "55.0 %"
    CommitteeMember.objects.create(committee=committee, name="群众九")
    assert party_state().state == rules.OVERDUE and party_state().measure.value == "52.4 %"


def test_manual_milestones_are_ticked_by_the_admin_with_evidence(world):
    s = build_steering(world)
    with pytest.raises(PermissionDenied):
        services.milestone_tick(actor=world.user("leader"), milestone=s.open_manual, evidence="x")
    with pytest.raises(BranchworkError):
        services.milestone_tick(actor=world.user("admin"), milestone=s.open_manual, evidence="")
    measurable = s.plan.stages.get(number=2).milestones.get(metric=Metric.BRANCHES_FORMED)
    with pytest.raises(BranchworkError):
        services.milestone_tick(actor=world.user("admin"), milestone=measurable, evidence="by hand")
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(BranchworkError):  # the document cleaner refuses what is not a PDF or a photo
        services.milestone_tick(
            actor=world.user("admin"),
            milestone=s.open_manual,
            evidence="验收完成",
            upload=SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>"),
        )
    ticked = services.milestone_tick(actor=world.user("admin"), milestone=s.open_manual, evidence="验收完成")
    assert ticked.done_on == timezone.localdate() and ticked.ticked_by == world.user("admin")
    assert s.manual.evidence_file and s.manual.evidence_type == "image/jpeg"


def test_plan_stages_follow_each_other_and_pilots_are_branches_or_companies(world):
    today = timezone.localdate()
    with pytest.raises(BranchworkError):
        services.plan_create(
            actor=world.user("admin"),
            street=world.street,
            title="计划",
            stages=[
                ("一", "", today, today + dt.timedelta(days=10)),
                ("二", "", today + dt.timedelta(days=5), today),
            ],
        )
    with pytest.raises(BranchworkError):
        services.pilot_set(actor=world.user("admin"), street=world.street, programme="x", since=today)
    pilot = services.pilot_set(
        actor=world.user("admin"),
        street=world.street,
        company=world.company_x,
        programme="提质增效和经费公开",
        agreement="党建联建协议",
        since=today,
    )
    assert pilot.company_id == world.company_x.pk and pilot.branch_id is None
    with pytest.raises(BranchworkError):
        services.pilot_set(
            actor=world.user("other_admin"),
            street=world.other_street,
            company=world.company_x,
            programme="x",
            since=today,
        )


def test_the_steering_pages_read_in_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    s = build_steering(world)
    for i in range(6):  # more rows must not mean more queries
        resolution = services.resolution_add(
            actor=world.user("admin"), meeting=s.lead_meeting, text=f"决议{i}"
        )
        services.action_track(
            actor=world.user("admin"),
            resolution=resolution,
            owner_label="管理办",
            due_on=timezone.localdate(),
        )
    client.force_login(world.user("admin"))
    for url in (
        "/branch/bodies/",
        f"/branch/bodies/{s.leadership.pk}/",
        "/branch/actions/?state=all",
        "/plan/",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
