"""The district tier's pages (区级): the league table of companies and streets across the district,
a company's profile across streets, its Excel export, and the district admin's district-wide round.
Read by the district's roles (区房管局, 区管理员) only; the street's ranking pages stay the street's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.dbrouter import replica_view
from gongzhi.core.excel import build_workbook, xlsx_response
from gongzhi.core.middleware import district_write
from gongzhi.core.scopes import get_for_user, reader_districts, scope_for
from gongzhi.core.validators import is_id, parse_id
from gongzhi.evaluation import selectors_district
from gongzhi.evaluation.forms_district import DistrictCampaignForm
from gongzhi.evaluation.services.common import EvaluationError
from gongzhi.evaluation.services.district import district_campaign_start
from gongzhi.registry.models import District


def _district(request, pk: int) -> District:
    """The district, read by its district roles only: outsiders 404, a street's reader 403."""
    district = get_for_user(request.user, District, pk)
    if not scope_for(request.user).is_district_reader(district.pk):
        raise PermissionDenied
    return district


def _round(request, district: District):
    rounds = selectors_district.district_rounds(request.user, district)
    wanted = request.GET.get("round", "")
    if is_id(wanted):
        chosen = next((r for r in rounds if r.pk == parse_id(wanted)), None)
        if chosen is None:
            raise Http404
        return rounds, chosen
    return rounds, (rounds[0] if rounds else None)


@login_required
def district_index(request):
    """The user's district (the lowest id if several)."""
    district = reader_districts(request.user).order_by("pk").first()
    if district is None:
        raise PermissionDenied
    return redirect("evaluation:district_league", district.pk)


@login_required
@replica_view
def district_league(request, pk: int):
    district = _district(request, pk)
    rounds, round_ = _round(request, district)
    context = {
        "district": district,
        "rounds": rounds,
        "round": round_,
        **selectors_district.league(request.user, round_),
        "may_start": scope_for(request.user).is_district_admin(district.pk),
        "nav_active": "eval_district",
    }
    return render(request, "evaluation/district_league.html", context)


@login_required
@replica_view
def district_league_export(request, pk: int):
    district = _district(request, pk)
    _rounds, round_ = _round(request, district)
    league = selectors_district.league(request.user, round_)
    content = build_workbook(selectors_district.league_sheets(league["companies"], league["streets"]))
    label = round_.name if round_ else district.name
    return xlsx_response(content, f"{label}-{_('区级排行')}.xlsx")


@login_required
@replica_view
def district_company(request, pk: int, key: str):
    district = _district(request, pk)
    rounds, round_ = _round(request, district)
    profile = selectors_district.company_profile(request.user, round_, key)
    if profile is None:
        raise Http404
    context = {
        "district": district,
        "rounds": rounds,
        "round": round_,
        "profile": profile,
        "nav_active": "eval_district",
    }
    return render(request, "evaluation/district_company.html", context)


@district_write
@login_required
@require_http_methods(["GET", "POST"])
def district_campaign_create(request, pk: int):
    """The district admin starts one campaign in every street of the district (drafts the streets run)."""
    district = _district(request, pk)
    if not scope_for(request.user).is_district_admin(district.pk):
        raise PermissionDenied
    form = DistrictCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = district_campaign_start(
                actor=request.user,
                district=district,
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                weights={
                    "survey": data["weight_survey"],
                    "inspection": data["weight_inspection"],
                    "branch": data["weight_branch"],
                    "problems": data["weight_problems"],
                },
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已在本区 %(n)s 个街道各建立一个测评活动（草稿），由各街道开展。")
                % {"n": round_.links.count()},
            )
            return redirect(f"{_league_url(district)}?round={round_.pk}")
    context = {"district": district, "form": form, "nav_active": "eval_district"}
    return render(request, "evaluation/district_campaign_form.html", context)


def _league_url(district: District) -> str:
    return reverse("evaluation:district_league", args=[district.pk])
