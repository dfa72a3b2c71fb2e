"""Field work: third-party inspections (evaluators, assigned estates only) and the branch's
assessment (参与考核权) of the companies in its area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.models import Role
from gongzhi.core.scopes import branch_areas, evaluated_estates, scope_for, visible
from gongzhi.evaluation import permissions, services
from gongzhi.evaluation.forms import AssessmentForm, InspectionForm
from gongzhi.evaluation.models import (
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    CategoryCode,
    Inspection,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.registry import models as r

CHECKLIST_ROWS = 8


def _require_evaluator(request):
    if not scope_for(request.user).has_role(Role.EVALUATOR):
        raise PermissionDenied


@login_required
def inspections(request):
    """The evaluator's assignments in the campaigns that are not closed, and their inspections."""
    _require_evaluator(request)
    links = list(
        CampaignEstate.objects.filter(estate__in=evaluated_estates(request.user))
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .select_related("campaign", "estate")
        .order_by("-campaign__period_end", "estate__name")
    )
    done = (
        visible(request.user, Inspection)
        .select_related("campaign", "estate")
        .order_by("-inspected_on", "-pk")[:100]
    )
    return render(
        request,
        "evaluation/inspections.html",
        {"links": links, "done": done, "nav_active": "eval_inspections"},
    )


def _checklist_defaults(campaign: Campaign, estate) -> list[dict]:
    """The checklist an inspector starts from. Where the street keeps a four-services standard and the estate's
    contract names a level, one line per standard item of that level (its code, and the requirement as a hint),
    so the inspection scores what the company committed to; then the questionnaire's other categories (attitude,
    openness). Without a standard: the questionnaire's first items of each category."""
    from gongzhi.fees.selectors import commitment_check

    check = commitment_check(estate)
    rows = [
        {
            "category": c.service,
            "label": c.title,
            "standard_code": c.code,
            "requirement": f"{c.required.normalize():f} {c.unit}",
            "score": "",
            "max_score": "10",
            "remark": "",
        }
        for c in check["checks"]
    ]
    four_services = {c.service for c in check["checks"]}
    for category in campaign.template.categories.prefetch_related("items"):
        if category.code in four_services:
            continue
        for item in category.items.all()[:3]:
            rows.append(
                {
                    "category": category.code,
                    "label": item.text,
                    "standard_code": item.standard_code,
                    "score": "",
                    "max_score": "10",
                    "remark": "",
                }
            )
    return rows or [{"category": "", "label": "", "score": "", "max_score": "10", "remark": ""}]


def _standard_choices(street_id: int) -> list[tuple[str, str]]:
    """The street's standard items for a line's "标准项" choice: (code, "BJ-01 楼道清扫"), in the standard's order."""
    from gongzhi.fees.selectors import standard_titles

    titles = standard_titles(street_id)
    return [(code, f"{code} {titles[code][2]}") for code in sorted(titles, key=lambda c: (titles[c][0], c))]


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request, pk: int, estate: int):
    """A phone-friendly checklist: category, item, points out of maximum, remark; photos."""
    _require_evaluator(request)
    if not scope_for(request.user).evaluates(estate):
        raise Http404  # outside the assignment: the same answer as "does not exist"
    campaign = permissions.get_campaign_for_user(request.user, pk)
    estate_obj = visible(request.user, r.Estate).filter(pk=estate).first()
    if estate_obj is None or not permissions.may_inspect(request.user, campaign, estate_obj):
        raise Http404
    form = InspectionForm(request.POST or None, initial={"inspected_on": timezone.localdate()})
    lines = _checklist_defaults(campaign, estate_obj)
    if request.method == "POST":
        cats = request.POST.getlist("line-category")
        labels = request.POST.getlist("line-label")
        scores = request.POST.getlist("line-score")
        maxes = request.POST.getlist("line-max")
        remarks = request.POST.getlist("line-remark")
        codes = request.POST.getlist("line-code")
        lines = [
            {
                "category": cats[i] if i < len(cats) else "",
                "label": labels[i],
                "score": scores[i] if i < len(scores) else "",
                "max_score": maxes[i] if i < len(maxes) else "",
                "remark": remarks[i] if i < len(remarks) else "",
                "standard_code": codes[i] if i < len(codes) else "",
            }
            for i in range(len(labels))
            if labels[i].strip() or (i < len(scores) and scores[i].strip())
        ]
        if form.is_valid():
            try:
                services.inspection_record(
                    actor=request.user,
                    campaign=campaign,
                    estate=estate_obj,
                    inspected_on=form.cleaned_data["inspected_on"],
                    lines=lines,
                    note=form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                )
            except EvaluationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("检查结果已保存。"))
                return redirect("evaluation:inspections")
    # Always a couple of empty lines below the standard's, for what the inspector finds beyond it.
    padded = lines + [{"category": "", "label": "", "score": "", "max_score": "10", "remark": ""}] * max(
        2, CHECKLIST_ROWS - len(lines)
    )
    return render(
        request,
        "evaluation/inspection_form.html",
        {
            "form": form,
            "campaign": campaign,
            "estate": estate_obj,
            "lines": padded,
            "category_choices": CategoryCode.choices,
            "standard_choices": _standard_choices(campaign.street_id),
            "nav_active": "eval_inspections",
        },
        status=400 if form.errors else 200,
    )


# ---- branch assessment ---------------------------------------------------------------------------------


def _assessable(request):
    """(campaign, estate link, company, existing assessment) for estates this user may assess."""
    scope = scope_for(request.user)
    if not (scope.in_branch() or scope.is_street_admin()):
        raise PermissionDenied
    q = visible(request.user, CampaignEstate).exclude(campaign__status=CampaignStatus.CLOSED)
    if not scope.is_street_admin():
        q = q.filter(estate__area__in=branch_areas(request.user))
    return q.select_related("campaign", "estate__area").order_by(
        "-campaign__period_end", "estate__area__name", "estate__name"
    )


@login_required
def assessments(request):
    """支部考核: one mark (0–100) per estate's company in each running campaign."""
    links = list(_assessable(request)[:500])
    existing = {
        (a.campaign_id, a.estate_id): a
        for a in visible(request.user, BranchAssessment).filter(
            campaign_id__in={link.campaign_id for link in links},
            estate_id__in={link.estate_id for link in links},
        )
    }
    contracts = {
        c.estate_id: c.company
        for c in r.Contract.objects.active()
        .filter(estate_id__in={link.estate_id for link in links})
        .select_related("company")
    }
    rows = [
        {
            "link": link,
            "company": contracts.get(link.estate_id),
            "assessment": existing.get((link.campaign_id, link.estate_id)),
        }
        for link in links
    ]
    return render(request, "evaluation/assessments.html", {"rows": rows, "nav_active": "eval_assessments"})


@login_required
@require_POST
def assessment_save(request, pk: int, estate: int):
    campaign = permissions.get_campaign_for_user(request.user, pk)
    estate_obj = visible(request.user, r.Estate).select_related("area").filter(pk=estate).first()
    if estate_obj is None:
        raise Http404
    if not permissions.may_assess(request.user, estate_obj):
        raise PermissionDenied
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{estate_obj.name}:{next(iter(form.errors.values()))[0]}")
        return redirect("evaluation:assessments")
    try:
        services.branch_assessment_record(
            actor=request.user,
            campaign=campaign,
            estate=estate_obj,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except EvaluationError as exc:
        messages.error(request, f"{estate_obj.name}:{exc.message}")
    else:
        messages.success(request, _("已保存 %(e)s 的支部考核。") % {"e": estate_obj.name})
    return redirect("evaluation:assessments")
