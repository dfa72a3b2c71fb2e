"""Exam integrity (issue 11): a closed exam takes no more answers, and a result page gives away the
right options only when no retake can use them.

What a result page shows (``rules.may_reveal_answers``):
- always: the score, pass/fail, which questions were right or wrong, and the participant's own choices;
- the right options and the explanations: only once the participant can no longer retake the exam
  (passed, attempts used up, or the exam closed) — and always to the street, who wrote the bank.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from gongzhi.training import services
from gongzhi.training.models import Answer, Attempt, ExamStatus
from gongzhi.training.tests.helpers import answers_all_right, make_bank, make_exam

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
RIGHT_OPTION = "三分之二以上"  # the right option of the single-choice question


def answers_all_wrong(attempt):
    """For each question a choice that is not (exactly) the right one."""
    right = answers_all_right(attempt)
    return {qid: [p for p in range(4) if p not in positions][:1] for qid, positions in right.items()}


@pytest.fixture
def exam(world):
    return make_exam(world, make_bank(world), max_attempts=2, cooling_off_hours=24)


def _start(world, exam, now=START, name="oc_a1"):
    participant = exam.participants.get(user=world.user(name))
    with time_machine.travel(now, tick=False):
        return services.attempt_start(actor=world.user(name), participant=participant)


# ---- a closed exam -----------------------------------------------------------------------------------


def test_a_submission_after_the_exam_is_closed_is_refused_and_nothing_is_stored(world, exam):
    attempt = _start(world, exam)
    services.exam_set_status(actor=world.user("admin"), exam=exam, status=ExamStatus.CLOSED)
    with (
        time_machine.travel(START + dt.timedelta(minutes=3), tick=False),
        pytest.raises(services.TrainingError, match="考试已结束"),
    ):
        services.attempt_submit(
            actor=world.user("oc_a1"), attempt=attempt, answers=answers_all_right(attempt)
        )
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.correct_count == 0 and not attempt.passed
    assert attempt.certificate_code == "" and not Answer.objects.exists()


def test_the_page_says_the_exam_is_closed_and_stores_nothing(client, world, exam):
    attempt = _start(world, exam)
    services.exam_set_status(actor=world.user("admin"), exam=exam, status=ExamStatus.CLOSED)
    client.force_login(world.user("oc_a1"))
    data = {f"q{qid}": positions for qid, positions in answers_all_right(attempt).items()}
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        response = client.post(reverse("training:take", args=[attempt.pk]), data, follow=True)
        assert response.redirect_chain[-1][0] == reverse("training:my")
        assert "考试已结束，答卷未保存" in response.content.decode()
        # the take page of a closed exam no longer shows the questions
        page = client.get(reverse("training:take", args=[attempt.pk]), follow=True)
        assert "业主大会会议作出决定" not in page.content.decode()
    assert Attempt.objects.get().submitted_at is None and not Answer.objects.exists()


# ---- what the result page reveals --------------------------------------------------------------------


def _result(client, world, attempt, name="oc_a1"):
    client.force_login(world.user(name))
    return client.get(reverse("training:result", args=[attempt.pk])).content.decode()


def test_a_failed_first_attempt_does_not_reveal_the_right_options(client, world, exam):
    attempt = _start(world, exam)
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        services.attempt_submit(
            actor=world.user("oc_a1"), attempt=attempt, answers=answers_all_wrong(attempt)
        )
        html = _result(client, world, attempt)
    assert "不合格" in html and "答对 0/3 题" in html and "✗" in html  # score and which were wrong
    assert "您的选择" in html  # their own choices
    assert "正确答案" not in html and "is-right" not in html and "见相关规定" not in html
    assert "才会显示各题的标准答案和解析" in html  # says why, and when they will see them
    # the retake draws the same questions: the right options would hand over a pass
    assert RIGHT_OPTION in html  # the option text is listed (it was on the exam paper) …
    assert f"{RIGHT_OPTION} <span" not in html  # … with no mark on it


def test_the_right_options_are_revealed_once_no_retake_is_left(client, world, exam):
    first = _start(world, exam)
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        services.attempt_submit(actor=world.user("oc_a1"), attempt=first, answers=answers_all_wrong(first))
    second = _start(world, exam, now=START + dt.timedelta(days=2))
    with time_machine.travel(START + dt.timedelta(days=2, minutes=3), tick=False):
        services.attempt_submit(actor=world.user("oc_a1"), attempt=second, answers=answers_all_wrong(second))
        for attempt in (first, second):
            html = _result(client, world, attempt)
            assert "正确答案" in html and "见相关规定" in html


def test_the_right_options_are_revealed_after_a_pass_or_once_the_exam_is_closed(client, world, exam):
    attempt = _start(world, exam)
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        services.attempt_submit(
            actor=world.user("oc_a1"), attempt=attempt, answers=answers_all_wrong(attempt)
        )
        assert "正确答案" not in _result(client, world, attempt)
        # the street (who wrote the bank) reads the full result
        assert "正确答案" in _result(client, world, attempt, name="admin")
        services.exam_set_status(actor=world.user("admin"), exam=exam, status=ExamStatus.CLOSED)
        assert "正确答案" in _result(client, world, attempt)
    other = make_exam(world, make_bank(world))
    passed = _start(world, other)
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        services.attempt_submit(actor=world.user("oc_a1"), attempt=passed, answers=answers_all_right(passed))
        assert "正确答案" in _result(client, world, passed)
