"""A small question bank and an open exam on the persona world, shared by the training tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongzhi.training import services
from gongzhi.training.models import Attempt, Exam, ExamStatus, Participant, Question


@dataclass
class ExamWorld:
    questions: list[Question]
    exam: Exam
    oc_participant: Participant
    passed_attempt: Attempt
    open_attempt: Attempt


BANK = [
    (
        "law",
        "single",
        "业主大会会议作出决定,应当有多少比例的业主参与表决?",
        [("过半数", False), ("三分之二以上", True), ("四分之三以上", False)],
    ),
    (
        "fund",
        "multiple",
        "下列哪些事项属于业主共同决定的事项?",
        [
            ("使用维修资金", True),
            ("改建重建建筑物", True),
            ("业主装修自家卫生间", False),
            ("选聘物业服务企业", True),
        ],
    ),
    ("fire", "true_false", "电动自行车可以在楼道内充电。", [("正确", False), ("错误", True)]),
]


def make_bank(world) -> list[Question]:
    admin = world.user("admin")
    return [
        services.question_save(
            actor=admin,
            street=world.street,
            topic=t,
            kind=k,
            text=text,
            explanation="见相关规定。",
            choices=choices,
        )
        for t, k, text, choices in BANK
    ]


def answers_all_right(attempt: Attempt) -> dict[int, list[int]]:
    result = {}
    for q in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices"):
        result[q.pk] = [c.position for c in q.choices.all() if c.is_correct]
    return result


def make_exam(world, questions, **kwargs) -> Exam:
    admin = world.user("admin")
    settings = {
        "time_limit_minutes": 10,
        "pass_mark": 60,
        "max_attempts": 2,
        "cooling_off_hours": 24,
        **kwargs,
    }
    exam = services.exam_create(
        actor=admin,
        street=world.street,
        title="物业管理知识测试",
        groups=["oc_members", "rc_heads"],
        fixed_questions=questions,
        **settings,
    )
    return services.exam_set_status(actor=admin, exam=exam, status=ExamStatus.OPEN)


def exam_world(world) -> ExamWorld:
    questions = make_bank(world)
    exam = make_exam(world, questions)
    oc = exam.participants.get(user=world.user("oc_a1"))
    earlier = timezone.now() - dt.timedelta(hours=1)
    attempt = services.attempt_start(actor=world.user("oc_a1"), participant=oc, now=earlier)
    services.attempt_submit(
        actor=world.user("oc_a1"),
        attempt=attempt,
        answers=answers_all_right(attempt),
        now=earlier + dt.timedelta(minutes=3),
    )
    secretary = exam.participants.get(user=world.user("secretary_a"))
    open_attempt = services.attempt_start(actor=world.user("secretary_a"), participant=secretary)
    attempt.refresh_from_db()
    return ExamWorld(questions, exam, oc, attempt, open_attempt)
