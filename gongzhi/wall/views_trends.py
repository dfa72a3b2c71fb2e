"""Trends (趋势判断), the street admin's "立即重新计算" and the monthly briefing PDF (月度简报). Thin: ask the
door (the same estates as the wall), read the snapshots and the kept status, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongzhi.core import dates
from gongzhi.core.pdf import pdf_response, render_pdf
from gongzhi.core.scopes import admin_street, get_for_user, scope_for
from gongzhi.registry.models import Area, Company, Contract, Street
from gongzhi.wall import selectors_briefing, selectors_trends
from gongzhi.wall.permissions import require_wall, wall_estates


def _chosen(request: HttpRequest):
    """The estates the trends are of, the selector's value and the title: the whole of the user's wall,
    or one area, company or estate within it (out of scope: 404)."""
    mine = wall_estates(request.user)
    parsed = selectors_trends.parse_of(request.GET.get("of"))
    if parsed is None:
        whole = _("全街道") if scope_for(request.user).is_street_wide() else _("本人范围")
        return mine, "", whole
    kind, pk = parsed
    value = f"{kind}-{pk}"
    if kind == "area":
        place = get_for_user(request.user, Area, pk)
        return mine.filter(area=place), value, place.name
    if kind == "company":
        firm = get_for_user(request.user, Company, pk)
        managed = Contract.objects.active().filter(company=firm).values("estate_id")
        return mine.filter(pk__in=managed), value, firm.name
    place = get_for_user(request.user, mine, pk)
    return mine.filter(pk=place.pk), value, place.name


@login_required
@require_safe
def trends(request: HttpRequest) -> HttpResponse:
    require_wall(request.user)
    estates, chosen, title = _chosen(request)
    today = timezone.localdate()
    series = selectors_trends.trends(estates, today=today)
    scope = scope_for(request.user)
    return render(
        request,
        "wall/trends.html",
        {
            "title": title,
            "chosen": chosen,
            "choices": selectors_trends.choices(wall_estates(request.user)),
            "trends": series,
            "first_month": series[0].points[0].label,
            "last_month": series[0].points[-1].label,
            "can_recompute": scope.is_street_admin(),
            "can_brief": scope.is_street_wide(),
            "nav_active": "wall_trends",
        },
    )


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """Start the recompute now (wall/jobs.py) and show its page; a second click while one is under way
    follows that one."""
    if admin_street(request.user) is None:
        raise PermissionDenied
    from gongzhi.jobs.services import job_start_once

    job = job_start_once(task="wall.recompute", user=request.user, args={})
    return redirect("jobs:detail", job.pk)


@login_required
@require_safe
def briefing(request: HttpRequest) -> HttpResponse:
    """The monthly briefing for the leadership group's meeting, as an A4 PDF: the street admin and the
    leadership group of the street."""
    estates = wall_estates(request.user)
    street_id = estates.order_by().values_list("area__street_id", flat=True).first()
    if street_id is None or not scope_for(request.user).is_street_wide(street_id):
        raise PermissionDenied
    street = Street.objects.get(pk=street_id)
    estates = estates.filter(area__street_id=street_id)
    today = timezone.localdate()
    series = selectors_trends.trends(estates, today=today, history=12)
    context = {
        "street": street,
        "today": today,
        "today_text": dates.long_date(today),
        "generated": timezone.localtime(),
        "estate_count": estates.count(),
        "rows": selectors_briefing.state(estates, series),
        "trends": series,
        "attention": selectors_briefing.attention(estates),
        "milestones": selectors_briefing.milestones(street_id, today),
        "decisions": selectors_briefing.decisions(request.user, street_id),
        "last_month": series[0].points[-2].label,
    }
    content = render_pdf("wall/pdf/briefing.html", context, request=request)
    filename = _("%(street)s月度简报-%(day)s.pdf") % {"street": street.name, "day": today.isoformat()}
    return pdf_response(content, filename)
