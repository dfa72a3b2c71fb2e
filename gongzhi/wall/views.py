"""The wall (挂图作战): the street, an area, a company across its estates, one estate's health card, and
the street admin's colour rules. Thin: ask the door, read the kept tables, render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.scopes import get_for_user, scope_for
from gongzhi.registry.models import Area, Company, Contract
from gongzhi.wall import indicators as ind
from gongzhi.wall import selectors
from gongzhi.wall.permissions import require_wall, rules_street, wall_estates
from gongzhi.wall.services import WallError, wallrule_reset, wallrule_set


def _render_wall(
    request: HttpRequest, estates, *, title: str, crumbs: list[tuple[str, str]], level: str
) -> HttpResponse:
    indicator = selectors.chosen_indicator(request.GET.get("i"))
    blocks = selectors.grid(estates, indicator)
    context = {
        "title": title,
        "crumbs": crumbs,
        "level": level,
        "indicator": indicator,
        "indicator_label": ind.label_of(indicator),
        "indicator_explanation": ind.explanation_of(indicator),
        "choices": selectors.indicator_choices(),
        "blocks": blocks,
        "counts": selectors.colour_counts(blocks),
        "estate_count": sum(len(b.tiles) for b in blocks),
        "icons": ind.COLOUR_ICON,
        "nav_active": "wall",
    }
    if request.htmx:
        return render(request, "wall/_grid.html", context)
    context["headline"] = selectors.headline(estates)
    context["can_edit_rules"] = scope_for(request.user).is_street_admin()
    return render(request, "wall/wall.html", context)


@login_required
def street(request: HttpRequest) -> HttpResponse:
    require_wall(request.user)
    scope = scope_for(request.user)
    title = _("挂图作战") if scope.is_street_wide() else _("挂图作战（本人范围）")
    return _render_wall(request, wall_estates(request.user), title=title, crumbs=[], level="street")


@login_required
def area(request: HttpRequest, pk: int) -> HttpResponse:
    require_wall(request.user)
    place = get_for_user(request.user, Area, pk)
    estates = wall_estates(request.user).filter(area=place)
    return _render_wall(
        request, estates, title=place.name, crumbs=[(_("全街道"), "wall:street")], level="area"
    )


@login_required
def company(request: HttpRequest, pk: int) -> HttpResponse:
    require_wall(request.user)
    firm = get_for_user(request.user, Company, pk)
    managed = Contract.objects.active().filter(company=firm).values("estate_id")
    estates = wall_estates(request.user).filter(pk__in=managed)
    return _render_wall(
        request, estates, title=firm.name, crumbs=[(_("全街道"), "wall:street")], level="company"
    )


def _estate(request: HttpRequest, pk: int):
    require_wall(request.user)
    return get_for_user(request.user, wall_estates(request.user).select_related("area"), pk)


@login_required
def estate(request: HttpRequest, pk: int) -> HttpResponse:
    place = _estate(request, pk)
    overall, lines, computed_at = selectors.card(place.pk)
    firm = Contract.objects.active().filter(estate=place).select_related("company").first()
    return render(
        request,
        "wall/estate.html",
        {
            "estate": place,
            "overall": overall,
            "lines": lines,
            "computed_at": computed_at,
            "company": firm.company if firm else None,
            "nav_active": "wall",
        },
    )


@login_required
def card(request: HttpRequest, pk: int) -> HttpResponse:
    place = _estate(request, pk)
    overall, lines, computed_at = selectors.card(place.pk)
    return render(
        request,
        "wall/_card.html",
        {"estate": place, "overall": overall, "lines": lines, "computed_at": computed_at},
    )


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    street = rules_street(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        key = request.POST.get("indicator", "")
        if key not in ind.REGISTRY:
            errors["general"] = _("没有这个指标。")
        elif request.POST.get("reset"):
            wallrule_reset(actor=request.user, street=street, indicator=key)
            messages.success(request, _("“%(label)s”已恢复默认界线。") % {"label": ind.label_of(key)})
            return redirect("wall:rules")
        else:
            amber, red = _decimal(request.POST.get("amber", "")), _decimal(request.POST.get("red", ""))
            if amber is None or red is None:
                errors[key] = _("请填写数字。")
            else:
                try:
                    wallrule_set(actor=request.user, street=street, indicator=key, amber=amber, red=red)
                except WallError as exc:
                    errors[key] = exc.message
                else:
                    messages.success(
                        request, _("“%(label)s”的颜色界线已保存。") % {"label": ind.label_of(key)}
                    )
                    return redirect("wall:rules")
    return render(
        request,
        "wall/rules.html",
        {
            "rows": selectors.rule_rows(street.pk),
            "errors": errors,
            "street": street,
            "nav_active": "wall_rules",
        },
        status=200,
    )
