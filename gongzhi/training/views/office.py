"""Training pages (mounted at /training/): the office's question bank and exams with results, and the
participant's phone pages (my exams, take, result, certificate). Thin: the door is permissions.py,
writes are services."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import charts
from gongzhi.core.errors import refuse_with_message
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.pdf import pdf_response, qr_svg, render_pdf
from gongzhi.core.scopes import visible
from gongzhi.registry.models import Street
from gongzhi.training import permissions, rules, services
from gongzhi.training.forms import LETTERS, ExamForm, QuestionForm
from gongzhi.training.models import (
    Attempt,
    Exam,
    ExamStatus,
    Participant,
    Question,
    QuestionKind,
    TargetGroup,
    Topic,
)

# ---- question bank ---------------------------------------------------------------------------------


@login_required
def question_list(request):
    permissions.require_bank_reader(request.user)
    topic, kind = request.GET.get("topic", ""), request.GET.get("kind", "")
    questions = visible(request.user, Question).prefetch_related("choices").order_by("topic", "pk")
    counts = dict(visible(request.user, Question).values_list("topic").annotate(n=Count("pk")))
    if topic in Topic.values:
        questions = questions.filter(topic=topic)
    if kind in QuestionKind.values:
        questions = questions.filter(kind=kind)
    page = Paginator(questions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/questions.html",
        {
            "nav_active": "training_questions",
            "page": page,
            "topics": [(v, label, counts.get(v, 0)) for v, label in Topic.choices],
            "kinds": QuestionKind.choices,
            "topic": topic,
            "kind": kind,
            "is_admin": permissions.is_admin_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_form(request, pk: int | None = None):
    permissions.require_bank_reader(request.user)
    permissions.require_admin(request.user)
    question = permissions.get_question(request.user, pk, write=True) if pk is not None else None
    initial = {}
    if question is not None:
        choices = list(question.choices.all())
        initial = {
            "topic": question.topic,
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
        }
        if question.kind == QuestionKind.TRUE_FALSE:
            initial["answer"] = "正确" if choices and choices[0].is_correct else "错误"
        else:
            for c in choices[:5]:
                initial[f"option_{LETTERS[c.position].lower()}"] = c.text
            initial["answer"] = "".join(c.letter for c in choices if c.is_correct)
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            choices = form.choices()
            street = Street.objects.get(
                pk=question.street_id if question else permissions.admin_street_id(request.user)
            )
            services.question_save(
                actor=request.user,
                street=street,
                question=question,
                topic=form.cleaned_data["topic"],
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                explanation=form.cleaned_data["explanation"],
                choices=choices,
            )
        except ValidationError as error:
            form.add_error("answer", error)
        except services.TrainingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存试题。"))
            return redirect("training:questions")
    return render(
        request,
        "training/question_form.html",
        {"nav_active": "training_questions", "form": form, "question": question},
    )


# ---- exams (office) --------------------------------------------------------------------------------


@login_required
def exam_list(request):
    permissions.require_bank_reader(request.user)
    exams = (
        visible(request.user, Exam)
        .annotate(n_participants=Count("participants", distinct=True))
        .order_by("-created_at")
    )
    return render(
        request,
        "training/exams.html",
        {
            "nav_active": "training_exams",
            "exams": exams,
            "is_admin": permissions.is_admin_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_create(request):
    permissions.require_bank_reader(request.user)
    permissions.require_admin(request.user)
    street_id = permissions.admin_street_id(request.user)
    questions = Question.objects.filter(street_id=street_id, active=True).order_by("topic", "pk")
    form = ExamForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exam = services.exam_create(
                actor=request.user,
                street=Street.objects.get(pk=street_id),
                title=data["title"],
                groups=data["groups"],
                time_limit_minutes=data["time_limit_minutes"],
                pass_mark=data["pass_mark"],
                max_attempts=data["max_attempts"],
                cooling_off_hours=data["cooling_off_hours"],
                random_per_topic=form.per_topic(),
                fixed_questions=form.fixed(),
            )
        except services.TrainingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已建立考试，开放后考试对象即可在手机上参加。"))
            return redirect("training:exam", exam.pk)
    return render(request, "training/exam_form.html", {"nav_active": "training_exams", "form": form})


def _best_attempts(exam: Exam):
    """Each participant with their attempts and best submitted attempt; three queries."""
    participants = list(
        exam.participants.select_related("user").prefetch_related(
            Prefetch("attempts", queryset=Attempt.objects.order_by("number"))
        )
    )
    rows = []
    for p in participants:
        attempts = list(p.attempts.all())
        done = [a for a in attempts if a.submitted_at is not None]
        best = max(done, key=lambda a: (a.passed, a.correct_count, -a.number), default=None)
        rows.append({"participant": p, "attempts": attempts, "best": best})
    return rows


def _group_stats(rows) -> list[dict]:
    groups: dict[str, dict] = defaultdict(lambda: {"total": 0, "taken": 0, "passed": 0, "scores": []})
    for row in rows:
        g = groups[row["participant"].group]
        g["total"] += 1
        if row["best"] is not None:
            g["taken"] += 1
            g["passed"] += row["best"].passed
            g["scores"].append(row["best"].percent)
    result = []
    for value, label in TargetGroup.choices:
        if value not in groups:
            continue
        g = groups[value]
        average = (
            (sum(g["scores"]) / len(g["scores"])).quantize(rules.score_percent(0, 1)) if g["scores"] else None
        )
        result.append(
            {
                "label": label,
                **g,
                "average": average,
                "pass_rate": rules.score_percent(g["passed"], g["total"]),
            }
        )
    return result


def _chart(stats: list[dict]) -> dict:
    labels = [str(s["label"]) for s in stats]
    return charts.option(
        legend={"top": 0, "data": [_("参考人数"), _("合格人数"), _("未参加")]},
        grid=charts.grid(40, 16, 40, 30),
        x_axis=charts.category_axis(labels),
        y_axis=charts.value_axis(minInterval=1),
        series=[
            {"name": _("参考人数"), "type": "bar", "data": [s["taken"] for s in stats], "color": "#5b8ff9"},
            {"name": _("合格人数"), "type": "bar", "data": [s["passed"] for s in stats], "color": "#1e7a3c"},
            {
                "name": _("未参加"),
                "type": "bar",
                "data": [s["total"] - s["taken"] for s in stats],
                "color": "#c9ccd1",
            },
        ],
    )


@login_required
def exam_detail(request, pk: int):
    exam = permissions.get_exam(request.user, pk)
    rows = _best_attempts(exam)
    stats = _group_stats(rows)
    return render(
        request,
        "training/exam.html",
        {
            "nav_active": "training_exams",
            "exam": exam,
            "rows": rows,
            "stats": stats,
            "chart": _chart(stats),
            "is_admin": permissions.is_admin_of(request.user, exam.street_id),
            "topics": [(Topic(t).label, n) for t, n in exam.random_per_topic.items()],
            "fixed_count": exam.fixed_questions.count(),
        },
    )


@login_required
def exam_export(request, pk: int):
    exam = permissions.get_exam(request.user, pk)
    data = []
    for row in _best_attempts(exam):
        p, best = row["participant"], row["best"]
        data.append(
            [
                p.name,
                p.get_group_display(),
                p.unit_label,
                len(row["attempts"]),
                f"{best.correct_count}/{best.question_count}" if best else "",
                str(best.percent) if best else "",
                (_("合格") if best.passed else _("不合格")) if best else _("未参加"),
                timezone.localtime(best.submitted_at).strftime("%Y-%m-%d %H:%M") if best else "",
                best.certificate_code if best else "",
            ]
        )
    headers = [
        _("姓名"),
        _("对象"),
        _("单位"),
        _("考试次数"),
        _("答对"),
        _("得分（%）"),
        _("结果"),
        _("交卷时间"),
        _("证书验证码"),
    ]
    content = build_workbook(
        [SheetSpec(title=_("考试成绩"), columns=[ColumnSpec(h) for h in headers], rows=data)]
    )
    return xlsx_response(content, _("%(title)s_成绩.xlsx") % {"title": exam.title})


@login_required
@require_POST
@refuse_with_message("training:exam", "pk")
def exam_act(request, pk: int, action: str):
    target = {"open": ExamStatus.OPEN, "close": ExamStatus.CLOSED}.get(action)
    if target is None:
        raise Http404
    exam = permissions.get_exam(request.user, pk, write=True)
    services.exam_set_status(actor=request.user, exam=exam, status=target)
    messages.success(request, _("已更新考试状态。"))
    return redirect("training:exam", exam.pk)


# ---- participant (phone) ---------------------------------------------------------------------------


@login_required
def my_exams(request):
    now = timezone.now()
    participations = (
        Participant.objects.filter(user=request.user)
        .exclude(exam__status=ExamStatus.DRAFT)
        .select_related("exam")
        .prefetch_related(Prefetch("attempts", queryset=Attempt.objects.order_by("number")))
        .order_by("-exam__created_at")
    )
    items = []
    for p in participations:
        decision = services.start_decision(p, now)
        current = services.open_attempt(p, now)
        items.append(
            {
                "participant": p,
                "attempts": [a for a in p.attempts.all() if a.submitted_at or a != current],
                "current": current,
                "can_start": decision.allowed and p.exam.status == ExamStatus.OPEN,
                "refusal": "" if decision.allowed or current else services.start_refusal(decision),
            }
        )
    return render(request, "training/my.html", {"items": items, "tab": "my"})


@login_required
@require_POST
def attempt_start(request, pk: int):
    participant = Participant.objects.filter(pk=pk, user=request.user).select_related("exam").first()
    if participant is None:
        raise Http404
    try:
        attempt = services.attempt_start(actor=request.user, participant=participant)
    except services.TrainingError as error:
        messages.error(request, error.message)
        return redirect("training:my")
    return redirect("training:take", attempt.pk)


def _answers_from(post, question_ids) -> dict[int, list[int]]:
    answers = {}
    for qid in question_ids:
        values = post.getlist(f"q{qid}")
        # ASCII digits only: "²".isdigit() is true but int("²") fails.
        answers[qid] = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 2]
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def attempt_take(request, pk: int):
    attempt = permissions.get_attempt(request.user, pk, own=True)
    if attempt.submitted_at is not None:
        return redirect("training:result", attempt.pk)
    if attempt.participant.exam.status != ExamStatus.OPEN:
        messages.error(request, _("考试已结束，答卷未保存。"))
        return redirect("training:my")
    chosen: dict[int, list[int]] = {}
    unanswered: list[int] = []
    if request.method == "POST":
        answers = _answers_from(request.POST, attempt.question_ids)
        blank = rules.unanswered(attempt.question_ids, answers)
        # Unanswered questions count as wrong: the candidate must have said so on purpose (the page's
        # script asks first; this holds for a page without it). After the deadline nothing is asked —
        # the answers no longer count and the late submission is recorded as it is.
        confirmed = "1" in request.POST.getlist("confirm_unanswered")
        if blank and not confirmed and rules.in_time(timezone.now(), attempt.deadline_at):
            chosen, unanswered = answers, blank
        else:
            return _submit(request, attempt, answers)
    return _render_take(request, attempt, chosen=chosen, unanswered=unanswered)


def _submit(request, attempt, answers: dict[int, list[int]]):
    try:
        result = services.attempt_submit(actor=request.user, attempt=attempt, answers=answers)
    except services.TrainingError as error:
        messages.error(request, error.message)
        return redirect("training:my")
    if result.late:
        messages.error(request, _("已超过答题时限，本次答案不计分。"))
    return redirect("training:result", attempt.pk)


def _render_take(request, attempt, *, chosen: dict[int, list[int]], unanswered: list[int]):
    now = timezone.now()
    by_id = {
        q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices")
    }
    # Only the text of questions and options goes to the page: never which option is right, never the
    # explanation (they appear on the result page, after the server has scored the answers).
    questions = [
        {
            "id": qid,
            "text": by_id[qid].text,
            "kind": by_id[qid].kind,
            "kind_label": by_id[qid].get_kind_display(),
            "options": [
                (c.position, c.letter, c.text, c.position in chosen.get(qid, ()))
                for c in by_id[qid].choices.all()
            ],
            "unanswered": bool(unanswered) and not chosen.get(qid),
        }
        for qid in attempt.question_ids
        if qid in by_id
    ]
    remaining = max(int((attempt.deadline_at - now).total_seconds()), 0)
    return render(
        request,
        "training/take.html",
        {
            "attempt": attempt,
            "exam": attempt.participant.exam,
            "questions": questions,
            "remaining": remaining,
            "deadline": timezone.localtime(attempt.deadline_at),
            "unanswered": unanswered,
            "unanswered_numbers": "、".join(str(n) for n in unanswered),
            "tab": "my",
        },
    )


@login_required
def attempt_result(request, pk: int):
    attempt = permissions.get_attempt(request.user, pk)
    if attempt.submitted_at is None:
        if attempt.participant.user_id == request.user.pk:
            return redirect("training:take", attempt.pk)
        raise Http404
    own = attempt.participant.user_id == request.user.pk
    # The participant sees the right options only when no retake can use them; the street (who wrote the
    # bank) always. Score and which questions were wrong are shown either way.
    reveal = not own or services.reveals_answers(attempt)
    answers = {a.question_id: a for a in attempt.answers.all()}
    by_id = {
        q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices")
    }
    items = []
    for n, qid in enumerate(attempt.question_ids, start=1):
        q, answer = by_id.get(qid), answers.get(qid)
        if q is None:
            continue
        chosen = set(answer.chosen) if answer else set()
        items.append(
            {
                "n": n,
                "question": q,
                "options": [
                    (c.letter, c.text, reveal and c.is_correct, c.position in chosen) for c in q.choices.all()
                ],
                "correct": answer.is_correct if answer else False,
                "chosen_letters": "".join(c.letter for c in q.choices.all() if c.position in chosen) or "—",
                "right_letters": "".join(c.letter for c in q.choices.all() if c.is_correct) if reveal else "",
                "explanation": q.explanation if reveal else "",
            }
        )
    return render(
        request,
        "training/result.html",
        {
            "attempt": attempt,
            "exam": attempt.participant.exam,
            "items": items,
            "tab": "my",
            "own": own,
            "reveal": reveal,
        },
    )


@login_required
def certificate(request, pk: int):
    attempt = permissions.get_attempt(request.user, pk)
    if not attempt.passed:
        raise Http404
    exam = attempt.participant.exam
    street = Street.objects.get(pk=exam.street_id)
    content = render_pdf("training/certificate.html", certificate_context(attempt, exam, street))
    return pdf_response(content, _("合格证书_%(name)s.pdf") % {"name": attempt.participant.name})


def certificate_context(attempt, exam, street) -> dict:
    """What a certificate shows (one passed attempt); the batch job prints the same page for each."""
    # The QR carries the certificate's facts and code; the street checks the code against the exam's
    # results table (成绩表 → 证书验证码), which is the record of truth.
    date = timezone.localtime(attempt.submitted_at).date()
    verify = (
        f"{street.name}|{exam.title}|{attempt.participant.name}|{date.isoformat()}|{attempt.certificate_code}"
    )
    return {
        "attempt": attempt,
        "exam": exam,
        "participant": attempt.participant,
        "street": street,
        "date": date,
        "qr": qr_svg(verify, scale=2),
    }


def passed_attempts(exam) -> list:
    """Each participant's best attempt, for those who passed, in the results table's order."""
    return [row["best"] for row in _best_attempts(exam) if row["best"] is not None and row["best"].passed]


@login_required
@require_POST
def certificates_batch(request, pk: int):
    """Every certificate of the exam in one PDF, made by the worker (issue 16); a second click while
    it runs follows the first job."""
    from gongzhi.jobs.services import job_start_once

    exam = permissions.get_exam(request.user, pk)
    job = job_start_once(task="training.certificates", user=request.user, args={"exam_id": exam.pk})
    return redirect("jobs:detail", job.pk)


@login_required
def question_template(request):
    permissions.require_admin(request.user)
    from gongzhi.training import importers

    return xlsx_response(importers.template_bytes(), _("试题导入模板.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def question_import(request):
    permissions.require_admin(request.user)
    from gongzhi.training import importers

    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要导入的 Excel 文件。")]
        else:
            try:
                rows = importers.parse_file(upload, filename=upload.name)
                street = Street.objects.get(pk=permissions.admin_street_id(request.user))
                count = importers.questions_import(actor=request.user, street=street, rows=rows)
            except importers.ImportErrors as error:
                errors = error.errors
            else:
                messages.success(request, _("已导入 %(n)d 道试题。") % {"n": count})
                return redirect("training:questions")
    return render(
        request, "training/question_import.html", {"nav_active": "training_questions", "errors": errors}
    )
