"""数据体检 plug-in of the problems (problems/health.py): steps in causal order, staff on their own
company's estates. Company X manages estates A1 and B1; staff_x works for X."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.health import ERROR, run_health
from gongzhi.problems.models import Problem, ProblemEvent
from gongzhi.problems.services import category_defaults_ensure, problem_report


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def _problem(world, estate):
    category = category_defaults_ensure(street=world.street)[0]
    return problem_report(
        actor=world.user("admin"), estate=estate, category=category, description="楼道堆物", source="patrol"
    )


def test_a_step_before_the_report_is_an_error(world):
    code = "problems.problem_dates_in_order"
    problem = _problem(world, world.estate_a1)
    Problem.objects.filter(pk=problem.pk).update(accepted_at=problem.created_at + dt.timedelta(hours=2))
    assert _findings(world, code) == []
    Problem.objects.filter(pk=problem.pk).update(closed_at=problem.created_at - dt.timedelta(days=1))
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and f"问题{problem.number}：销项时间" in message and "早于报告时间" in message


def test_staff_acting_on_another_companys_estate_is_an_error(world):
    code = "problems.staff_act_on_their_estates"
    staff = world.user("staff_x")
    own, other = _problem(world, world.estate_a1), _problem(world, world.estate_a2)
    ProblemEvent.objects.create(problem=own, actor=staff, action="progress", note="已安排保洁")
    assert _findings(world, code) == []
    for note in ("已清理", "已拍照"):
        ProblemEvent.objects.create(
            problem=other, actor=staff, action="progress", note=note, at=timezone.now()
        )
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith(f"甲二小区 问题{other.number}：物业公司员工")


def test_a_submission_for_verification_without_a_photo_is_an_error(world):
    from gongzhi.problems.models import ProblemPhoto
    from gongzhi.problems.services import problem_accept, problem_submit
    from gongzhi.problems.tests.office_helpers import png

    code = "problems.submissions_have_photos"
    problem = _problem(world, world.estate_a1)
    problem_accept(actor=world.user("secretary_a"), problem=problem)
    problem_submit(actor=world.user("staff_x"), problem=problem, note="已清理", photos=[png()])
    assert _findings(world, code) == []  # through the service a submission always has its photo
    ProblemPhoto.objects.filter(problem=problem).delete()  # a submission written around the service
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith(f"甲一小区 问题{problem.number}：")
    assert message.endswith("提交验收时没有附整改照片。")
