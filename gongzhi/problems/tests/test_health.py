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
