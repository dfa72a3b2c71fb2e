"""Office pages of evaluation (mounted at /evaluation/): survey templates, campaigns, household
letters, rankings with intervals, the drill-down of a score, company profiles and awards.

Thin: reads through the one door (``visible`` / ``permissions.get_*_for_user``), writes through
``services``; ``selectors`` builds the rows the tables, charts, Excel files and PDF share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.dbrouter import replica_view
from gongzhi.core.errors import refuse_with_message
from gongzhi.core.excel import build_workbook, xlsx_response
from gongzhi.core.ordering import natural_key, pinyin_order
from gongzhi.core.pdf import pdf_response, render_pdf
from gongzhi.core.scopes import get_for_user, scope_for, streets_run_by, visible
from gongzhi.core.validators import is_id, parse_id
from gongzhi.evaluation import permissions, rules, selectors, selectors_benchmarks, services
from gongzhi.evaluation.documents import survey_letters_pdf
from gongzhi.evaluation.forms import AwardForm, CampaignForm
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    AwardKind,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    CategoryCode,
    ScoreKind,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.views.common import (
    CAMPAIGN_COLOURS,
    admin_street_id,
    require_admin_somewhere,
    require_office,
)
from gongzhi.registry import models as r

# ---- campaigns ----------------------------------------------------------------------------------------


@login_required
def index(request):
    """测评活动: every campaign the user may see, newest first."""
    require_office(request)
    campaigns = list(
        visible(request.user, Campaign)
        .select_related("template")
        .annotate(n_estates=Count("campaign_estates", distinct=True))
        .order_by("-period_end", "-pk")[:200]
    )
    responses = dict(
        SurveyResponse.objects.filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    rows = [
        {"c": c, "colour": CAMPAIGN_COLOURS.get(c.status, ""), "responses": responses.get(c.pk, 0)}
        for c in campaigns
    ]
    scope = scope_for(request.user)
    return render(
        request,
        "evaluation/index.html",
        {"rows": rows, "is_admin": scope.is_street_admin(), "nav_active": "eval_campaigns"},
    )


def _estate_choices(request, street_id: int):
    return (
        visible(request.user, r.Estate)
        .filter(area__street_id=street_id)
        .select_related("area")
        .order_by(*pinyin_order(r.Estate, "area__name", "name", "pk"))
    )


def _chosen_estates(data, street_id: int, estates_qs):
    mode = data["estate_mode"]
    if mode == "old":
        return [e for e in estates_qs if e.is_old]
    if mode == "all":
        return list(estates_qs)
    if mode == "area":
        return list(estates_qs.filter(area__in=data["areas"]))
    if mode == "company":
        served = r.Contract.objects.active().filter(company__in=data["companies"]).values("estate_id")
        return list(estates_qs.filter(pk__in=served))
    return list(data["estates"])


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    street_id = admin_street_id(request)
    today = timezone.localdate()
    estates_qs = _estate_choices(request, street_id)
    templates = visible(request.user, SurveyTemplate).filter(street_id=street_id).order_by("name", "-version")
    if not templates.exists():
        messages.warning(request, _("请先建立一份测评问卷。"))
        return redirect("evaluation:templates")
    form = CampaignForm(
        request.POST or None,
        templates=templates,
        areas=visible(request.user, r.Area)
        .filter(street_id=street_id)
        .order_by(*pinyin_order(r.Area, "name")),
        companies=visible(request.user, r.Company)
        .filter(street_id=street_id)
        .order_by(*pinyin_order(r.Company, "name")),
        estates=estates_qs,
        initial={
            "period_start": today.replace(month=1, day=1),
            "period_end": today,
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=14),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = _chosen_estates(data, street_id, estates_qs)
        try:
            campaign = services.campaign_create(
                actor=request.user,
                street=r.Street.objects.get(pk=street_id),
                template=data["template"],
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                estates=chosen,
                weights={key: data[f"weight_{key}"] for key in rules.COMPONENTS},
            )
        except EvaluationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已建立测评活动（草稿），共 %(n)d 个小区。") % {"n": len(chosen)})
            return redirect("evaluation:campaign", campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "nav_active": "eval_campaigns"})


@login_required
def campaign(request, pk: int):
    """One campaign: status, actions, each estate's participation and letters."""
    require_office(request)
    campaign = permissions.get_campaign_for_user(request.user, pk)
    manage = permissions.is_street_admin(request.user, campaign.street_id)
    links = visible(request.user, CampaignEstate).filter(campaign=campaign).select_related("estate__area")
    links = sorted(links, key=lambda link: (link.estate.area.name, link.estate.name))
    estate_ids = [link.estate_id for link in links]
    codes = {
        row["estate_id"]: row
        for row in AccessCode.objects.filter(campaign=campaign, estate_id__in=estate_ids, revoked=False)
        .values("estate_id")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(used=True)))
    }
    answered = dict(
        SurveyResponse.objects.filter(campaign=campaign, estate_id__in=estate_ids)
        .values("estate_id")
        .annotate(n=Count("id"))
        .values_list("estate_id", "n")
    )
    buildings: dict[int, list] = {}
    for building in (
        r.Building.objects.filter(estate_id__in=estate_ids)
        .annotate(n_units=Count("units"))
        .order_by("number")
    ):
        buildings.setdefault(building.estate_id, []).append(building)
    rows = []
    for link in links:
        n = answered.get(link.estate_id, 0)
        rows.append(
            {
                "link": link,
                "issued": codes.get(link.estate_id, {}).get("issued", 0),
                "used": codes.get(link.estate_id, {}).get("used", 0),
                "responses": n,
                "rate": (Decimal(n) * 100 / link.households) if link.households else None,
                "may_print": permissions.may_issue_codes(request.user, link.estate),
                "may_post": permissions.may_post_notice(request.user, link.estate),
                "buildings": buildings.get(link.estate_id, []),
            }
        )
    context = {
        "campaign": campaign,
        "colour": CAMPAIGN_COLOURS.get(campaign.status, ""),
        "rows": rows,
        "manage": manage,
        "total_households": sum(link.households for link in links),
        "total_responses": sum(answered.values()),
        "weights": selectors.weight_rows(campaign),
        "has_scores": campaign.recomputed_at is not None,
        "nav_active": "eval_campaigns",
    }
    return render(request, "evaluation/campaign.html", context)


CAMPAIGN_ACTIONS = {"open", "close", "recompute"}


@login_required
@require_POST
@refuse_with_message("evaluation:campaign", "pk")
def campaign_act(request, pk: int, action: str):
    campaign = permissions.get_campaign_for_user(request.user, pk, manage=True)
    if action not in CAMPAIGN_ACTIONS:
        raise Http404
    if action == "open":
        services.campaign_open(actor=request.user, campaign=campaign)
        messages.success(request, _("测评已开始，可以打印入户告知书了。"))
    elif action == "close":
        services.campaign_close(actor=request.user, campaign=campaign)
        messages.success(request, _("测评已结束，不再接受答卷。"))
    else:
        # The recompute runs in the worker with a progress bar (issue 16); a second click while it is
        # queued or running follows the first job. The service checks the street admin when it runs.
        from gongzhi.jobs.services import job_start_once

        if not permissions.is_street_admin(request.user, campaign.street_id):
            raise PermissionDenied
        if campaign.status == CampaignStatus.DRAFT:
            raise EvaluationError(_("测评活动尚未开始，没有可计算的数据。"))
        job = job_start_once(
            task="evaluation.campaign_recompute", user=request.user, args={"campaign_id": campaign.pk}
        )
        return redirect("jobs:detail", job.pk)
    return redirect("evaluation:campaign", campaign.pk)


# ---- household letters ---------------------------------------------------------------------------------

# One PDF made inside the request holds at most this many letters: WeasyPrint lays out ~5 letters a second
# on a loaded machine, and a request must finish well inside the server's 30-second timeout. A larger
# estate is printed by the worker, building by building (jobs.py).
MAX_LETTERS = 120


@login_required
@require_POST
def letters(request, pk: int, estate: int):
    """Issue single-use codes for the households of one estate (or one of its buildings) and print
    them, two letters per A4 page. Codes exist in plaintext only in this PDF; printing again with
    ``reissue`` issues new codes for households that have not answered, and the old ones stop working."""
    campaign = permissions.get_campaign_for_user(request.user, pk)
    link = get_for_user(
        request.user,
        CampaignEstate.objects.filter(campaign=campaign).select_related("estate__area__street"),
        estate,
    )
    if not permissions.may_issue_codes(request.user, link.estate):
        raise PermissionDenied
    reissue = request.POST.get("reissue") == "1"
    raw_building = request.POST.get("building", "")
    units = r.Unit.objects.filter(building__estate=link.estate).select_related("building")
    building_id = parse_id(raw_building) if is_id(raw_building) else None
    if building_id is not None:
        units = units.filter(building_id=building_id)
        if not units.exists():
            raise Http404
    if request.POST.get("background") or units.count() > MAX_LETTERS:
        # A large estate or building (or a batch asked for in the background) is issued and printed by the worker,
        # one PDF per building, with a progress bar; the file is on the job's page and in the inbox.
        from gongzhi.jobs.services import job_enqueue

        job = job_enqueue(
            task="evaluation.letters",
            user=request.user,
            args={
                "campaign_id": campaign.pk,
                "link_id": link.pk,
                "building_id": building_id,
                "reissue": reissue,
                "base_url": settings.GONGZHI_PUBLIC_BASE_URL,
            },
        )
        return redirect("jobs:detail", job.pk)
    units = sorted(
        units[: MAX_LETTERS + 1], key=lambda u: (natural_key(u.building.number), natural_key(u.number))
    )
    if len(units) > MAX_LETTERS:
        messages.error(request, _("该楼栋户数超过 %(m)d 户，请联系管理员分批打印。") % {"m": MAX_LETTERS})
        return redirect("evaluation:campaign", campaign.pk)
    try:
        issued = services.codes_issue(
            actor=request.user, campaign=campaign, estate=link.estate, units=units, reissue=reissue
        )
    except EvaluationError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:campaign", campaign.pk)
    if not issued:
        messages.warning(
            request,
            _("没有需要发放的测评码：各户已有有效测评码或已答卷。如需补发，请勾选“作废旧码重新打印”。"),
        )
        return redirect("evaluation:campaign", campaign.pk)
    content = survey_letters_pdf(
        campaign=campaign, estate=link.estate, issued=issued, base_url=settings.GONGZHI_PUBLIC_BASE_URL
    )
    return pdf_response(content, f"{campaign.name}-{link.estate.name}-入户告知书.pdf", inline=False)


# ---- rankings -----------------------------------------------------------------------------------------


def _ranking_kind(request) -> str:
    return ScoreKind.ESTATE if request.GET.get("of") == "estates" else ScoreKind.COMPANY


@login_required
@replica_view
def ranking(request, pk: int):
    """Rankings of companies (or estates) with interval bars, rank ranges, ties and classes, and the
    scale × quality chart."""
    require_office(request)
    campaign = permissions.get_campaign_for_user(request.user, pk)
    kind = _ranking_kind(request)
    filters = {k: request.GET.get(k, "") for k in ("klass", "area", "flag")}
    rows = selectors.ranking_rows(request.user, campaign, kind, filters)
    full = permissions.sees_street_results(request.user, campaign.street_id)
    context = {
        "campaign": campaign,
        "kind": kind,
        "rows": rows,
        "filters": filters,
        "query": request.GET.urlencode(),
        "areas": visible(request.user, r.Area)
        .filter(street_id=campaign.street_id)
        .order_by(*pinyin_order(r.Area, "name"))
        if kind == ScoreKind.ESTATE
        else [],
        "classes": selectors.CLASS_CHOICES,
        "stats": campaign.statistics,
        "full": full,
        "chart": selectors.scatter_option(rows) if kind == ScoreKind.COMPANY and rows and full else None,
        "benchmark_ids": selectors_benchmarks.benchmark_company_ids(request.user)
        if kind == ScoreKind.COMPANY
        else set(),
        "nav_active": "eval_campaigns",
    }
    return render(request, "evaluation/ranking.html", context)


@login_required
@replica_view
def ranking_export(request, pk: int):
    require_office(request)
    campaign = permissions.get_campaign_for_user(request.user, pk)
    kind = _ranking_kind(request)
    filters = {k: request.GET.get(k, "") for k in ("klass", "area", "flag")}
    rows = selectors.ranking_rows(request.user, campaign, kind, filters)
    sheet = selectors.ranking_sheet(rows, kind)
    content = build_workbook([sheet], notes=selectors.ranking_notes(campaign))
    label = _("企业排名") if kind == ScoreKind.COMPANY else _("小区排名")
    return xlsx_response(content, f"{campaign.name}-{label}.xlsx")


@login_required
@replica_view
def ranking_pdf(request, pk: int):
    """The ranking report (PDF): method, both rankings with intervals, classes, notes."""
    require_office(request)
    campaign = permissions.get_campaign_for_user(request.user, pk)
    if not permissions.sees_street_results(request.user, campaign.street_id):
        raise PermissionDenied
    companies = selectors.ranking_rows(request.user, campaign, ScoreKind.COMPANY, {})
    estates = selectors.ranking_rows(request.user, campaign, ScoreKind.ESTATE, {})
    content = render_pdf(
        "evaluation/pdf/ranking.html",
        {
            "campaign": campaign,
            "companies": companies,
            "estates": estates,
            "stats": campaign.statistics,
            "weights": selectors.weight_rows(campaign),
            "class_counts": selectors.class_counts(companies),
            "generated": timezone.localtime(),
        },
    )
    return pdf_response(content, f"{campaign.name}-排名报告.pdf")


@login_required
def score(request, pk: int):
    """How one score was made: survey (raw mean, n, shrinkage weight, street mean, interval), per-category
    means, inspections, the branch's mark, problem counts, the weights actually used."""
    require_office(request)
    snapshot = permissions.get_snapshot_for_user(request.user, pk)
    context = selectors.drilldown(request.user, snapshot)
    context["nav_active"] = "eval_campaigns"
    return render(request, "evaluation/score.html", context)


# ---- templates ----------------------------------------------------------------------------------------


@login_required
def templates(request):
    require_admin_somewhere(request)
    rows = (
        visible(request.user, SurveyTemplate)
        .filter(street__in=streets_run_by(request.user))
        .annotate(
            n_items=Count("categories__items", distinct=True), n_campaigns=Count("campaigns", distinct=True)
        )
        .order_by("name", "-version")
    )
    return render(request, "evaluation/templates.html", {"rows": rows, "nav_active": "eval_templates"})


def _editor_rows(data) -> list[dict]:
    """The editor's posted table → [{code, name, weight, enabled, items: [{text, weight}]}] (in code order)."""
    categories = []
    for code, label in CategoryCode.choices:
        texts = data.getlist(f"items-{code}-text")
        weights = data.getlist(f"items-{code}-weight")
        standards = data.getlist(f"items-{code}-standard")
        items = [
            {
                "text": text.strip(),
                "weight": (weights[i] if i < len(weights) else "").strip() or "1",
                "standard_code": (standards[i] if i < len(standards) else "").strip(),
            }
            for i, text in enumerate(texts)
            if text.strip()
        ]
        categories.append(
            {
                "code": code,
                "label": label,
                "enabled": data.get(f"cat-{code}-on") == "1",
                "name": (data.get(f"cat-{code}-name") or "").strip() or str(label),
                "weight": (data.get(f"cat-{code}-weight") or "").strip(),
                "items": items,
            }
        )
    return categories


def _editor_from_template(template: SurveyTemplate | None) -> list[dict]:
    existing = {}
    if template is not None:
        for c in template.categories.prefetch_related("items"):
            existing[c.code] = {
                "enabled": True,
                "name": c.name,
                "weight": rules.plain(c.weight),
                "items": [
                    {"text": i.text, "weight": rules.plain(i.weight), "standard_code": i.standard_code}
                    for i in c.items.all()
                ],
            }
    rows = []
    for code, label in CategoryCode.choices:
        row = existing.get(code, {"enabled": False, "name": str(label), "weight": "", "items": []})
        rows.append({"code": code, "label": label, **row})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int | None = None):
    """The dense template editor: six category rows (on/off, name, weight %), their items with weights,
    a live sum; the service validates and explains in Chinese."""
    street_id = admin_street_id(request)
    template = None
    if pk is not None:
        template = get_for_user(request.user, SurveyTemplate, pk)
        if not permissions.is_street_admin(request.user, template.street_id):
            raise PermissionDenied
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "default":
            try:
                created = services.template_create_default(
                    actor=request.user, street=r.Street.objects.get(pk=street_id)
                )
            except EvaluationError as exc:
                messages.error(request, exc.message)
                return redirect("evaluation:templates")
            messages.success(request, _("已按“四保 20 项”建立问卷，可继续修改。"))
            return redirect("evaluation:template_edit", created.pk)
        if request.POST.get("action") == "new_version" and template is not None:
            copy = services.template_new_version(actor=request.user, template=template)
            messages.success(request, _("已另存为第 %(v)d 版，可以修改。") % {"v": copy.version})
            return redirect("evaluation:template_edit", copy.pk)
        rows = _editor_rows(request.POST)
        chosen = [
            {"code": c["code"], "name": c["name"], "weight": c["weight"] or "0", "items": c["items"]}
            for c in rows
            if c["enabled"]
        ]
        name = request.POST.get("name", "")
        scale_raw = request.POST.get("scale_max", "5")
        scale_max = parse_id(scale_raw) or 0
        try:
            if template is None:
                saved = services.template_create(
                    actor=request.user,
                    street=r.Street.objects.get(pk=street_id),
                    name=name,
                    categories=chosen,
                    scale_max=scale_max,
                )
            else:
                saved = services.template_update(
                    actor=request.user, template=template, name=name, categories=chosen, scale_max=scale_max
                )
        except EvaluationError as exc:
            error = exc.message
        else:
            messages.success(request, _("问卷已保存。"))
            return redirect("evaluation:template_edit", saved.pk)
        context_rows, form_name, form_scale = rows, name, scale_max
    else:
        context_rows = _editor_from_template(template)
        form_name = template.name if template else ""
        form_scale = template.scale_max if template else 5
    from gongzhi.fees.selectors import standard_titles

    # A question of a four-services category may name the standard item it asks about (issue 14).
    titles = standard_titles(template.street_id if template else street_id)
    for row in context_rows:
        row["blank_rows"] = range(2 if row["items"] else 5)
        row["standard_choices"] = [
            (code, f"{code} {title}")
            for code, (_o, _s, title, service) in sorted(titles.items())
            if service == row["code"]
        ]
    return render(
        request,
        "evaluation/template_edit.html",
        {
            "template": template,
            "rows": context_rows,
            "name": form_name,
            "scale_max": form_scale,
            "error": error,
            "status": 400 if error else 200,
            "nav_active": "eval_templates",
        },
        status=400 if error else 200,
    )


# ---- company profile and awards -----------------------------------------------------------------------


@login_required
def company(request, pk: int):
    """A company's record: scores over time (line chart), problems, elimination campaigns, awards."""
    require_office(request)
    company = get_for_user(request.user, r.Company, pk)
    context = selectors.company_profile(request.user, company)
    context["is_benchmark"] = company.pk in selectors_benchmarks.benchmark_company_ids(request.user)
    context["nav_active"] = "eval_campaigns"
    return render(request, "evaluation/company.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def awards(request):
    """争优评比: the street's awards; the street admin grants new ones."""
    require_office(request)
    scope = scope_for(request.user)
    rows = (
        visible(request.user, Award)
        .select_related("company", "committee__estate", "campaign")
        .order_by("-year", "kind", "pk")
    )
    form = None
    if scope.is_street_admin():
        street_id = admin_street_id(request)
        form = AwardForm(
            request.POST or None,
            kinds=AwardKind.choices,
            companies=visible(request.user, r.Company)
            .filter(street_id=street_id)
            .order_by(*pinyin_order(r.Company, "name")),
            committees=visible(request.user, r.OwnersCommittee)
            .filter(estate__area__street_id=street_id)
            .select_related("estate")
            .order_by(*pinyin_order(r.OwnersCommittee, "estate__name")),
            initial={"year": timezone.localdate().year},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.award_grant(
                    actor=request.user,
                    street=r.Street.objects.get(pk=street_id),
                    kind=data["kind"],
                    title=data["title"],
                    year=data["year"],
                    company=data["company"] if data["kind"] == AwardKind.COMPANY else None,
                    committee=data["committee"] if data["kind"] == AwardKind.OWNERS_COMMITTEE else None,
                    citation=data["citation"],
                )
            except EvaluationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已授予表彰。"))
                return redirect("evaluation:awards")
    elif request.method == "POST":
        raise PermissionDenied
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "evaluation/awards.html",
        {"rows": rows, "form": form, "nav_active": "eval_awards"},
        status=status,
    )
