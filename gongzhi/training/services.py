"""Writes for training and exams. The server decides everything that counts: which questions an attempt
gets, when it started, whether it was submitted in time and which answers are right. Each write is audited
in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.dates import date_time
from gongzhi.core.errors import UserError
from gongzhi.core.keyed import Keyed
from gongzhi.core.models import AuditEvent, Role, RoleGrant
from gongzhi.core.scopes import scope_for
from gongzhi.registry.models import Street
from gongzhi.training import rules
from gongzhi.training.models import (
    Answer,
    Attempt,
    Choice,
    Exam,
    ExamStatus,
    Participant,
    Question,
    QuestionKind,
    TargetGroup,
    Topic,
)

TRUE_FALSE_CHOICES = ("正确", "错误")
MAX_CHOICES = 8


class TrainingError(UserError):
    """A refusal the user can act on; ``message`` is plain Chinese."""


def require_admin(actor, street_id: int) -> None:
    if not scope_for(actor).is_street_admin(street_id):
        raise PermissionDenied


# ---- questions -------------------------------------------------------------------------------------


def validate_question(kind: str, text: str, choices: list[tuple[str, bool]]) -> list[str]:
    """Plain-Chinese problems with a question (empty: fine). Shared by the form and the importer."""
    errors = []
    if kind not in QuestionKind.values:
        errors.append(_("题型应为单选题、多选题或判断题"))
        return errors
    if not (text or "").strip():
        errors.append(_("请填写题目"))
    texts = [t for t, _c in choices]
    correct = sum(1 for _t, c in choices if c)
    if any(not t.strip() for t in texts):
        errors.append(_("选项不能为空"))
    if len(set(texts)) != len(texts):
        errors.append(_("选项不能重复"))
    if kind == QuestionKind.SINGLE:
        if len(choices) < 2:
            errors.append(_("单选题至少 2 个选项"))
        if correct != 1:
            errors.append(_("单选题须有且只有 1 个正确答案"))
    elif kind == QuestionKind.MULTIPLE:
        if len(choices) < 3:
            errors.append(_("多选题至少 3 个选项"))
        if correct < 2:
            errors.append(_("多选题至少 2 个正确答案"))
    elif correct != 1:
        errors.append(_("判断题须选定“正确”或“错误”"))
    if len(choices) > MAX_CHOICES:
        errors.append(_("选项最多 %(n)d 个") % {"n": MAX_CHOICES})
    return errors


@transaction.atomic
def question_save(
    *,
    actor,
    street: Street,
    topic: str,
    kind: str,
    text: str,
    explanation: str = "",
    choices: list[tuple[str, bool]],
    question: Question | None = None,
    audit: bool = True,
) -> Question:
    require_admin(actor, street.pk)
    if kind == QuestionKind.TRUE_FALSE:
        truth = any(c for _t, c in choices[:1])
        choices = [(TRUE_FALSE_CHOICES[0], truth), (TRUE_FALSE_CHOICES[1], not truth)]
    if topic not in Topic.values:
        raise TrainingError(_("专题无效"))
    errors = validate_question(kind, text, choices)
    if errors:
        raise TrainingError(";".join(errors) + "。")
    creating = question is None
    if question is None:
        question = Question(street=street)
    elif question.street_id != street.pk:
        raise PermissionDenied
    question.topic, question.kind, question.text, question.explanation = (
        topic,
        kind,
        text.strip(),
        explanation.strip(),
    )
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        [
            Choice(question=question, position=i, text=t.strip(), is_correct=c)
            for i, (t, c) in enumerate(choices)
        ]
    )
    if audit:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
            obj=question,
            street_id=street.pk,
            changes={**snapshot(question), "choices": [[t, c] for t, c in choices]},
        )
    return question


# ---- exams -----------------------------------------------------------------------------------------

GROUP_ROLES = {
    TargetGroup.RC_HEADS: (Role.AREA_SECRETARY, Role.BRANCH_MEMBER),
    TargetGroup.OC_MEMBERS: (Role.OC_MEMBER,),
    TargetGroup.COMPANY_MANAGERS: (Role.COMPANY_STAFF,),
}


def _group_people(street: Street, group: str) -> list[tuple[object, str]]:
    """(user, unit label) of everyone holding one of the group's roles in this street."""
    from django.db.models import Q

    in_street = Q(area__street=street) | Q(estate__area__street=street) | Q(company__street=street)
    grants = (
        RoleGrant.objects.filter(in_street, role__in=GROUP_ROLES[group], user__is_active=True)
        .select_related("user", "area", "estate", "company")
        .order_by("user_id", "pk")
    )
    people: dict[int, tuple[object, str]] = {}
    for g in grants:
        label = (g.area or g.estate or g.company).name
        people.setdefault(g.user_id, (g.user, label))
    return list(people.values())


@transaction.atomic
def exam_create(
    *,
    actor,
    street: Street,
    title: str,
    groups: list[str],
    time_limit_minutes: int,
    pass_mark: int,
    max_attempts: int,
    cooling_off_hours: int,
    fixed_questions: list[Question] | None = None,
    random_per_topic: dict[str, int] | None = None,
    extra_people: list[tuple[str, str, str]] | None = None,
) -> Exam:
    """An exam with its participants: the users holding the target groups' roles in the street, plus
    ``extra_people`` (name, group, unit) without logins."""
    require_admin(actor, street.pk)
    title = (title or "").strip()
    if not title:
        raise TrainingError(_("请填写考试名称。"))
    if not groups:
        raise TrainingError(_("请至少选择一类考试对象。"))
    if not 1 <= time_limit_minutes <= 600:
        raise TrainingError(_("答题时限应为 1 至 600 分钟。"))
    if not 0 <= pass_mark <= 100:
        raise TrainingError(_("及格线应为 0 至 100。"))
    if not 1 <= max_attempts <= 20:
        raise TrainingError(_("最多考试次数应为 1 至 20。"))
    fixed = [q for q in (fixed_questions or []) if q.street_id == street.pk and q.active]
    per_topic = {t: int(n) for t, n in (random_per_topic or {}).items() if t in Topic.values and int(n) > 0}
    if not fixed and not per_topic:
        raise TrainingError(_("请选择固定试题或设置各专题随机抽题数。"))
    if fixed and per_topic:
        raise TrainingError(_("固定试题和随机抽题只能选一种。"))
    for topic, n in per_topic.items():
        available = Question.objects.filter(street=street, topic=topic, active=True).count()
        if n > available:
            raise TrainingError(
                _("“%(topic)s”只有 %(have)d 道启用的试题，不能抽 %(n)d 道。")
                % {"topic": Topic(topic).label, "have": available, "n": n}
            )
    exam = Exam.objects.create(
        street=street,
        title=title,
        time_limit_minutes=time_limit_minutes,
        pass_mark=pass_mark,
        max_attempts=max_attempts,
        cooling_off_hours=cooling_off_hours,
        random_per_topic=per_topic,
        created_by=actor,
    )
    exam.fixed_questions.set(fixed)
    rows = []
    for group in groups:
        for user, label in _group_people(street, group):
            rows.append(
                Participant(
                    exam=exam,
                    user=user,
                    name=user.display_name or user.username,
                    group=group,
                    unit_label=label,
                )
            )
    seen = set()
    rows = [p for p in rows if not (p.user.pk in seen or seen.add(p.user.pk))]
    rows += [Participant(exam=exam, name=n, group=g, unit_label=u) for n, g, u in (extra_people or [])]
    Participant.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=exam,
        street_id=street.pk,
        changes={**snapshot(exam), "participants": len(rows), "fixed": [q.pk for q in fixed]},
    )
    return exam


@transaction.atomic
def exam_set_status(*, actor, exam: Exam, status: str) -> Exam:
    require_admin(actor, exam.street_id)
    allowed = {ExamStatus.DRAFT: ExamStatus.OPEN, ExamStatus.OPEN: ExamStatus.CLOSED}
    if allowed.get(exam.status) != status:
        raise TrainingError(_("考试当前状态不能这样变更。"))
    old = exam.status
    exam.status = status
    exam.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=exam,
        street_id=exam.street_id,
        changes={"status": [old, status]},
    )
    if status == ExamStatus.OPEN:
        from django.urls import reverse

        from gongzhi.core.models import User
        from gongzhi.core.notify import notify

        people = User.objects.filter(pk__in=exam.participants.filter(user__isnull=False).values("user_id"))
        notify(
            people,
            Keyed(gettext_noop("新的考试“%(title)s”已开放，请在手机上参加。"), {"title": exam.title}),
            url=reverse("training:my"),
            event="training.exam_open",
            street_id=exam.street_id,
            ref=f"exam-open:{exam.pk}",
        )
    return exam


# ---- attempts --------------------------------------------------------------------------------------


def _past(participant: Participant, now: dt.datetime) -> list[rules.PastAttempt]:
    past = []
    for a in participant.attempts.all():
        ended = a.submitted_at or (a.deadline_at + rules.GRACE)
        is_open = a.submitted_at is None and now <= a.deadline_at + rules.GRACE
        past.append(rules.PastAttempt(ended_at=ended, passed=a.passed, open=is_open))
    return past


def start_decision(participant: Participant, now: dt.datetime) -> rules.StartDecision:
    exam = participant.exam
    return rules.may_start(
        _past(participant, now),
        now=now,
        max_attempts=exam.max_attempts,
        cooling_off=dt.timedelta(hours=exam.cooling_off_hours),
    )


def open_attempt(participant: Participant, now: dt.datetime) -> Attempt | None:
    for a in participant.attempts.all():
        if a.submitted_at is None and now <= a.deadline_at + rules.GRACE:
            return a
    return None


def _questions_for(exam: Exam, seed: int) -> list[int]:
    fixed = list(
        exam.fixed_questions.filter(active=True).order_by("topic", "pk").values_list("pk", flat=True)
    )
    if fixed:
        return fixed
    pool: dict[str, list[int]] = {}
    for pk, topic in Question.objects.filter(street_id=exam.street_id, active=True).values_list(
        "pk", "topic"
    ):
        pool.setdefault(topic, []).append(pk)
    return rules.draw(pool, exam.random_per_topic, seed)


@transaction.atomic
def attempt_start(*, actor, participant: Participant, now: dt.datetime | None = None) -> Attempt:
    """Start (or resume) the participant's attempt; the server's clock starts it."""
    participant = Participant.objects.select_for_update().select_related("exam").get(pk=participant.pk)
    if participant.user_id != actor.pk:
        raise PermissionDenied
    if participant.exam.status != ExamStatus.OPEN:
        raise TrainingError(_("考试未开放。"))
    now = now or timezone.now()
    current = open_attempt(participant, now)
    if current is not None:
        return current
    decision = start_decision(participant, now)
    if not decision.allowed:
        raise TrainingError(start_refusal(decision))
    number = participant.attempts.count() + 1
    question_ids = _questions_for(participant.exam, seed=secrets.randbits(32))
    if not question_ids:
        raise TrainingError(_("题库中没有可用的试题。"))
    attempt = Attempt.objects.create(
        participant=participant,
        number=number,
        question_ids=question_ids,
        question_count=len(question_ids),
        started_at=now,
        deadline_at=now + dt.timedelta(minutes=participant.exam.time_limit_minutes),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=attempt,
        street_id=participant.exam.street_id,
        object_label=f"{participant.exam} · {participant.name} · #{number}",
        changes={"started_at": now.isoformat(), "questions": question_ids},
    )
    return attempt


def start_refusal(decision: rules.StartDecision) -> str:
    if decision.reason == "passed":
        return _("您已通过本次考试，无需补考。")
    if decision.reason == "no_attempts_left":
        return _("考试次数已用完。")
    if decision.reason == "cooling_off":
        local = timezone.localtime(decision.available_at)
        return _("补考须间隔一段时间，%(at)s 后可再次参加。") % {"at": date_time(local)}
    return _("您有一场未交卷的考试，请继续作答。")


def reveals_answers(attempt: Attempt) -> bool:
    """May the participant see the right options of ``attempt`` now (``rules.may_reveal_answers``)?"""
    participant = attempt.participant
    attempts = list(participant.attempts.all())
    return rules.may_reveal_answers(
        passed=any(a.passed for a in attempts),
        attempts_used=len(attempts),
        max_attempts=participant.exam.max_attempts,
        exam_open=participant.exam.status == ExamStatus.OPEN,
    )


@dataclass(frozen=True)
class SubmitResult:
    attempt: Attempt
    late: bool


@transaction.atomic
def attempt_submit(
    *, actor, attempt: Attempt, answers: dict[int, list[int]], now: dt.datetime | None = None
) -> SubmitResult:
    """Score on the server. After the deadline (+ grace) nothing the page sent counts: the attempt is
    recorded as late with 0 correct. ``answers`` maps question id → chosen choice positions."""
    attempt = Attempt.objects.select_for_update().select_related("participant__exam").get(pk=attempt.pk)
    if attempt.participant.user_id != actor.pk:
        raise PermissionDenied
    if attempt.submitted_at is not None:
        raise TrainingError(_("本次考试已交卷。"))
    if attempt.participant.exam.status != ExamStatus.OPEN:
        raise TrainingError(_("考试已结束，答卷未保存。"))
    now = now or timezone.now()
    late = not rules.in_time(now, attempt.deadline_at)
    questions = Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices")
    correct_positions = {q.pk: [c.position for c in q.choices.all() if c.is_correct] for q in questions}
    valid_positions = {q.pk: {c.position for c in q.choices.all()} for q in questions}
    rows = []
    correct = 0
    for qid in attempt.question_ids:
        chosen = sorted({int(p) for p in answers.get(qid, []) if int(p) in valid_positions.get(qid, set())})
        ok = (not late) and rules.answer_correct(chosen, correct_positions.get(qid, []))
        correct += ok
        rows.append(Answer(attempt=attempt, question_id=qid, chosen=[] if late else chosen, is_correct=ok))
    Answer.objects.bulk_create(rows)
    exam = attempt.participant.exam
    attempt.submitted_at, attempt.late, attempt.correct_count = now, late, correct
    attempt.passed = rules.passes(correct, attempt.question_count, exam.pass_mark)
    if attempt.passed:
        attempt.certificate_code = secrets.token_hex(5).upper()
    attempt.save(update_fields=["submitted_at", "late", "correct_count", "passed", "certificate_code"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=attempt,
        street_id=exam.street_id,
        object_label=f"{exam} · {attempt.participant.name} · #{attempt.number}",
        changes={
            "submitted_at": now.isoformat(),
            "late": late,
            "correct": correct,
            "total": attempt.question_count,
            "passed": attempt.passed,
        },
    )
    return SubmitResult(attempt, late)
