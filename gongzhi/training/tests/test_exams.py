"""Exams on the server: timing (time-machine), all-or-nothing scoring, retakes, the page never sees the
answers before submission, results, certificate PDF."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.training import rules, services
from gongzhi.training.models import Attempt
from gongzhi.training.tests.helpers import answers_all_right, make_bank, make_exam

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def exam(world):
    return make_exam(world, make_bank(world))


def _participant(exam, world, name="oc_a1"):
    return exam.participants.get(user=world.user(name))


def test_scoring_all_or_nothing_per_question():
    assert rules.answer_correct([0, 1, 3], [0, 1, 3]) is True
    assert rules.answer_correct([0, 1], [0, 1, 3]) is False  # one missing
    assert rules.answer_correct([0, 1, 2, 3], [0, 1, 3]) is False  # one too many
    assert rules.answer_correct([], [1]) is False
    assert rules.passes(3, 5, 60) is True and rules.passes(2, 5, 60) is False
    assert rules.passes(2, 3, 67) is False and rules.passes(2, 3, 66) is True  # 66.67 %
    assert rules.score_percent(2, 3) == rules.score_percent(2, 3).quantize(rules.score_percent(0, 1))


def test_time_limit_is_enforced_on_the_server(world, exam):
    user = world.user("oc_a1")
    with time_machine.travel(START, tick=False):
        attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    assert attempt.deadline_at == START + dt.timedelta(minutes=10)
    with time_machine.travel(START + dt.timedelta(minutes=10, seconds=30), tick=False):
        result = services.attempt_submit(actor=user, attempt=attempt, answers=answers_all_right(attempt))
    assert result.late is False and result.attempt.correct_count == 3 and result.attempt.passed


def test_late_answers_do_not_count(world, exam):
    user = world.user("oc_a1")
    with time_machine.travel(START, tick=False):
        attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    with time_machine.travel(START + dt.timedelta(minutes=10, seconds=31), tick=False):
        result = services.attempt_submit(actor=user, attempt=attempt, answers=answers_all_right(attempt))
    attempt = Attempt.objects.get()
    assert result.late is True and attempt.late is True
    assert attempt.correct_count == 0 and attempt.passed is False and attempt.certificate_code == ""


def test_late_submission_through_the_page(client, world, exam):
    client.force_login(world.user("oc_a1"))
    participant = _participant(exam, world)
    with time_machine.travel(START, tick=False):
        client.post(reverse("training:start", args=[participant.pk]))
    attempt = Attempt.objects.get()
    data = {f"q{qid}": positions for qid, positions in answers_all_right(attempt).items()}
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        response = client.post(reverse("training:take", args=[attempt.pk]), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.late and attempt.correct_count == 0


def test_the_page_never_receives_the_answers(client, world, exam):
    client.force_login(world.user("oc_a1"))
    participant = _participant(exam, world)
    response = client.post(reverse("training:start", args=[participant.pk]))
    page = client.get(response["Location"]).content.decode()
    assert "业主大会会议作出决定" in page and "三分之二以上" in page
    assert "见相关规定" not in page  # no explanation
    assert "正确答案" not in page and "is-right" not in page and "is_correct" not in page


def test_multiple_choice_partial_answer_scores_zero_and_result_shows_explanations(client, world, exam):
    user = world.user("oc_a1")
    attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    answers = answers_all_right(attempt)
    multiple = next(q for q in exam.fixed_questions.all() if q.kind == "multiple")
    answers[multiple.pk] = answers[multiple.pk][:2]
    services.attempt_submit(actor=user, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.correct_count == 2 and str(attempt.percent) == "66.7" and attempt.passed  # pass mark 60
    assert attempt.answers.get(question=multiple).is_correct is False
    client.force_login(user)
    page = client.get(reverse("training:result", args=[attempt.pk])).content.decode()
    assert "见相关规定" in page and "正确答案" in page


def test_retake_rule_max_attempts_and_cooling_off(world):
    exam = make_exam(world, make_bank(world), max_attempts=2, cooling_off_hours=24)
    user, participant = world.user("oc_a1"), _participant(exam, world)
    with time_machine.travel(START, tick=False):
        first = services.attempt_start(actor=user, participant=participant)
        services.attempt_submit(actor=user, attempt=first, answers={})
    with time_machine.travel(START + dt.timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(services.TrainingError) as error:
            services.attempt_start(actor=user, participant=participant)
        assert "补考须间隔" in error.value.message
    with time_machine.travel(START + dt.timedelta(hours=24), tick=False):
        second = services.attempt_start(actor=user, participant=participant)
        services.attempt_submit(actor=user, attempt=second, answers={})
    with time_machine.travel(START + dt.timedelta(days=5), tick=False):
        with pytest.raises(services.TrainingError) as error:
            services.attempt_start(actor=user, participant=participant)
        assert "次数已用完" in error.value.message


def test_no_retake_after_a_pass_and_an_open_attempt_is_resumed(world, exam):
    user, participant = world.user("oc_a1"), _participant(exam, world)
    attempt = services.attempt_start(actor=user, participant=participant)
    assert services.attempt_start(actor=user, participant=participant) == attempt  # resumed, not a new one
    services.attempt_submit(actor=user, attempt=attempt, answers=answers_all_right(attempt))
    with pytest.raises(services.TrainingError) as error:
        services.attempt_start(actor=user, participant=participant)
    assert "已通过" in error.value.message
    with pytest.raises(services.TrainingError):
        services.attempt_submit(actor=user, attempt=attempt, answers={})  # no second submission


def test_participants_come_from_the_target_groups(world, exam):
    names = set(exam.participants.values_list("user__username", flat=True))
    assert names == {"oc_a1", "secretary_a", "secretary_b", "member_a"}
    assert exam.participants.get(user__username="oc_a1").group == "oc_members"


def test_question_validation_in_chinese(world):
    with pytest.raises(services.TrainingError) as error:
        services.question_save(
            actor=world.user("admin"),
            street=world.street,
            topic="law",
            kind="multiple",
            text="多选题",
            choices=[("甲", True), ("乙", False), ("丙", False)],
        )
    assert "多选题至少 2 个正确答案" in error.value.message


def test_certificate_pdf_has_title_name_and_code(client, world, exam):
    user = world.user("oc_a1")
    attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    services.attempt_submit(actor=user, attempt=attempt, answers=answers_all_right(attempt))
    attempt.refresh_from_db()
    client.force_login(user)
    response = client.get(reverse("training:certificate", args=[attempt.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "培训考试合格证书" in text and "甲一业委会" in text and attempt.certificate_code in text
    assert "参加“物业管理知识测试”" in text and "100.0" in text


def test_results_page_groups_export_and_query_count(client, world, exam):
    user = world.user("oc_a1")
    attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    services.attempt_submit(actor=user, attempt=attempt, answers=answers_all_right(attempt))
    client.force_login(world.user("leader"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("training:exam", args=[exam.pk])).content.decode()
    assert "业委会委员" in page and "100.0%" in page and "chart-groups" in page
    assert len(ctx.captured_queries) <= 40
    export = client.get(reverse("training:exam_export", args=[exam.pk]))
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 5
    assert [r for r in rows if r[0] == "甲一业委会"][0][6] == "合格"
    assert timezone.now()


def test_exam_created_on_the_page_random_or_fixed(as_user, world):
    from gongzhi.training.models import Exam

    questions = make_bank(world)
    client = as_user("admin")
    base = {
        "title": "随机卷",
        "groups": ["oc_members"],
        "time_limit_minutes": 15,
        "pass_mark": 80,
        "max_attempts": 1,
        "cooling_off_hours": 0,
        "mode": "random",
        "n_law": 1,
        "n_fire": 1,
    }
    assert client.post(reverse("training:exam_create"), base).status_code == 302
    exam = Exam.objects.get(title="随机卷")
    assert exam.random_per_topic == {"law": 1, "fire": 1} and exam.participants.count() == 1
    # Asking for more questions than a topic holds is refused in Chinese, nothing is created.
    page = client.post(
        reverse("training:exam_create"), {**base, "title": "太多", "n_law": 5}
    ).content.decode()
    assert "只有 1 道启用的试题" in page and not Exam.objects.filter(title="太多").exists()
    fixed = {
        **base,
        "title": "固定卷",
        "mode": "fixed",
        "fixed_questions": [questions[0].pk, questions[2].pk],
    }
    assert client.post(reverse("training:exam_create"), fixed).status_code == 302
    exam = Exam.objects.get(title="固定卷")
    assert set(exam.fixed_questions.values_list("pk", flat=True)) == {questions[0].pk, questions[2].pk}
    assert exam.random_per_topic == {}


def test_random_exam_draws_per_topic_at_start(world):
    make_bank(world)
    exam = services.exam_create(
        actor=world.user("admin"),
        street=world.street,
        title="随机",
        groups=["oc_members"],
        time_limit_minutes=5,
        pass_mark=60,
        max_attempts=1,
        cooling_off_hours=0,
        random_per_topic={"law": 1, "fund": 1},
    )
    services.exam_set_status(actor=world.user("admin"), exam=exam, status="open")
    user = world.user("oc_a1")
    attempt = services.attempt_start(actor=user, participant=_participant(exam, world))
    from gongzhi.training.models import Question

    topics = sorted(Question.objects.filter(pk__in=attempt.question_ids).values_list("topic", flat=True))
    assert topics == ["fund", "law"] and attempt.question_count == 2


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(as_user, world):
    make_bank(world)
    client = as_user("admin")
    client.get(reverse("training:questions"))
    questions_before = _count(client, reverse("training:questions"))
    exams_before = _count(client, reverse("training:exams"))
    for _ in range(5):
        make_exam(world, make_bank(world))
    assert _count(client, reverse("training:questions")) == questions_before
    assert _count(client, reverse("training:exams")) == exams_before
    oc = as_user("oc_a1")
    assert _count(oc, reverse("training:my")) <= 40


def test_opening_an_exam_notifies_its_participants(world, exam):
    from gongzhi.core.models import Notification

    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"oc_a1", "secretary_a", "secretary_b", "member_a"}


# ---- unanswered questions (issue 15) -----------------------------------------------------------------


def test_unanswered_numbers_are_the_page_numbers_of_blank_questions():
    assert rules.unanswered([11, 12, 13], {11: [0], 12: [], 13: [1, 2]}) == [2]
    assert rules.unanswered([11, 12, 13], {}) == [1, 2, 3]
    assert rules.unanswered([11], {11: [3]}) == []


def test_a_paper_with_unanswered_questions_comes_back_unless_confirmed(client, world, exam):
    client.force_login(world.user("oc_a1"))
    participant = _participant(exam, world)
    with time_machine.travel(START, tick=False):
        client.post(reverse("training:start", args=[participant.pk]))
    attempt = Attempt.objects.get()
    right = answers_all_right(attempt)
    first = attempt.question_ids[0]
    data = {f"q{first}": right[first]}  # questions 2 and 3 left blank
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        response = client.post(reverse("training:take", args=[attempt.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "还有 2 题未作答" in page and "第 2、3 题未选答案" in page
    # the answer already given is still ticked; nothing is recorded
    assert f'name="q{first}" value="{right[first][0]}" checked' in page
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not attempt.answers.exists()

    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        response = client.post(
            reverse("training:take", args=[attempt.pk]), {**data, "confirm_unanswered": "1"}
        )
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.correct_count == 1 and not attempt.passed


def test_a_complete_paper_needs_no_confirmation(client, world, exam):
    client.force_login(world.user("oc_a1"))
    client.post(reverse("training:start", args=[_participant(exam, world).pk]))
    attempt = Attempt.objects.get()
    data = {f"q{qid}": positions for qid, positions in answers_all_right(attempt).items()}
    response = client.post(reverse("training:take", args=[attempt.pk]), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.passed
