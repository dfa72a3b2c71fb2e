"""数据体检 plug-in (core/health.py): a problem's steps in causal order, and company staff acting only on
the problems of the estates their company manages."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import date_time
from gongzhi.core.health import ERROR, Finding, Invariant, manages_on, managing_companies, staff_companies
from gongzhi.problems.models import Action, Problem, ProblemEvent


def problem_dates_in_order(street, today: dt.date):
    """Reported, accepted, submitted for verification, closed: each step on or after the one before it."""
    steps = (("accepted_at", _("受理")), ("submitted_at", _("提交验收")), ("closed_at", _("销项")))
    for problem in (
        Problem.objects.filter(estate__area__street=street)
        .select_related("estate")
        .only("number", "estate__name", "created_at", "accepted_at", "submitted_at", "closed_at")
        .order_by("created_at", "pk")
    ):
        for field, label in steps:
            moment = getattr(problem, field)
            if moment is not None and moment < problem.created_at:
                yield Finding(
                    ERROR,
                    gettext("%(estate)s 问题%(number)s：%(step)s时间%(at)s早于报告时间%(created)s。")
                    % {
                        "estate": problem.estate.name,
                        "number": problem.number,
                        "step": label,
                        "at": date_time(moment),
                        "created": date_time(problem.created_at),
                    },
                    reverse("problems:detail", args=[problem.pk]),
                )


def staff_act_on_their_estates(street, today: dt.date):
    """A company's staff answer the problems of the estates their company manages (contract in force on
    the day of the step), not another company's."""
    staff = staff_companies(street)
    if not staff:
        return
    contracts = managing_companies(street)
    seen: set[tuple[int, int]] = set()
    for event in (
        ProblemEvent.objects.filter(problem__estate__area__street=street, actor_id__in=staff)
        .select_related("problem__estate", "actor")
        .order_by("problem__created_at", "at", "pk")
    ):
        problem = event.problem
        if manages_on(
            contracts.get(problem.estate_id, []), staff[event.actor_id], timezone.localdate(event.at)
        ):
            continue
        if (problem.pk, event.actor_id) in seen:
            continue
        seen.add((problem.pk, event.actor_id))
        yield Finding(
            ERROR,
            gettext("%(estate)s 问题%(number)s：物业公司员工“%(actor)s”处理了不由其企业管理的小区的问题。")
            % {"estate": problem.estate.name, "number": problem.number, "actor": str(event.actor)},
            reverse("problems:detail", args=[problem.pk]),
        )


def submissions_have_photos(street, today: dt.date):
    """A company submits a problem for verification (提交验收) with at least one photo of the work done
    (``services.problem_submit``): the branch closes the problem on the strength of it."""
    bare = (
        ProblemEvent.objects.filter(
            problem__estate__area__street=street, action=Action.SUBMIT, photos__isnull=True
        )
        .select_related("problem__estate")
        .order_by("problem__created_at", "problem_id", "at", "pk")
    )
    seen: set[int] = set()
    for event in bare:
        problem = event.problem
        if problem.pk in seen:
            continue
        seen.add(problem.pk)
        yield Finding(
            ERROR,
            gettext("%(estate)s 问题%(number)s：%(at)s提交验收时没有附整改照片。")
            % {
                "estate": problem.estate.name,
                "number": problem.number,
                "at": date_time(event.at),
            },
            reverse("problems:detail", args=[problem.pk]),
        )


INVARIANTS = [
    Invariant(
        "problems.problem_dates_in_order",
        _("问题处理时间先后有序"),
        problem_dates_in_order,
        _("报告、受理、提交验收、销项依次发生。"),
    ),
    Invariant(
        "problems.staff_act_on_their_estates",
        _("物业员工只处理本企业小区的问题"),
        staff_act_on_their_estates,
        _("物业企业员工只为本企业按合同管理的小区签署记录。"),
    ),
    Invariant(
        "problems.submissions_have_photos",
        _("提交验收附有整改照片"),
        submissions_have_photos,
        _("物业企业提交验收须附整改照片，支部据此现场验收、销项。"),
    ),
]
