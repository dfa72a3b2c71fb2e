"""Office pages of the branch's work (mounted at /branch/): the duty roster of the branch members
and their public duty cards.

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.branchwork import permissions, services
from gongzhi.branchwork.forms import DutyProfileForm, DutyShiftForm
from gongzhi.branchwork.models import DutyProfile, DutyShift
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import chosen_area, local_today, require_reader, visible_areas
from gongzhi.core.channels import absolute_url
from gongzhi.registry.models import BranchMember


@login_required
@require_http_methods(["GET", "POST"])
def duty_roster(request):
    require_reader(request)
    area = chosen_area(request)
    today = local_today()
    context = {
        "nav_active": "branch_duty",
        "areas": visible_areas(request.user),
        "area": area,
        "today": today,
    }
    if area is None:
        return render(request, "branchwork/duty.html", context)
    members = BranchMember.objects.filter(branch__area=area).order_by("membership", "name")
    is_secretary = permissions.is_secretary_of(request.user, area.pk)
    form = DutyShiftForm(request.POST or None, members=members, initial={"day": today})
    if request.method == "POST":
        if not is_secretary:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.duty_shift_add(actor=request.user, area=area, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("值班已安排。"))
                return redirect(reverse("branchwork:duty") + f"?area={area.pk}")
    shifts = (
        DutyShift.objects.filter(
            area=area, day__gte=today - dt.timedelta(days=7), day__lte=today + dt.timedelta(days=30)
        )
        .select_related("member__duty_profile")
        .order_by("day", "member__name")
    )
    context.update(
        {
            "shifts": shifts,
            "members": members.select_related("duty_profile"),
            "form": form if is_secretary else None,
            "is_secretary": is_secretary,
            "public_url": absolute_url(reverse("duty:board", args=[area.pk])),
        }
    )
    return render(request, "branchwork/duty.html", context)


@login_required
@require_POST
def duty_remove(request, pk: int):
    require_reader(request)
    shift = permissions.get_for_user(request.user, DutyShift.objects.select_related("area", "member"), pk)
    permissions.require_secretary(request.user, shift.area_id)
    services.duty_shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("值班已删除。"))
    return redirect(reverse("branchwork:duty") + f"?area={shift.area_id}")


@login_required
@require_http_methods(["GET", "POST"])
def duty_profile(request, member_pk: int):
    require_reader(request)
    member = permissions.get_for_user(
        request.user, BranchMember.objects.select_related("branch__area"), member_pk
    )
    if member.branch.area_id not in {a.pk for a in visible_areas(request.user)}:
        raise Http404
    permissions.require_secretary(request.user, member.branch.area_id)
    profile = DutyProfile.objects.filter(member=member).first()
    initial = (
        {"role_label": profile.role_label, "commitment": profile.commitment, "duties": profile.duties}
        if profile
        else {
            "role_label": member.position,
            "commitment": _("亮身份、亮承诺、亮职责，有问必答，事事有回音。"),
        }
    )
    form = DutyProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_profile_save(actor=request.user, member=member, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("值班公示信息已保存。"))
            return redirect(reverse("branchwork:duty") + f"?area={member.branch.area_id}")
    return render(
        request,
        "branchwork/duty_profile.html",
        {"nav_active": "branch_duty", "member": member, "profile": profile, "form": form},
    )
