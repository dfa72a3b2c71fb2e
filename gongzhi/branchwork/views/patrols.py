"""Office pages of the branch's work (mounted at /branch/): the day's patrol sheet and the phone
pages of the member on patrol (start, findings, end).

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import permissions, services
from gongzhi.branchwork.forms import FindingForm, PatrolStartForm
from gongzhi.branchwork.models import Patrol, PatrolFinding
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import (
    flash_error,
    local_today,
    require_reader,
    street_categories,
    visible_areas,
)
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import visible
from gongzhi.core.validators import is_id
from gongzhi.registry.models import BranchMember, Estate


@login_required
@require_safe
def patrol_list(request):
    """The day's patrol sheet: every patrol of that day in the user's branches, with its findings."""
    require_reader(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else local_today()
    except ValueError:
        day = local_today()
    if not dt.date(1970, 1, 1) <= day <= dt.date(2100, 12, 31):
        day = local_today()  # 0001-01-01 has no previous day to link to: an OverflowError, not a sheet
    patrols = (
        visible(request.user, Patrol)
        .filter(day=day)
        .select_related("member", "branch__area")
        .prefetch_related(
            "estates",
            Prefetch("findings", queryset=PatrolFinding.objects.select_related("problem", "estate")),
        )
        .order_by("branch__area__name", "member__name", "started_at")
    )
    area = request.GET.get("area", "")
    if is_id(area):
        patrols = patrols.filter(branch__area_id=area)
    patrols = list(patrols[:500])
    # The sheet of one member (printable): chosen among those who patrolled that day.
    members = sorted({(p.member_id, p.member.name) for p in patrols}, key=lambda m: m[1])
    member = request.GET.get("member", "")
    if is_id(member):
        patrols = [p for p in patrols if p.member_id == int(member)]
    return render(
        request,
        "branchwork/patrols.html",
        {
            "nav_active": "branch_patrols",
            "patrols": patrols,
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "areas": visible_areas(request.user),
            "area": area,
            "members": members,
            "member": member,
            "can_patrol": permissions.may_patrol(request.user),
            "print": request.GET.get("print") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrol_start(request):
    user = request.user
    if not permissions.may_patrol(user):
        raise PermissionDenied
    running = Patrol.objects.filter(recorded_by=user, ended_at__isnull=True).first()
    if running is not None:
        return redirect("branchwork:patrol", running.pk)
    area_ids = permissions.member_area_ids(user)
    members = (
        BranchMember.objects.filter(branch__area_id__in=area_ids)
        .select_related("branch")
        .order_by(*pinyin_order(BranchMember, "name"))
    )
    estates = Estate.objects.filter(area_id__in=area_ids).order_by(*pinyin_order(Estate, "name"))
    # Preselect the member this login belongs to: demo and real logins show "姓名(职务)".
    label = user.display_name or user.get_full_name()
    me = next((mb for mb in members if label and label.startswith(mb.name)), None)
    form = PatrolStartForm(request.POST or None, members=members, estates=estates, initial={"member": me})
    if request.method == "POST" and form.is_valid():
        try:
            patrol = services.patrol_start(
                actor=user,
                member=form.cleaned_data["member"],
                estates=form.cleaned_data["estates"],
                route_note=form.cleaned_data["route_note"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("branchwork:patrol", patrol.pk)
    return render(request, "branchwork/patrol_start.html", {"form": form})


def _own_patrol(request, pk) -> Patrol:
    require_reader(request)
    patrol = permissions.get_for_user(
        request.user,
        Patrol.objects.select_related("member", "branch__area"),
        pk,
        require=lambda u, p: p.recorded_by_id == u.pk,
    )
    return patrol


@login_required
@require_safe
def patrol_detail(request, pk: int):
    require_reader(request)
    patrol = permissions.get_for_user(
        request.user, Patrol.objects.select_related("member", "branch__area"), pk
    )
    if patrol.recorded_by_id != request.user.pk:
        return redirect(reverse("branchwork:patrols") + f"?day={patrol.day.isoformat()}")
    estates = Estate.objects.filter(area_id=patrol.branch.area_id).order_by(*pinyin_order(Estate, "name"))
    covered = list(patrol.estates.all())
    form = FindingForm(
        categories=street_categories(patrol.branch.area.street_id),
        estates=estates,
        initial={"estate": covered[0] if covered else None},
    )
    findings = list(patrol.findings.select_related("problem", "estate"))
    return render(
        request,
        "branchwork/patrol.html",
        {"patrol": patrol, "form": form, "findings": findings, "covered": covered},
    )


@login_required
@require_POST
def patrol_finding(request, pk: int):
    patrol = _own_patrol(request, pk)
    form = FindingForm(
        request.POST,
        categories=street_categories(patrol.branch.area.street_id),
        estates=Estate.objects.filter(area_id=patrol.branch.area_id),
    )
    if not form.is_valid():
        messages.error(request, _("请选择类别和小区，并用一句话写明发现的问题。"))
    else:
        try:
            finding = services.patrol_add_finding(
                actor=request.user,
                patrol=patrol,
                estate=form.cleaned_data["estate"],
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                photos=request.FILES.getlist("photos"),
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("已登记为问题 %(number)s。") % {"number": finding.problem.number})
    return redirect("branchwork:patrol", patrol.pk)


@login_required
@require_POST
def patrol_end(request, pk: int):
    patrol = _own_patrol(request, pk)
    try:
        services.patrol_end(actor=request.user, patrol=patrol, summary=request.POST.get("summary", ""))
    except BranchworkError as exc:
        flash_error(request, exc)
        return redirect("branchwork:patrol", patrol.pk)
    messages.success(request, _("巡查已结束。"))
    return redirect("branchwork:patrol", patrol.pk)
