"""Office pages of the branch's work (mounted at /branch/): the home page, the weekly rhythm
compliance of every branch (and its Excel export) and the street's rhythm rules.

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gongzhi.branchwork import permissions, rules, selectors, services
from gongzhi.branchwork.forms import RulesForm
from gongzhi.branchwork.models import Meeting, Patrol
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import chosen_week, local_today, require_reader
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.scopes import admin_street, scope_for, visible


@login_required
@require_safe
def home(request):
    user = request.user
    if not permissions.is_branch_reader(user):
        if permissions.is_company_staff(user):
            return redirect("branchwork:security")
        raise PermissionDenied
    if scope_for(user).is_street_wide():
        return redirect("branchwork:compliance")
    monday = rules.week_start(local_today())
    weeks = selectors.compliance(selectors.branches_for(user), monday, local_today())
    meetings = (
        visible(user, Meeting)
        .filter(starts_at__gte=timezone.now() - dt.timedelta(days=1))
        .select_related("branch__area")
        .order_by("starts_at")[:5]
    )
    open_patrol = Patrol.objects.filter(recorded_by=user, ended_at__isnull=True).first()
    return render(
        request,
        "branchwork/home.html",
        {
            "nav_active": "branch_home",
            "weeks": weeks,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "upcoming": meetings,
            "open_patrol": open_patrol,
            "can_schedule": permissions.may_schedule(user),
        },
    )


def _week_nav(monday: dt.date) -> dict:
    return {
        "week": rules.week_label(monday),
        "prev_week": rules.week_label(monday - dt.timedelta(days=7)),
        "next_week": rules.week_label(monday + dt.timedelta(days=7)),
        "this_week": rules.week_label(rules.week_start(local_today())),
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
    }


@login_required
@require_safe
def compliance(request):
    require_reader(request)
    monday = chosen_week(request)
    rows = selectors.compliance(selectors.branches_for(request.user), monday, local_today())
    summary = {
        "branches": len(rows),
        "patrol_behind": sum(1 for r in rows if r.patrols.gap),
        "meeting_behind": sum(1 for r in rows if r.meetings.gap),
        "oc_overdue": sum(r.committees_overdue for r in rows),
    }
    return render(
        request,
        "branchwork/compliance.html",
        {"nav_active": "branch_compliance", "rows": rows, "summary": summary, **_week_nav(monday)},
    )


@login_required
@require_safe
def compliance_export(request):
    require_reader(request)
    monday = chosen_week(request)
    rows = selectors.compliance(selectors.branches_for(request.user), monday, local_today())
    states = {"ok": _("达标"), "behind": _("未达标"), "open": _("进行中")}
    sheet = SheetSpec(
        title=_("支部工作节奏"),
        columns=[
            ColumnSpec(_("周")),
            ColumnSpec(_("居民区")),
            ColumnSpec(_("支部")),
            ColumnSpec(_("成员数")),
            ColumnSpec(_("日巡完成")),
            ColumnSpec(_("日巡应完成（截至昨日）")),
            ColumnSpec(_("日巡缺")),
            ColumnSpec(_("日巡全周要求")),
            ColumnSpec(_("日巡状态")),
            ColumnSpec(_("支部会议")),
            ColumnSpec(_("支部会议要求")),
            ColumnSpec(_("会议状态")),
            ColumnSpec(_("业委会超期未开会")),
            ColumnSpec(_("业委会决定未按时公告")),
        ],
        rows=[
            [
                rules.week_label(monday),
                r.branch.area.name,
                r.branch.name,
                r.members,
                r.patrols.done,
                r.patrols.due,
                r.patrols.gap,
                r.patrols.required,
                states[r.patrols.state],
                r.meetings.done,
                r.meetings.required,
                states[r.meetings.state],
                r.committees_overdue,
                r.postings_bad,
            ]
            for r in rows
        ],
    )
    return xlsx_response(build_workbook([sheet]), f"支部工作节奏-{rules.week_label(monday)}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request):
    street = admin_street(request.user)
    if street is None:
        raise PermissionDenied
    rule = services.rhythm_rule_for(street.pk)
    initial = {
        "patrol_days_per_week": rule.patrol_days_per_week,
        "branch_meetings_per_week": rule.branch_meetings_per_week,
        "oc_meeting_interval_months": rule.oc_meeting_interval_months,
        "oc_decision_post_days": rule.oc_decision_post_days,
    }
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rhythm_rule_update(actor=request.user, street=street, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("工作节奏规则已保存。"))
            return redirect("branchwork:rules")
    return render(
        request, "branchwork/rules.html", {"nav_active": "branch_rules", "form": form, "street": street}
    )
