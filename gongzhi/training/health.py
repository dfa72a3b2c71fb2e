"""数据体检 plug-in (core/health.py): exam attempts after the exam existed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Min
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import date_time
from gongzhi.core.health import ERROR, Finding, Invariant
from gongzhi.training.models import Exam


def attempts_after_exam(street, today: dt.date):
    """Nobody sits an exam before it was created; a submitted attempt is submitted after it started."""
    from gongzhi.training.models import Attempt

    early = (
        Exam.objects.filter(street=street)
        .filter(participants__attempts__started_at__lt=F("created_at"))
        .annotate(n=Count("participants__attempts"), first=Min("participants__attempts__started_at"))
        .order_by("created_at", "pk")
    )
    for exam in early:
        yield Finding(
            ERROR,
            gettext("考试“%(title)s”创建于%(created)s，却有%(count)d次答题早于创建时间（最早%(first)s）。")
            % {
                "title": exam.title,
                "created": date_time(exam.created_at),
                "count": exam.n,
                "first": date_time(exam.first),
            },
            reverse("training:exam", args=[exam.pk]),
        )
    backwards = (
        Attempt.objects.filter(participant__exam__street=street, submitted_at__lt=F("started_at"))
        .select_related("participant__exam")
        .order_by("started_at", "pk")
    )
    for attempt in backwards:
        yield Finding(
            ERROR,
            gettext("考试“%(title)s”有一次答题的交卷时间早于开始时间（%(start)s）。")
            % {
                "title": attempt.participant.exam.title,
                "start": date_time(attempt.started_at),
            },
            reverse("training:exam", args=[attempt.participant.exam_id]),
        )


INVARIANTS = [
    Invariant(
        "training.attempts_after_exam",
        _("答题时间晚于考试创建时间"),
        attempts_after_exam,
        _("先有考试，后有答题；交卷晚于开考。"),
    ),
]
