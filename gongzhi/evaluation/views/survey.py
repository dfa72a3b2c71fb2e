"""The resident survey (mounted at /survey/): answer with a household code (no login) or, logged in,
for one's own unit; and the fault-finding form (找茬) of an elimination campaign.

No personal data is shown on these pages: a code page names the campaign and the estate only.
Writes go through gongzhi.evaluation.services, which enforce single use and anonymity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.scopes import home_estates, own_units, scope_for, visible
from gongzhi.evaluation import permissions, rules, services
from gongzhi.evaluation.forms import DONT_KNOW, CodeForm, FaultForm, item_field, parse_answers, scale_choices
from gongzhi.evaluation.models import (
    AccessCode,
    Campaign,
    CampaignStatus,
    EliminationCampaign,
    EliminationStatus,
    HouseholdSubmission,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.registry import models as r


def _message(request, heading, text, *, tone="info", status=200, **extra):
    context = {"heading": heading, "text": text, "tone": tone, **extra}
    return render(request, "evaluation/survey/message.html", context, status=status)


def _form_context(campaign: Campaign, data=None, missing=()) -> dict:
    """The questionnaire as the template shows it, with the resident's choices kept on an error."""
    categories = []
    count = 0
    for category in campaign.template.categories.prefetch_related("items"):
        items = []
        for item in category.items.all():
            value = (data.get(item_field(item.pk)) if data is not None else "") or ""
            items.append(
                {
                    "text": item.text,
                    "field": item_field(item.pk),
                    "value": value,
                    "missing": item.pk in missing,
                }
            )
            count += 1
        categories.append({"name": category.name, "items": items})
    return {
        "campaign": campaign,
        "categories": categories,
        "item_count": count,
        "scale": scale_choices(campaign.template.scale_max),
        "dont_know": DONT_KNOW,
    }


def _item_ids(campaign: Campaign) -> list[int]:
    return list(
        campaign.template.categories.values_list("items__pk", flat=True)
        .exclude(items__pk=None)
        .order_by("sort_order", "items__sort_order", "items__pk")
    )


def _closed_text(campaign: Campaign, today) -> str | None:
    """Why the campaign takes no answer today, or None when it is open."""
    if campaign.status == CampaignStatus.DRAFT or (
        campaign.status == CampaignStatus.OPEN and today < campaign.opens_on
    ):
        return _("本次测评将于 %(d)s 开始，请到时再来。") % {"d": campaign.opens_on}
    if campaign.status == CampaignStatus.CLOSED or today > campaign.closes_on:
        return _("本次测评已于 %(d)s 截止，感谢您的关心。") % {"d": campaign.closes_on}
    return None


@require_http_methods(["GET", "POST"])
def start(request):
    """Type the code from the letter (for those who cannot scan the QR code)."""
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            return redirect("survey:answer", code=rules.format_code(form.cleaned_data["code"]))
        return render(
            request,
            "evaluation/survey/start.html",
            {"code_error": form.errors["code"][0], "code_value": request.POST.get("code", "")[:40]},
        )
    return render(request, "evaluation/survey/start.html", {})


def _refuse_code(request, code_text: str):
    """The page for a code that cannot be used (unknown, revoked, used, campaign closed), or None."""
    if not rules.code_well_formed(code_text):
        return _message(
            request,
            _("测评码有误"),
            _("测评码应为 12 位字母和数字，请对照入户告知书重新输入。"),
            tone="error",
            status=404,
            show_code_form=True,
        ), None
    access = (
        AccessCode.objects.select_related("campaign__template", "estate")
        .filter(code_hash=rules.hash_code(code_text))
        .first()
    )
    if access is None or access.revoked:
        return _message(
            request,
            _("测评码无效"),
            _("没有找到这个测评码，或它已作废。请对照入户告知书重新输入；告知书遗失请联系居委会补发。"),
            tone="error",
            status=404,
            show_code_form=True,
        ), None
    if access.used:
        return _message(
            request,
            _("该测评码已使用"),
            _("这个测评码已经提交过答卷。每户只能提交一次，感谢您的参与。"),
            tone="error",
            status=409,
        ), None
    closed = _closed_text(access.campaign, timezone.localdate())
    if closed:
        return _message(request, _("测评未在进行中"), closed, tone="error", status=409), None
    return None, access


@require_http_methods(["GET", "POST"])
def answer(request, code: str):
    """The questionnaire for a household code: one page, big 1–5 buttons, submit once."""
    refusal, access = _refuse_code(request, code)
    if refusal is not None:
        return refusal
    campaign = access.campaign
    context = {"estate_name": access.estate.name, "tab": "survey"}
    if request.method == "POST":
        answers, missing = parse_answers(request.POST, _item_ids(campaign), campaign.template.scale_max)
        if missing:
            context |= _form_context(campaign, request.POST, set(missing))
            context["error"] = _("还有 %(n)d 题没有选择，请补上（不清楚的可选“不了解”）。") % {
                "n": len(missing)
            }
            return render(request, "evaluation/survey/form.html", context, status=400)
        try:
            services.response_submit_by_code(code=code, answers=answers)
        except EvaluationError as exc:
            refusal, _access = _refuse_code(request, code)  # used meanwhile, or closed: say which
            if refusal is not None:
                return refusal
            context |= _form_context(campaign, request.POST)
            context["error"] = exc.message
            return render(request, "evaluation/survey/form.html", context, status=400)
        return redirect("survey:thanks")
    context |= _form_context(campaign)
    return render(request, "evaluation/survey/form.html", context)


def thanks(request):
    return _message(
        request,
        _("提交成功，谢谢您！"),
        _("您的答卷已匿名保存。街道将汇总全体住户的评价，对物业服务企业进行考核排名，结果在小区公示。"),
        tone="ok",
    )


# ---- logged-in owners ---------------------------------------------------------------------------------


def _open_campaigns_for(user):
    today = timezone.localdate()
    return (
        visible(user, Campaign)
        .filter(status=CampaignStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
        .select_related("template")
        .order_by("-closes_on", "pk")
    )


@login_required
def mine(request):
    """我的测评: the open campaigns my units take part in, answered or not."""
    rows = []
    if scope_for(request.user).owns_unit():
        campaigns = list(_open_campaigns_for(request.user))
        answered = set(
            HouseholdSubmission.objects.filter(
                campaign__in=campaigns, unit__in=own_units(request.user)
            ).values_list("campaign_id", "unit_id")
        )
        for campaign in campaigns:
            for unit in permissions.units_to_answer(request.user, campaign):
                rows.append({"campaign": campaign, "unit": unit, "done": (campaign.pk, unit.pk) in answered})
    faults = _fault_campaigns_for(request.user)
    return render(request, "evaluation/survey/mine.html", {"rows": rows, "faults": faults, "tab": "survey"})


def _own_unit(user, campaign: Campaign, unit_pk: int) -> r.Unit:
    unit = next((u for u in permissions.units_to_answer(user, campaign) if u.pk == unit_pk), None)
    if unit is None:
        raise Http404
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def answer_unit(request, pk: int, unit: int):
    """A logged-in owner answers for their own unit (once per unit, like the letter's code)."""
    campaign = permissions.get_campaign_for_user(request.user, pk)
    if not scope_for(request.user).owns_unit():
        raise PermissionDenied
    unit_obj = _own_unit(request.user, campaign, unit)
    context = {"estate_name": unit_obj.building.estate.name, "tab": "survey"}
    if HouseholdSubmission.objects.filter(campaign=campaign, unit=unit_obj).exists():
        return _message(
            request, _("您家已参加本次测评"), _("每户只能提交一次，感谢您的参与。"), tone="error", status=409
        )
    closed = _closed_text(campaign, timezone.localdate())
    if closed:
        return _message(request, _("测评未在进行中"), closed, tone="error", status=409)
    if request.method == "POST":
        answers, missing = parse_answers(request.POST, _item_ids(campaign), campaign.template.scale_max)
        if missing:
            context |= _form_context(campaign, request.POST, set(missing))
            context["error"] = _("还有 %(n)d 题没有选择，请补上（不清楚的可选“不了解”）。") % {
                "n": len(missing)
            }
            return render(request, "evaluation/survey/form.html", context, status=400)
        try:
            services.response_submit_by_owner(
                actor=request.user, campaign=campaign, unit=unit_obj, answers=answers
            )
        except EvaluationError as exc:
            context |= _form_context(campaign, request.POST)
            context["error"] = exc.message
            return render(request, "evaluation/survey/form.html", context, status=400)
        return redirect("survey:thanks")
    context |= _form_context(campaign)
    return render(request, "evaluation/survey/form.html", context)


# ---- fault-finding (找茬) --------------------------------------------------------------------------------


def _fault_campaigns_for(user) -> list[dict]:
    """Open fault-finding windows whose candidates serve one of the user's home estates."""
    if not scope_for(user).lives_in():
        return []
    today = timezone.localdate()
    contracts = list(
        r.Contract.objects.active().filter(estate__in=home_estates(user)).select_related("company", "estate")
    )
    by_company = {c.company_id: c for c in contracts}
    found = []
    for elimination in EliminationCampaign.objects.filter(
        status=EliminationStatus.FAULT_FINDING,
        fault_opens_on__lte=today,
        fault_closes_on__gte=today,
        candidates__company_id__in=list(by_company),
    ).distinct():
        companies = [
            by_company[c]
            for c in elimination.candidates.values_list("company_id", flat=True)
            if c in by_company
        ]
        found.append({"elimination": elimination, "contracts": companies})
    return found


@login_required
@require_http_methods(["GET", "POST"])
def fault(request, pk: int):
    """找茬: a resident files a fault against a bottom-N company serving their estate; it becomes a
    problem in the tracker, tagged to the elimination campaign (services.fault_file)."""
    entry = next((f for f in _fault_campaigns_for(request.user) if f["elimination"].pk == pk), None)
    if entry is None:
        if EliminationCampaign.objects.filter(
            pk=pk, candidates__company__contracts__estate__in=home_estates(request.user)
        ).exists():
            return _message(request, _("找茬已截止"), _("本轮找茬不在进行中。"), tone="error", status=409)
        raise Http404
    from gongzhi.problems.models import Category
    from gongzhi.problems.services import category_defaults_ensure

    elimination = entry["elimination"]
    contracts = {c.estate_id: c for c in entry["contracts"]}
    street_id = elimination.street_id
    category_defaults_ensure(street=r.Street.objects.get(pk=street_id))
    form = FaultForm(
        request.POST if request.method == "POST" else None,
        companies=[(c.estate_id, f"{c.company.name}({c.estate.name})") for c in contracts.values()],
        categories=Category.objects.filter(street_id=street_id),
    )
    if request.method == "POST" and form.is_valid():
        contract = contracts[form.cleaned_data["company"]]
        try:
            fault_obj = services.fault_file(
                actor=request.user,
                elimination=elimination,
                estate=contract.estate,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except EvaluationError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(None, _("只能为您自己房屋所在的小区找茬。"))
        else:
            messages.success(
                request,
                _("已提交，问题编号 %(n)s，将按问题清单逐项整改销项。") % {"n": fault_obj.problem.number},
            )
            return redirect("portal:problem", fault_obj.problem_id)
    return render(
        request,
        "evaluation/survey/fault.html",
        {"form": form, "elimination": elimination, "contracts": list(contracts.values()), "tab": "survey"},
    )
