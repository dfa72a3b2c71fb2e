"""The landing page after login, fitted to the user's roles: residents go to their mobile
portal; office users first see what to act on today (``core/today.py``), then key figures, charts
and the estates of their scope."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import charts
from gongzhi.core.models import Role
from gongzhi.core.ordering import sorted_by_name
from gongzhi.core.scopes import scope_for, visible
from gongzhi.core.today import day_label, today_for
from gongzhi.problems.selectors import open_and_overdue
from gongzhi.registry import models as r
from gongzhi.registry import selectors
from gongzhi.registry.resources import BY_KEY

HEADLINES = {
    Role.STREET_ADMIN: gettext_lazy("街道工作台"),
    Role.LEADERSHIP: gettext_lazy("领导小组 · 全街道概况"),
    Role.AREA_SECRETARY: gettext_lazy("居民区工作台"),
    Role.BRANCH_MEMBER: gettext_lazy("联合党支部工作台"),
    Role.OC_MEMBER: gettext_lazy("业委会工作台"),
    Role.COMPANY_STAFF: gettext_lazy("物业企业工作台"),
    Role.EVALUATOR: gettext_lazy("第三方测评工作台"),
    Role.DISTRICT_ADMIN: gettext_lazy("区管理员 · 全区概况"),
    Role.DISTRICT_OFFICE: gettext_lazy("区房管局 · 全区概况"),
}
ROLE_ORDER = list(HEADLINES)


def _bar_chart(title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> dict:
    return charts.bar_chart(
        title,
        labels,
        series,
        grid=charts.grid(40, 10, 40, 60),
        rotate_over=6,
        y_axis=charts.value_axis(minInterval=1),
        colours=["#c0392b", "#e6a23c", "#1f5fa8"],
    )


@login_required
def home(request):
    """Today's work first, at once; the figures, charts and tables below it (``overview``) follow in
    their own request (htmx), so the list a user acts on never waits for the street's statistics.
    ``?overview=1`` puts them in the page (without JavaScript)."""
    scope = scope_for(request.user)
    if scope.is_owner_only():
        return redirect("portal:home")
    if scope.is_empty:
        return render(request, "home/no_role.html", status=200)
    role = next(role for role in ROLE_ORDER if scope.has_role(role))
    inline = request.GET.get("overview") == "1"
    return render(
        request,
        "home/office.html",
        {
            "headline": HEADLINES[role],
            "today_items": today_for(request.user),
            "today_label": day_label(timezone.localdate()),
            "role": role,
            "overview": _overview(request.user, scope) if inline else None,
            "nav_active": "home",
        },
    )


@login_required
def overview(request):
    """The landing page's figures, charts and tables of the user's scope, as a fragment."""
    scope = scope_for(request.user)
    if scope.is_owner_only() or scope.is_empty:
        raise PermissionDenied
    return render(request, "home/_overview.html", _overview(request.user, scope))


def _overview(user, scope) -> dict:
    summary = selectors.registry_summary(user)
    summary["total_area_wan"] = (summary["total_area"] / 10000).quantize(Decimal("0.01"))
    histogram = selectors.collection_rate_histogram(user)
    companies = selectors.companies_by_estates(user)
    estates_resource = BY_KEY["estates"]
    estates = estates_resource.queryset(visible(user, r.Estate)).order_by("collection_rate", "name")[:15]
    estate_rows = [
        [col.cell(e, scope, f"/registry/estates/{e.pk}/") for col in estates_resource.columns]
        for e in estates
    ]
    charts = {
        "rates": _bar_chart(
            _("小区物业费收缴率分布（个）"),
            [h[0] for h in histogram],
            [(_("小区数"), [h[1] for h in histogram])],
        ),
        "companies": _bar_chart(
            _("物业企业在管小区（个）"),
            [c[0] for c in companies],
            [(_("老旧小区"), [c[2] for c in companies]), (_("其他小区"), [c[1] - c[2] for c in companies])],
        ),
    }
    return {
        "summary": summary,
        "problems": open_and_overdue(user),
        "charts": charts,
        "estate_headers": [{"label": c.label, "num": c.num} for c in estates_resource.columns],
        "estate_rows": estate_rows,
        "areas": sorted_by_name(visible(user, r.Area).select_related("branch"), "name")[:40]
        if scope.is_street_wide()
        else None,
    }
