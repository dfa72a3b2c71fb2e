"""数据体检 plug-in of the exams (training/health.py): attempts after the exam existed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.health import ERROR, run_health
from gongzhi.training.models import Attempt, Exam, Participant


def _findings(world):
    (result,) = run_health(street=world.street, only=["training.attempts_after_exam"]).results
    return [(f.severity, f.message) for f in result.findings]


def test_an_attempt_before_the_exam_was_created_is_an_error(world):
    exam = Exam.objects.create(street=world.street, title="物业政策考试", time_limit_minutes=30, pass_mark=60)
    person = Participant.objects.create(exam=exam, name="王建国", group="oc_members")
    start = exam.created_at + dt.timedelta(hours=1)
    attempt = Attempt.objects.create(
        participant=person,
        number=1,
        started_at=start,
        deadline_at=start + dt.timedelta(minutes=30),
        submitted_at=start + dt.timedelta(minutes=20),
    )
    assert _findings(world) == []
    Attempt.objects.filter(pk=attempt.pk).update(started_at=exam.created_at - dt.timedelta(days=3))
    ((severity, message),) = _findings(world)
    assert (
        severity == ERROR
        and message.startswith("考试“物业政策考试”创建于")
        and "有1次答题早于创建时间" in message
    )


def test_a_submission_before_the_start_is_an_error(world):
    exam = Exam.objects.create(street=world.street, title="物业政策考试", time_limit_minutes=30, pass_mark=60)
    person = Participant.objects.create(exam=exam, name="王建国", group="oc_members")
    start = timezone.now() + dt.timedelta(hours=1)
    Attempt.objects.create(
        participant=person,
        number=1,
        started_at=start,
        deadline_at=start + dt.timedelta(minutes=30),
        submitted_at=start - dt.timedelta(minutes=5),
    )
    ((severity, message),) = _findings(world)
    assert severity == ERROR and "交卷时间早于开始时间" in message
