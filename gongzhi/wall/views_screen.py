"""The wall's offline map, the command room's big screen (大屏) with its revocable display links, and the
street's reduced public wall (docs/WALL.md). Thin: ask the door (or the display link), read the kept
tables through ``selectors_screen``, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.clientip import client_ip
from gongzhi.core.publicpages import public_page
from gongzhi.core.scopes import scope_for
from gongzhi.registry.models import Street
from gongzhi.wall import indicators as ind
from gongzhi.wall import selectors, selectors_trends
from gongzhi.wall import selectors_screen as screen_selectors
from gongzhi.wall.models import DisplayLink
from gongzhi.wall.permissions import require_wall, rules_street, wall_estates
from gongzhi.wall.services import WallError
from gongzhi.wall.services_screen import (
    GeometryImportError,
    display_guess_blocked,
    display_guess_missed,
    display_link_create,
    display_link_open,
    display_link_revoke,
    geometry_export,
    geometry_import,
    public_wall_set,
)

SCREEN_REFRESH_SECONDS = 60
SCREEN_CYCLE_SECONDS = 20
NEW_LINK_KEY = "wall_new_display_link"
REDS_SHOWN = 30  # what one 1080-pixel panel holds in large type; the most red indicators first
SCREEN_TREND_MONTHS = 12  # the trends panel: this month and the 12 before it (enough for "since last year")


def _map_context(blocks, *, links: bool) -> dict:
    collection, unplaced = screen_selectors.map_features(blocks, links=links)
    return {"map_geojson": collection, "unplaced": unplaced, "placed": len(collection["features"])}


# ---- the map ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The street's map for the chosen indicator, the door's estates only; the same estates as a list
    below it (the only view at phone width, and the one for screen readers)."""
    require_wall(request.user)
    indicator = selectors.chosen_indicator(request.GET.get("i"))
    blocks = selectors.grid(wall_estates(request.user), indicator)
    context = {
        "indicator": indicator,
        "indicator_label": ind.label_of(indicator),
        "indicator_explanation": ind.explanation_of(indicator),
        "choices": selectors.indicator_choices(),
        "blocks": blocks,
        "counts": selectors.colour_counts(blocks),
        "estate_count": sum(len(b.tiles) for b in blocks),
        "icons": ind.COLOUR_ICON,
        "can_edit_map": scope_for(request.user).is_street_admin(),
        "nav_active": "wall_map",
        **_map_context(blocks, links=True),
    }
    return render(request, "wall/map.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def geometry(request: HttpRequest) -> HttpResponse:
    """The street admin imports the estates' places (a GeoJSON FeatureCollection) and exports them."""
    street = rules_street(request.user)
    error, problems = "", []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要导入的 GeoJSON 文件。")
        elif upload.size and upload.size > 2 * 1024 * 1024:
            error = _("文件太大：最多 %(mb)d MB。") % {"mb": 2}
        else:
            try:
                report = geometry_import(actor=request.user, street=street, raw=upload.read())
            except GeometryImportError as exc:
                error, problems = exc.message, exc.errors
            else:
                messages.success(request, _("已导入 %(n)d 个小区的位置。") % {"n": len(report.placed)})
                return redirect("wall:geometry")
    estates = wall_estates(request.user).filter(area__street=street)
    blocks = selectors.grid(estates, ind.OVERALL)
    return render(
        request,
        "wall/geometry.html",
        {
            "street": street,
            "error": error,
            "problems": problems,
            "indicator_label": ind.label_of(ind.OVERALL),
            "nav_active": "wall_map",
            **_map_context(blocks, links=True),
        },
    )


@login_required
@require_GET
def geometry_download(request: HttpRequest) -> HttpResponse:
    street = rules_street(request.user)
    body = json.dumps(geometry_export(street=street), ensure_ascii=False, indent=1) + "\n"
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"street-{street.pk}-estates.geojson")
    return response


# ---- the big screen ---------------------------------------------------------------------------------------------


def _screen(request: HttpRequest, estates, *, title: str, poll_url: str, links: bool) -> HttpResponse:
    indicator = selectors.chosen_indicator(request.GET.get("i"))
    blocks = selectors.grid(estates, indicator)
    areas = screen_selectors.area_rows(blocks)
    half = (len(areas) + 1) // 2  # two tables side by side: 32 areas fit one screen
    reds = screen_selectors.red_estates(blocks, indicator)
    # The trends panel: every indicator's monthly series over the same estates (one query), read-only.
    series = selectors_trends.trends(estates, today=timezone.localdate(), history=SCREEN_TREND_MONTHS)
    context = {
        "title": title,
        "indicator": indicator,
        "indicator_label": ind.label_of(indicator),
        "indicator_explanation": ind.explanation_of(indicator),
        "blocks": blocks,
        "counts": selectors.colour_counts(blocks),
        "estate_count": sum(len(b.tiles) for b in blocks),
        "icons": ind.COLOUR_ICON,
        "areas": areas,
        "area_halves": [areas[:half], areas[half:]] if len(areas) > 12 else [areas],
        "reds": reds[:REDS_SHOWN],
        "reds_total": len(reds),
        "reds_more": max(0, len(reds) - REDS_SHOWN),
        "computed_at": screen_selectors.computed_at(estates),
        "poll_url": poll_url,
        "refresh_seconds": SCREEN_REFRESH_SECONDS,
        "cycle_seconds": SCREEN_CYCLE_SECONDS,
        "trends_url": screen_selectors.trends_url() if links else "",
        "trends": [(t, f"screen-{t.chart_id}") for t in series],
        "trend_months": (series[0].points[0].label, series[0].points[-1].label) if series else ("", ""),
        **_map_context(blocks, links=False),
    }
    template = "wall/_screen_body.html" if request.htmx else "wall/screen.html"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """The big screen for whoever may see the wall, over the door's estates."""
    require_wall(request.user)
    scope = scope_for(request.user)
    title = _("挂图作战") if scope.is_street_wide() else _("挂图作战（本人范围）")
    query = request.GET.urlencode()
    poll = request.path + (f"?{query}" if query else "")
    return _screen(request, wall_estates(request.user), title=title, poll_url=poll, links=True)


@require_GET
def screen_display(request: HttpRequest, token: str) -> HttpResponse:
    """The big screen opened with a display link: no login, the whole street read-only (no health cards,
    no edit links). Unknown or revoked: 404; too many unknown tokens from one address: 429."""
    ip = client_ip(request)
    if display_guess_blocked(ip):
        return HttpResponse(
            _("尝试次数过多，请稍后再试。"), status=429, content_type="text/plain; charset=utf-8"
        )
    link = display_link_open(token)
    if link is None:
        display_guess_missed(ip)
        raise Http404
    estates = screen_selectors.street_estates(link.street_id)
    query = request.GET.urlencode()
    poll = request.path + (f"?{query}" if query else "")
    return _screen(request, estates, title=link.street.name, poll_url=poll, links=False)


@login_required
@require_http_methods(["GET", "POST"])
def display_links(request: HttpRequest) -> HttpResponse:
    """The street admin's display links (made, last used, revoked) and the public wall's switch. A new
    link's address is shown once, on the answer to the POST that made it."""
    street = rules_street(request.user)
    error = ""
    if request.method == "POST":
        try:
            link, token = display_link_create(
                actor=request.user, street=street, label=request.POST.get("label", "")
            )
        except WallError as exc:
            error = exc.message
        else:
            # Shown once, after the redirect: the address travels in the server-side session, never in a
            # cookie or a URL, and is dropped as soon as it is shown.
            request.session[NEW_LINK_KEY] = {
                "label": link.label,
                "url": request.build_absolute_uri(reverse("wall:screen_display", args=[token])),
            }
            return redirect("wall:display_links")
    created = request.session.pop(NEW_LINK_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "wall/display_links.html",
        {
            "street": street,
            "links": screen_selectors.display_links(street.pk),
            "error": error,
            "created": created,
            "public_enabled": screen_selectors.public_wall_enabled(street.pk),
            "nav_active": "wall_screen_links",
        },
    )


@login_required
@require_POST
def display_link_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    street = rules_street(request.user)
    link = get_object_or_404(DisplayLink, pk=pk, street=street)
    display_link_revoke(actor=request.user, link=link)
    messages.success(
        request, _("已撤销“%(label)s”：用这个链接打开的大屏将不再显示。") % {"label": link.label}
    )
    return redirect("wall:display_links")


@login_required
@require_POST
def public_switch(request: HttpRequest) -> HttpResponse:
    street = rules_street(request.user)
    enabled = request.POST.get("enabled") == "1"
    public_wall_set(actor=request.user, street=street, enabled=enabled)
    if enabled:
        messages.success(request, _("公开挂图已开启：任何人都能看到简化的挂图（不含个人信息和内部预警）。"))
    else:
        messages.success(request, _("公开挂图已关闭。"))
    return redirect("wall:display_links")


# ---- the public wall --------------------------------------------------------------------------------------------


@require_GET
@public_page(mark=screen_selectors.public_wall_mark, params=("i",))
def public_wall(request: HttpRequest, pk: int) -> HttpResponse:
    """The street's reduced public wall: only the public-safe indicators, no health cards, no personal
    data, no internal alerts. 404 unless the street has turned it on."""
    street = get_object_or_404(Street, pk=pk)
    if not screen_selectors.public_wall_enabled(street.pk):
        raise Http404
    indicator = screen_selectors.public_choice(request.GET.get("i"))
    blocks = selectors.grid(screen_selectors.street_estates(street.pk), indicator)
    context = {
        "street": street,
        "indicator": indicator,
        "indicator_label": ind.label_of(indicator),
        "indicator_explanation": ind.explanation_of(indicator),
        "choices": screen_selectors.public_choices(),
        "blocks": blocks,
        "counts": selectors.colour_counts(blocks),
        "estate_count": sum(len(b.tiles) for b in blocks),
        "icons": ind.COLOUR_ICON,
        **_map_context(blocks, links=False),
    }
    return render(request, "wall/public.html", context)
