"""Office pages of the branch's work (mounted at /branch/): the security log written by the
property company's staff and commented on by the branch.

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.branchwork import permissions, services
from gongzhi.branchwork.forms import SecurityLogForm
from gongzhi.branchwork.models import SecurityLog
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import PAGE_SIZE, flash_error, local_today
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import estates_as_company, visible
from gongzhi.core.validators import is_id
from gongzhi.registry.models import Estate


def _company_estates(user):
    return estates_as_company(user).order_by(*pinyin_order(Estate, "name"))


@login_required
@require_http_methods(["GET", "POST"])
def security_log(request):
    user = request.user
    if not permissions.may_read_security_log(user):
        raise PermissionDenied
    writable = _company_estates(user) if permissions.is_company_staff(user) else Estate.objects.none()
    form = None
    if writable.exists():
        form = SecurityLogForm(request.POST or None, estates=writable, initial={"day": local_today()})
        if request.method == "POST" and form.is_valid():
            try:
                services.security_log_write(actor=user, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已保存。"))
                return redirect("branchwork:security")
    elif request.method == "POST":
        raise PermissionDenied
    logs = visible(user, SecurityLog).select_related("estate__area")
    estate = request.GET.get("estate", "")
    if is_id(estate):
        logs = logs.filter(estate_id=estate)
    page = Paginator(logs.order_by("-day", "estate__name", "shift"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "branchwork/security.html",
        {
            "nav_active": "branch_security",
            "page": page,
            "form": form,
            "estates": visible(user, Estate)
            .filter(pk__in=visible(user, SecurityLog).values("estate_id"))
            .order_by(*pinyin_order(Estate, "name")),
            "estate": estate,
            "query": urlencode({"estate": estate}) if estate else "",
            "comment_area_ids": permissions.member_area_ids(user),
        },
    )


@login_required
@require_POST
def security_comment(request, pk: int):
    if not permissions.may_read_security_log(request.user):
        raise PermissionDenied
    log = permissions.get_for_user(request.user, SecurityLog.objects.select_related("estate__area"), pk)
    permissions.require_branch_member(request.user, log.estate.area_id)
    try:
        services.security_log_comment(actor=request.user, log=log, comment=request.POST.get("comment", ""))
    except BranchworkError as exc:
        flash_error(request, exc)
    return redirect("branchwork:security")
