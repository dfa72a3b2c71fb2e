"""Office pages of the branch's work (mounted at /branch/): the reception log of the branch, and
turning a reception into a problem.

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.branchwork import permissions, services
from gongzhi.branchwork.forms import ReceptionForm
from gongzhi.branchwork.models import Reception
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import PAGE_SIZE, flash_error, require_reader, street_categories
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import branch_areas, visible
from gongzhi.problems.models import Category
from gongzhi.registry.models import Area, Estate


@login_required
@require_http_methods(["GET", "POST"])
def reception_list(request):
    require_reader(request)
    user = request.user
    own_areas = branch_areas(user).order_by(*pinyin_order(Area, "name"))
    area = own_areas.first() if own_areas.count() == 1 else None
    form = None
    if area is not None:
        form = ReceptionForm(
            request.POST or None,
            estates=Estate.objects.filter(area=area).order_by(*pinyin_order(Estate, "name")),
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.reception_record(actor=user, area=area, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("接待记录已保存。"))
                return redirect("branchwork:receptions")
    elif request.method == "POST":
        raise PermissionDenied
    receptions = (
        visible(user, Reception).select_related("area", "estate", "problem").prefetch_related("area__estates")
    )
    page = Paginator(receptions.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "branchwork/receptions.html",
        {
            "nav_active": "branch_receptions",
            "page": page,
            "form": form,
            "area": area,
            "categories": street_categories(area.street_id) if area else Category.objects.none(),
            "member_area_ids": permissions.member_area_ids(user),
        },
    )


@login_required
@require_POST
def reception_problem(request, pk: int):
    require_reader(request)
    reception = permissions.get_for_user(request.user, Reception.objects.select_related("area"), pk)
    permissions.require_branch_member(request.user, reception.area_id)
    category = Category.objects.filter(
        street_id=reception.area.street_id, pk=request.POST.get("category") or 0
    ).first()
    estate = Estate.objects.filter(area_id=reception.area_id, pk=request.POST.get("estate") or 0).first()
    if category is None:
        messages.error(request, _("请选择问题类别。"))
    else:
        try:
            problem = services.reception_to_problem(
                actor=request.user, reception=reception, category=category, estate=estate
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("已转为问题 %(number)s。") % {"number": problem.number})
    return redirect("branchwork:receptions")
