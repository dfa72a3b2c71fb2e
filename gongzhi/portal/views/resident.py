"""The resident's mobile pages: my home, my estate and who serves it, reporting a problem and
following it to closure. Views and templates only: every read goes through the scoping door,
every write through gongzhi.problems.services."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.errors import refuse_with_message
from gongzhi.core.masking import mask_phone
from gongzhi.core.scopes import get_for_user, home_estates, own_units, scope_for, visible
from gongzhi.core.today import day_label, today_for
from gongzhi.portal.forms import RateForm, ReopenForm, ReportForm
from gongzhi.problems import permissions, rules, services
from gongzhi.problems.models import Category, Problem, ProblemPhoto, Source, Status
from gongzhi.problems.services import ProblemError
from gongzhi.registry import models as r


def _nav(user, estate_id: int | None = None) -> dict:
    """What the bottom navigation needs: the estate tab and whether the user may report."""
    scope = scope_for(user)
    return {
        "portal_estate_id": estate_id or scope.home_estate_id(),
        "portal_can_report": scope.lives_in(),
    }


@login_required
def home(request):
    units = list(
        visible(request.user, own_units(request.user)).select_related("building__estate__area", "owner")
    )
    return render(
        request,
        "portal/home.html",
        {
            "units": units,
            "today_items": today_for(request.user),
            "today_label": day_label(timezone.localdate()),
            "today_big": True,
            "tab": "home",
            **_nav(request.user, units[0].building.estate_id if units else None),
        },
    )


@login_required
def estate(request, pk: int):
    scope = scope_for(request.user)
    estate = get_for_user(
        request.user, r.Estate.objects.select_related("area__branch", "area__residents_committee"), pk
    )
    contract = r.Contract.objects.active().filter(estate=estate).select_related("company").first()
    committee = (
        r.OwnersCommittee.objects.filter(estate=estate)
        .order_by("-term_start")
        .prefetch_related("members")
        .first()
    )
    members = []
    if committee is not None:
        rank = {r.CommitteePosition.DIRECTOR: 0, r.CommitteePosition.DEPUTY: 1, r.CommitteePosition.MEMBER: 2}
        for m in sorted(committee.members.all(), key=lambda m: (rank.get(m.position, 3), m.name)):
            members.append(
                {
                    "name": m.name,
                    "position": m.get_position_display(),
                    "phone": m.phone if scope.sees_personal_data(estate.pk) else mask_phone(m.phone),
                }
            )
    return render(
        request,
        "portal/estate.html",
        {
            "estate": estate,
            "contract": contract,
            "committee": committee,
            "members": members,
            "tab": "estate",
            **_nav(request.user, estate.pk),
        },
    )


# ---- reporting a problem and following it -----------------------------------------------------------

# The progress tracker a resident sees: four steps, named by the statuses they cover.
STEPS = (
    (Status.REPORTED.label, {Status.REPORTED}),
    (Status.IN_PROGRESS.label, {Status.ASSIGNED, Status.IN_PROGRESS}),
    (Status.SUBMITTED.label, {Status.SUBMITTED}),
    (Status.CLOSED.label, {Status.CLOSED}),
)
NOT_YOUR_ESTATE = gettext_lazy("只能为您自己房屋所在的小区报事。")


def _home_estates(user) -> list[r.Estate]:
    return list(visible(user, home_estates(user)).select_related("area__street").order_by("name", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """报事: category tiles, description, where, photos — for the resident's own estate."""
    estates = _home_estates(request.user)
    if not estates:
        raise PermissionDenied
    raw = (request.POST if request.method == "POST" else request.GET).get("estate", "")
    estate = next((e for e in estates if str(e.pk) == raw), None)
    refused = bool(raw) and estate is None
    if estate is None and len(estates) == 1:
        estate = estates[0]
    if estate is None:  # several homes: choose the estate first
        context = {"estates": estates, "refused": NOT_YOUR_ESTATE if refused else "", "tab": "report"}
        return render(request, "portal/report_choose.html", {**context, **_nav(request.user)})

    services.category_defaults_ensure(street=estate.area.street)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        categories=Category.objects.filter(street_id=estate.area.street_id),
        buildings=visible(request.user, r.Building).filter(estate=estate).order_by("number"),
    )
    photos = request.FILES.getlist("photos")
    if request.method == "POST":
        if refused:
            form.add_error(None, NOT_YOUR_ESTATE)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                problem = services.problem_report(
                    actor=request.user,
                    estate=estate,
                    category=data["category"],
                    description=data["description"],
                    building=data["building"],
                    location=data["location"],
                    photos=photos,
                    source=Source.RESIDENT,
                )
            except ProblemError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied:
                form.add_error(None, NOT_YOUR_ESTATE)
            else:
                messages.success(
                    request,
                    _("报事成功！问题编号 %(number)s，可随时在“我的报事”中查看进度。")
                    % {"number": problem.number},
                )
                return redirect("portal:problem", problem.pk)
    context = {
        "form": form,
        "estate": estate,
        "several_estates": len(estates) > 1,
        "photos_lost": bool(photos),  # a browser cannot refill a file input: say so
        "max_photos": rules.MAX_PHOTOS,
        "tab": "report",
    }
    return render(request, "portal/report.html", {**context, **_nav(request.user, estate.pk)})


@login_required
def problems(request):
    """我的报事: what this user reported, newest first."""
    mine = (
        visible(request.user, Problem)
        .filter(reporter=request.user)
        .select_related("category", "estate", "building")
        .defer("description", "location", "rating_comment", "reject_reason")
    )
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    return render(request, "portal/problems.html", {"page": page, "tab": "problems", **_nav(request.user)})


def _own_problem(user, pk) -> Problem:
    """One of the user's own reports. Office users reach problems through their office pages;
    here even a problem they may read is 404 unless they reported it."""
    problem = permissions.get_problem_for_user(user, pk)
    if not permissions.is_reporter_of(user, problem):
        raise Http404
    return problem


def _steps(status: str) -> list[dict]:
    """The tracker: steps before the current one are done; a closed problem has all four done."""
    current = next((i for i, (_label, statuses) in enumerate(STEPS) if status in statuses), None)
    finished = status == Status.CLOSED
    return [
        {"label": label, "done": current is not None and (i < current or finished), "current": i == current}
        for i, (label, _statuses) in enumerate(STEPS)
    ]


@login_required
def problem(request, pk: int):
    """One report: where it stands, who works on it, every step, the photos; rate or reopen."""
    problem = _own_problem(request.user, pk)
    events = list(problem.events.all())
    photos = list(problem.photos.all())
    by_event = defaultdict(list)
    for photo in photos:
        by_event[photo.event_id].append(photo)
    for event in events:
        event.photo_list = [p for p in by_event.get(event.pk, []) if p.kind == ProblemPhoto.Kind.EVIDENCE]
    today = timezone.localdate()
    closed_on = timezone.localtime(problem.closed_at).date() if problem.closed_at else None
    context = {
        "problem": problem,
        "steps": _steps(problem.status),
        "events": events,
        "report_photos": [p for p in photos if p.kind == ProblemPhoto.Kind.REPORT],
        "can_rate": rules.can_rate(status=problem.status, rating=problem.rating),
        "can_reopen": problem.status == Status.CLOSED
        and rules.can_reopen(closed_on=closed_on, today=today, reopen_count=problem.reopen_count),
        "reopen_until": closed_on + dt.timedelta(days=rules.REOPEN_WINDOW_DAYS) if closed_on else None,
        "stars": range(1, 6),
        "tab": "problems",
    }
    return render(request, "portal/problem.html", {**context, **_nav(request.user, problem.estate_id)})


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@login_required
@require_POST
@refuse_with_message("portal:problem", "pk")
def problem_rate(request, pk: int):
    problem = _own_problem(request.user, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("portal:problem", problem.pk)
    services.problem_rate(
        actor=request.user,
        problem=problem,
        rating=form.cleaned_data["rating"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("感谢您的评价！"))
    return redirect("portal:problem", problem.pk)


@login_required
@require_POST
@refuse_with_message("portal:problem", "pk")
def problem_reopen(request, pk: int):
    problem = _own_problem(request.user, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("portal:problem", problem.pk)
    services.problem_reopen(actor=request.user, problem=problem, note=form.cleaned_data["note"])
    messages.success(request, _("问题已重新打开，已退回责任方整改。"))
    return redirect("portal:problem", problem.pk)
