"""The rectification loop through the services: legal and illegal transitions, who may act,
deadlines in working days, escalation, reopening, notifications and audit."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.problems import services
from gongzhi.problems.models import Problem, ProblemEvent, Status
from gongzhi.problems.services import ProblemError
from gongzhi.problems.tests.office_helpers import png

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def report(world, categories, code="parking", who="owner_a1", **kw):
    return services.problem_report(
        actor=world.user(who),
        estate=world.estate_a1,
        category=categories[code],
        description="楼下乱停车,消防通道被堵",
        **kw,
    )


def test_report_gets_a_tracking_number_and_tells_the_branch(world, categories):
    problem = report(world, categories)
    assert problem.number == f"WT-{problem.created_at.astimezone(SHANGHAI).year}-{problem.pk:06d}"
    assert problem.status == Status.REPORTED and problem.reporter == world.user("owner_a1")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {
        "secretary_a",
        "member_a",
    }  # the area's branch; not the company, not the street (not urgent)


def test_urgent_category_also_alerts_the_street(world, categories):
    problem = report(world, categories, code="ebike")
    assert problem.urgent
    assert Notification.objects.filter(user__username="admin", urgent=True).exists()


def test_resident_cannot_report_for_another_estate(world, categories):
    with pytest.raises(PermissionDenied):
        services.problem_report(
            actor=world.user("owner_a1"),
            estate=world.estate_b1,
            category=categories["parking"],
            description="别的小区的问题",
        )


def test_patrol_source_is_for_the_branch_not_for_residents(world, categories):
    with pytest.raises(PermissionDenied):
        report(world, categories, source="patrol")
    problem = report(world, categories, who="member_a", source="patrol")
    assert problem.source == "patrol"


def test_full_loop_to_closure_with_working_day_deadline(world, categories):
    with time_machine.travel(at("2026-02-12"), tick=False):  # Thursday before the 2026 Spring Festival
        problem = report(world, categories)
        problem = services.problem_accept(actor=world.user("secretary_a"), problem=problem)
    # 10 working days from 12 Feb 2026: 13 (Fri), 14 (make-up Sat), holiday 15–23, 24, 25, 26, 27, 28 (make-up Sat), 2, 3, 4 Mar
    assert problem.deadline == dt.date(2026, 3, 4) and not problem.deadline_provisional
    assert problem.status == Status.ASSIGNED and problem.company == world.company_x
    assert Notification.objects.filter(user__username="staff_x").exists()

    services.problem_progress(actor=world.user("staff_x"), problem=problem, note="已联系车主挪车")
    services.problem_submit(
        actor=world.user("staff_x"), problem=problem, note="已划线并设置隔离桩", photos=[png()]
    )
    services.problem_close(actor=world.user("secretary_a"), problem=problem, note="现场核实通道畅通")
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED and problem.closed_at is not None
    actions = list(problem.events.values_list("action", flat=True))
    assert actions == ["report", "accept", "progress", "submit", "close"]
    assert AuditEvent.objects.filter(object_type="problems.Problem", object_id=str(problem.pk)).count() == 5


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "close"),  # cannot close an unaccepted report
        (["accept"], "close"),  # no closing without the assignee's submission and verification
        (["accept"], "send_back"),
        (["accept", "submit"], "accept"),
        (["accept", "submit", "close"], "submit"),
        (["reject"], "accept"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(world, categories, steps, illegal):
    problem = report(world, categories)
    actors = {
        "accept": "secretary_a",
        "reject": "secretary_a",
        "submit": "staff_x",
        "close": "secretary_a",
        "send_back": "secretary_a",
    }
    calls = {
        "accept": lambda u, p: services.problem_accept(actor=u, problem=p),
        "reject": lambda u, p: services.problem_reject(actor=u, problem=p, reason="不属于物业管理范围"),
        "submit": lambda u, p: services.problem_submit(actor=u, problem=p, note="完成", photos=[png()]),
        "close": lambda u, p: services.problem_close(actor=u, problem=p),
        "send_back": lambda u, p: services.problem_send_back(actor=u, problem=p, note="不合格"),
    }
    for step in steps:
        calls[step](world.user(actors[step]), problem)
    problem.refresh_from_db()
    status, events = problem.status, ProblemEvent.objects.count()
    with pytest.raises((ProblemError, PermissionDenied)):
        calls[illegal](world.user(actors[illegal]), problem)
    problem.refresh_from_db()
    assert problem.status == status and ProblemEvent.objects.count() == events


@pytest.mark.parametrize("intruder", ["secretary_b", "staff_x", "oc_a1", "leader", "owner_a1"])
def test_only_the_areas_branch_accepts(world, categories, intruder):
    problem = report(world, categories)
    with pytest.raises(PermissionDenied):
        services.problem_accept(actor=world.user(intruder), problem=problem)


def test_only_the_assignee_submits(world, categories):
    problem = services.problem_accept(actor=world.user("secretary_a"), problem=report(world, categories))
    for intruder in ("secretary_b", "oc_a1", "owner_a1"):
        with pytest.raises(PermissionDenied):
            services.problem_submit(actor=world.user(intruder), problem=problem, note="x", photos=[png()])
    # assigned to the owners' committee instead: now the OC acts, the company does not
    other = services.problem_accept(
        actor=world.user("secretary_a"), problem=report(world, categories, code="fund")
    )
    assert other.carriage == "owners_committee"
    with pytest.raises(PermissionDenied):
        services.problem_submit(actor=world.user("staff_x"), problem=other, note="x", photos=[png()])
    services.problem_submit(
        actor=world.user("oc_a1"), problem=other, note="已公示维修资金使用情况", photos=[png()]
    )


def test_send_back_returns_to_the_assignee(world, categories):
    problem = services.problem_accept(actor=world.user("secretary_a"), problem=report(world, categories))
    services.problem_submit(actor=world.user("staff_x"), problem=problem, note="完成", photos=[png()])
    with pytest.raises(ProblemError, match="请填写说明"):
        services.problem_send_back(actor=world.user("secretary_a"), problem=problem, note="")
    services.problem_send_back(actor=world.user("secretary_a"), problem=problem, note="隔离桩未安装")
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS


def test_reject_needs_a_reason_and_tells_the_reporter(world, categories):
    problem = report(world, categories)
    services.problem_reject(
        actor=world.user("secretary_a"), problem=problem, reason="属于市政道路,已转交城管"
    )
    problem.refresh_from_db()
    assert problem.status == Status.REJECTED
    assert Notification.objects.filter(user__username="owner_a1", text__contains="已转交城管").exists()


def _closed(world, categories, when="2026-03-02"):
    with time_machine.travel(at(when), tick=False):
        problem = services.problem_accept(actor=world.user("secretary_a"), problem=report(world, categories))
        services.problem_submit(actor=world.user("staff_x"), problem=problem, note="完成", photos=[png()])
        return services.problem_close(actor=world.user("secretary_a"), problem=problem)


def test_reporter_rates_once(world, categories):
    problem = _closed(world, categories)
    with pytest.raises(PermissionDenied):
        services.problem_rate(actor=world.user("secretary_a"), problem=problem, rating=5)
    services.problem_rate(actor=world.user("owner_a1"), problem=problem, rating=4, comment="满意")
    with pytest.raises(ProblemError):
        services.problem_rate(actor=world.user("owner_a1"), problem=problem, rating=5)
    problem.refresh_from_db()
    assert problem.rating == 4


def test_reporter_reopens_once_within_the_window(world, categories):
    problem = _closed(world, categories, when="2026-03-02")
    with time_machine.travel(at("2026-04-01"), tick=False):  # day 30 after closure: still allowed
        services.problem_reopen(actor=world.user("owner_a1"), problem=problem, note="又有人乱停")
    problem.refresh_from_db()
    assert problem.status == Status.ASSIGNED and problem.reopen_count == 1
    assert problem.deadline == dt.date(2026, 4, 16)  # 10 working days after 1 Apr 2026 (Qingming 4–6 Apr off)
    services.problem_submit(actor=world.user("staff_x"), problem=problem, note="再次整改", photos=[png()])
    services.problem_close(actor=world.user("secretary_a"), problem=problem)
    with pytest.raises(ProblemError):
        services.problem_reopen(actor=world.user("owner_a1"), problem=problem, note="还是不行")


def test_reopen_window_closes_after_30_days(world, categories):
    problem = _closed(world, categories, when="2026-03-02")
    with time_machine.travel(at("2026-04-02"), tick=False), pytest.raises(ProblemError, match="30 天内"):
        services.problem_reopen(actor=world.user("owner_a1"), problem=problem, note="又坏了")


def test_escalation_marks_once_and_alerts_branch_street_and_company(world, categories):
    with time_machine.travel(at("2026-03-02"), tick=False):
        problem = services.problem_accept(
            actor=world.user("secretary_a"), problem=report(world, categories, code="ebike")
        )
    assert problem.deadline == dt.date(2026, 3, 4)  # 2 working days for e-bike charging
    Notification.objects.all().delete()
    assert (
        services.problems_escalate_overdue(today=dt.date(2026, 3, 4)) == 0
    )  # the deadline day itself is not overdue
    assert services.problems_escalate_overdue(today=dt.date(2026, 3, 5)) == 1
    assert services.problems_escalate_overdue(today=dt.date(2026, 3, 6)) == 0  # idempotent
    problem.refresh_from_db()
    assert problem.overdue_since == dt.date(2026, 3, 5)
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"secretary_a", "member_a", "admin", "staff_x"}
    assert Problem.objects.overdue(dt.date(2026, 3, 5)).get() == problem


def test_too_many_reports_in_an_hour_are_refused(world, categories):
    for _ in range(5):
        report(world, categories)
    with pytest.raises(ProblemError, match="一小时内"):
        report(world, categories)
    assert Problem.objects.count() == 5


def test_office_findings_are_not_rate_limited(world, categories):
    # A secretary handing over the resolutions of one meeting files more than five at once.
    for _ in range(7):
        report(world, categories, who="secretary_a", source="meeting")
    assert Problem.objects.filter(source="meeting").count() == 7


def test_accept_without_a_contract_says_why(world, categories):
    world.contract_a1.delete()
    problem = report(world, categories)
    with pytest.raises(ProblemError, match="没有在管的物业服务合同"):
        services.problem_accept(actor=world.user("secretary_a"), problem=problem)
    problem.refresh_from_db()
    assert problem.status == Status.REPORTED and problem.events.count() == 1


def test_provisional_deadline_is_recounted_once_the_calendar_knows_the_year(world, categories, monkeypatch):
    """A deadline reaching 2027 is provisional (weekends and statutory holidays only); when the package
    learns 2027 it is recounted with the published arrangement."""
    with time_machine.travel(at("2026-12-24"), tick=False):
        problem = services.problem_accept(actor=world.user("secretary_a"), problem=report(world, categories))
    assert problem.deadline_provisional
    assert problem.deadline == dt.date(2027, 1, 8)  # 10 working days after 24 Dec 2026, 元旦 1 Jan skipped
    assert services.problems_recompute_provisional_deadlines() == 0  # 2027 still unknown: unchanged

    import chinese_calendar

    real = chinese_calendar.is_workday

    def with_2027(day):  # pretend the 2027 arrangement is published: 1 Jan a holiday, Monday 4 Jan bridged
        if day.year == 2027:
            return day.weekday() < 5 and day not in (dt.date(2027, 1, 1), dt.date(2027, 1, 4))
        return real(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", with_2027)
    assert services.problems_recompute_provisional_deadlines() == 1
    problem.refresh_from_db()
    assert problem.deadline == dt.date(2027, 1, 11) and not problem.deadline_provisional


def test_reopened_problem_goes_to_the_company_holding_the_contract_now(world, categories):
    problem = _closed(world, categories, when="2026-03-02")
    world.contract_a1.end_date = dt.date(2026, 3, 10)
    world.contract_a1.save()
    from gongzhi.registry.models import Contract

    Contract.objects.create(
        company=world.company_y,
        estate=world.estate_a1,
        start_date=dt.date(2026, 3, 11),
        end_date=dt.date(2028, 3, 10),
        fee_standard="0.90",
    )
    with time_machine.travel(at("2026-03-20"), tick=False):
        services.problem_reopen(actor=world.user("owner_a1"), problem=problem, note="又有人乱停")
    problem.refresh_from_db()
    assert problem.company == world.company_y


def test_a_stranger_submitting_with_a_bad_photo_gets_403_not_a_photo_error(world, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    problem = services.problem_accept(actor=world.user("secretary_a"), problem=report(world, categories))
    with pytest.raises(PermissionDenied):
        services.problem_submit(
            actor=world.user("oc_a1"),
            problem=problem,
            note="x",
            photos=[SimpleUploadedFile("x.jpg", b"not an image")],
        )


def test_the_service_refuses_a_submission_without_a_photo_and_writes_nothing(world, categories):
    """The form requires the photo, and so does the service: any other caller is held to it too."""
    problem = services.problem_accept(
        actor=world.user("secretary_a"),
        problem=services.problem_report(
            actor=world.user("owner_a1"),
            estate=world.estate_a1,
            category=categories["parking"],
            description="楼下乱停车，消防通道被堵",
            source="resident",
        ),
    )
    events = ProblemEvent.objects.filter(problem=problem).count()
    audits = AuditEvent.objects.count()
    with pytest.raises(ProblemError, match="提交验收须附至少一张整改后的现场照片"):
        services.problem_submit(actor=world.user("staff_x"), problem=problem, note="已整改")
    fresh = Problem.objects.get(pk=problem.pk)
    assert fresh.status == Status.ASSIGNED and fresh.submitted_at is None
    assert ProblemEvent.objects.filter(problem=problem).count() == events
    assert AuditEvent.objects.count() == audits
    assert not Notification.objects.filter(text__contains="已提交整改").exists()
