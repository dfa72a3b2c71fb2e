"""Reads over evaluation for the office pages (tables, charts, Excel, PDF) and the resident survey.
Every read of protected rows starts from ``gongzhi.core.scopes.visible`` (the one door), so a company
sees only its own company row and the rows of the estates it serves (scoping.py); counting runs in
the database and the number of queries stays fixed as the tables grow.

An estate with fewer than k answers shows no survey figure to anyone (``withhold_small_sample``);
raw means below ``rules.MIN_DISCLOSED_RESPONSES`` stay with the street-wide roles (``drilldown``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.excel import ColumnSpec, SheetSpec
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import home_estates, scope_for, visible
from gongzhi.core.validators import is_id, parse_id
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    EliminationCandidate,
    FaultFinding,
    HouseholdSubmission,
    Inspection,
    ScoreClass,
    ScoreKind,
    ScoreSnapshot,
    SurveyResponse,
    SurveyTemplate,
)

CLASS_CHOICES = ScoreClass.choices
CLASS_COLOURS = {"benchmark": "#2e9d5b", "keep": "#1f5fa8", "improve": "#d69e2e", "elimination": "#c0392b"}
COMPONENT_LABELS = {
    "survey": gettext_lazy("居民测评"),
    "inspection": gettext_lazy("第三方检查"),
    "branch": gettext_lazy("支部考核"),
    "problems": gettext_lazy("问题整改"),
}
FLAG_LABELS = {
    "no_responses": gettext_lazy("无答卷：测评分取街道均值"),
    "small_sample": gettext_lazy("答卷较少：测评分已向街道均值靠拢"),
    "low_response_rate": gettext_lazy("参与率低于 10%"),
    "missing_inspection": gettext_lazy("缺第三方检查：权重已按比例分摊"),
    "missing_branch": gettext_lazy("缺支部考核：权重已按比例分摊"),
    "missing_problems": gettext_lazy("缺问题整改数据"),
    "withheld": gettext_lazy("样本不足，暂不显示测评分（答卷过少，保护匿名）"),
}
SCALE_LABELS = {"large": gettext_lazy("规模大"), "small": gettext_lazy("规模小")}


# ---- templates and campaigns -------------------------------------------------------------------------


def fault_window_contracts(user, elimination) -> list:
    """Where a fault-finding window (找茬) is posted: the contracts in force today of its bottom-N companies,
    in the estates the user reads (the door), by area and estate name. One row per estate and company."""
    from gongzhi.registry.models import Contract, Estate

    candidates = elimination.candidates.values("company_id")
    return list(
        Contract.objects.active()
        .filter(company_id__in=candidates, estate__in=visible(user, Estate))
        .select_related("estate__area", "company")
        .order_by(*pinyin_order(Contract, "estate__area__name", "estate__name", "pk"))
    )


def template_structure(template: SurveyTemplate) -> list[dict]:
    """[{id, code, name, weight, items: [{id, text, weight}]}] in order — the survey form and the editor."""
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "weight": c.weight,
            "items": [{"id": i.pk, "text": i.text, "weight": i.weight} for i in c.items.all()],
        }
        for c in template.categories.prefetch_related("items")
    ]


def campaign_progress(campaign: Campaign) -> list[dict]:
    """Per estate: households, responses, response rate, codes issued / used (no household shown)."""
    responses = dict(
        SurveyResponse.objects.filter(campaign=campaign)
        .values("estate_id")
        .annotate(n=Count("id"))
        .values_list("estate_id", "n")
    )
    codes = {
        row["estate_id"]: row
        for row in AccessCode.objects.filter(campaign=campaign, revoked=False)
        .values("estate_id")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(used=True)))
    }
    rows = []
    for ce in CampaignEstate.objects.filter(campaign=campaign).select_related("estate__area"):
        n = responses.get(ce.estate_id, 0)
        rows.append(
            {
                "estate": ce.estate,
                "households": ce.households,
                "responses": n,
                "rate": (n / ce.households) if ce.households else None,
                "codes_issued": codes.get(ce.estate_id, {}).get("issued", 0),
                "codes_used": codes.get(ce.estate_id, {}).get("used", 0),
            }
        )
    rows.sort(key=lambda r: (r["estate"].area.name, r["estate"].name))
    return rows


def campaign_totals(campaign: Campaign) -> dict:
    households = sum(CampaignEstate.objects.filter(campaign=campaign).values_list("households", flat=True))
    responses = SurveyResponse.objects.filter(campaign=campaign).count()
    return {
        "estates": CampaignEstate.objects.filter(campaign=campaign).count(),
        "households": households,
        "responses": responses,
        "rate": responses / households if households else None,
        "inspections": Inspection.objects.filter(campaign=campaign).count(),
        "assessments": BranchAssessment.objects.filter(campaign=campaign).count(),
    }


def weight_rows(campaign: Campaign) -> list[dict]:
    return [
        {"label": COMPONENT_LABELS[k], "weight": rules.plain(v)}
        for k, v in campaign.component_weights.items()
    ]


# ---- resident survey ---------------------------------------------------------------------------------


def open_campaigns_for_owner(user, today: dt.date | None = None) -> list[tuple[Campaign, list]]:
    """[(campaign, [units not yet answered])] for a logged-in owner: what the portal offers."""
    if not scope_for(user).owns_unit():
        return []
    day = today or timezone.localdate()
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.OPEN,
        opens_on__lte=day,
        closes_on__gte=day,
        campaign_estates__estate__in=home_estates(user),
    ).distinct()
    result = []
    for campaign in campaigns:
        units = permissions.units_to_answer(user, campaign)
        done = set(
            HouseholdSubmission.objects.filter(campaign=campaign, unit__in=units).values_list(
                "unit_id", flat=True
            )
        )
        pending = [u for u in units if u.pk not in done]
        if pending:
            result.append((campaign, pending))
    return result


# ---- scores and rankings -----------------------------------------------------------------------------


def withhold_small_sample(snapshot: ScoreSnapshot) -> bool:
    """Blank (in memory, not saved) the survey figures of an estate with fewer than k answers, for
    every role: its mean would be a handful of known households' (docs/EVALUATION.md §5)."""
    if not rules.withheld(snapshot.kind, snapshot.responses):
        return False
    snapshot.survey_mean = snapshot.survey_shrunk = None
    snapshot.category_means = {}
    # The survey interval is centred on the shrunk mean: it goes too; so do the residents' means per standard
    # item (the inspectors' figures stay: they are no household's answer).
    detail = {k: v for k, v in (snapshot.detail or {}).items() if k not in ("survey_low", "survey_high")}
    if "standard" in detail:
        detail["standard"] = {
            code: {**row, "survey": None, "answers": 0} for code, row in detail["standard"].items()
        }
    snapshot.detail = detail
    if "withheld" not in (snapshot.flags or []):
        snapshot.flags = [*(snapshot.flags or []), "withheld"]
    return True


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def ranking_rows(user, campaign: Campaign, kind: str, filters: dict) -> list[dict]:
    """The ranking as the page, the Excel file and the PDF show it (rank order), filtered."""
    snapshots = (
        visible(user, ScoreSnapshot)
        .filter(campaign=campaign, kind=kind)
        .select_related("estate__area" if kind == ScoreKind.ESTATE else "company")
        .order_by("rank", "pk")
    )
    if filters.get("klass") in ScoreClass.values and kind == ScoreKind.COMPANY:
        snapshots = snapshots.filter(score_class=filters["klass"])
    if kind == ScoreKind.ESTATE and is_id(filters.get("area", "")):
        snapshots = snapshots.filter(estate__area_id=parse_id(filters["area"]))
    snapshots = list(snapshots)
    if filters.get("flag") == "small":  # by the shrinkage weight recorded at recompute, not a raw count
        snapshots = [s for s in snapshots if "small_sample" in (s.flags or [])]
    shared = Counter(s.rank for s in snapshots)
    street_mean = (campaign.statistics or {}).get("street_mean")
    lows = [float(s.low) for s in snapshots] + ([street_mean] if street_mean is not None else []) or [0.0]
    highs = [float(s.high) for s in snapshots] + ([street_mean] if street_mean is not None else []) or [100.0]
    axis_low = max(0.0, min(lows) - 2)
    axis_high = min(100.0, max(highs) + 2)
    span = (axis_high - axis_low) or 1.0

    def at(value) -> float:
        return round(100 * (float(value) - axis_low) / span, 1)

    rows = []
    for s in snapshots:
        withhold_small_sample(s)
        if kind == ScoreKind.COMPANY:
            name, group = s.company.name, ""
            profile = reverse("evaluation:company", args=[s.company_id])
        else:
            name, group = s.estate.name, s.estate.area.name
            profile = ""
        rows.append(
            {
                "s": s,
                "name": name,
                "group": group,
                "url": reverse("evaluation:score", args=[s.pk]),
                "profile": profile,
                "tie": shared[s.rank] > 1,
                "overlap": s.rank_best != s.rank_worst,
                "rate": _pct(s.response_rate),
                "klass": s.score_class,
                "klass_label": str(dict(CLASS_CHOICES).get(s.score_class, "")),
                "scale": (s.detail or {}).get("scale", ""),
                "scale_label": SCALE_LABELS.get((s.detail or {}).get("scale", ""), ""),
                "flags": [str(FLAG_LABELS.get(f, f)) for f in s.flags or []],
                "few": "small_sample" in (s.flags or []),
                "bar": {
                    "left": at(s.low),
                    "width": max(0.8, at(s.high) - at(s.low)),
                    "point": at(s.composite),
                },
            }
        )
    if rows and street_mean is not None:
        mean_at = at(street_mean) if axis_low <= street_mean <= axis_high else None
        for row in rows:
            row["bar"]["mean"] = mean_at
    return rows


def class_counts(rows: list[dict]) -> list[dict]:
    counts = Counter(row["klass"] for row in rows)
    return [{"value": v, "label": label, "n": counts.get(v, 0)} for v, label in CLASS_CHOICES]


def scatter_option(rows: list[dict]) -> dict:
    """ECharts option: households served (scale) × composite score (quality), one series per class."""
    series = []
    for value, label in CLASS_CHOICES:
        points = [
            {"value": [max(1, r["s"].households), float(r["s"].composite)], "name": r["name"]}
            for r in rows
            if r["klass"] == value
        ]
        series.append(
            {
                "name": str(label),
                "type": "scatter",
                "symbolSize": 12,
                "itemStyle": {"color": CLASS_COLOURS[value]},
                "data": points,
                "label": {
                    "show": True,
                    "formatter": "{b}",
                    "position": "right",
                    "fontSize": 10,
                    "color": "#555",
                },
                "labelLayout": {"hideOverlap": True},
            }
        )
    households = sorted(max(1, r["s"].households) for r in rows)
    median_households = rules.median(households)
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 90, "top": 40, "bottom": 45},
        # Log scale: one company serving half the street must not squash the other 27 into a corner.
        "xAxis": {
            "type": "log",
            "name": _("服务户数（规模，对数刻度）"),
            "nameLocation": "middle",
            "nameGap": 28,
        },
        "yAxis": {"type": "value", "name": _("综合得分（质量）"), "scale": True},
        "series": series
        + [
            {
                "name": _("规模中位数"),
                "type": "line",
                "data": [],
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#999"},
                    "data": [{"xAxis": median_households}],
                    "label": {"formatter": _("规模中位数")},
                },
            }
        ],
    }


def ranking_sheet(rows: list[dict], kind: str) -> SheetSpec:
    company = kind == ScoreKind.COMPANY
    columns = [
        ColumnSpec(_("名次"), number_format="0"),
        ColumnSpec(_("名次范围")),
        ColumnSpec(_("物业公司") if company else _("小区")),
    ]
    if not company:
        columns.append(ColumnSpec(_("居民区")))
    columns += [
        ColumnSpec(_("综合得分"), number_format="0.0"),
        ColumnSpec(_("区间下限"), number_format="0.0"),
        ColumnSpec(_("区间上限"), number_format="0.0"),
        ColumnSpec(_("答卷数"), number_format="0"),
        ColumnSpec(_("户数"), number_format="0"),
        ColumnSpec(_("参与率（%）"), number_format="0.0"),
        ColumnSpec(_("居民测评（修正）"), number_format="0.0"),
        ColumnSpec(_("第三方检查"), number_format="0.0"),
        ColumnSpec(_("支部考核"), number_format="0.0"),
        ColumnSpec(_("问题整改"), number_format="0.0"),
    ]
    if company:
        columns += [
            ColumnSpec(_("服务小区数"), number_format="0"),
            ColumnSpec(_("规模")),
            ColumnSpec(_("分类")),
        ]
    columns += [ColumnSpec(_("并列/重叠")), ColumnSpec(_("提示"), width=40)]

    def out():
        for row in rows:
            s = row["s"]
            line = [s.rank, f"{s.rank_best}–{s.rank_worst}", row["name"]]
            if not company:
                line.append(row["group"])
            line += [
                s.composite,
                s.low,
                s.high,
                s.responses,
                s.households,
                row["rate"],
                s.survey_shrunk,
                s.inspection_score,
                s.branch_score,
                s.problem_score,
            ]
            if company:
                line += [s.estates_count, str(row["scale_label"]), row["klass_label"]]
            marks = []
            if row["tie"]:
                marks.append(_("并列"))
            if row["overlap"]:
                marks.append(_("区间重叠"))
            line += ["、".join(marks), ";".join(row["flags"])]
            yield line

    title = _("企业排名") if company else _("小区排名")
    return SheetSpec(title=title, columns=columns, rows=out())


def ranking_notes(campaign: Campaign) -> list[list[str]]:
    stats = campaign.statistics or {}
    return [
        [_("说明")],
        [
            _(
                "综合得分 = 居民测评、第三方检查、支部考核、问题整改按街道设定的权重加权；缺少的项按比例分摊权重。"
            )
        ],
        [_("居民测评分按答卷多少修正：答卷越少，越接近街道均值（经验贝叶斯方法）；区间为 95% 区间。")],
        [_("名次范围：区间与之重叠的对象都可能排在这些名次，差异不显著时不应据以区分。")],
        [
            _("街道均值：%(m)s；修正强度：相当于 %(k)s 份取街道均值的答卷")
            % {"m": stats.get("street_mean", "—"), "k": stats.get("k", "—")}
        ],
    ]


def standard_item_rows(street_id: int, scores: dict, *, survey_shown: bool) -> list[dict]:
    """An estate's scores per four-services standard item (``detail["standard"]``, rules.standard_item_scores)
    with the item's title and service from the street's standard, in code order (BJ, LH, BA, BX as the standard
    lists them). ``survey_shown`` False blanks the residents' figure (a sample too small to disclose). One
    query, none when there are no scores."""
    if not scores:
        return []
    from gongzhi.fees.selectors import standard_titles

    titles = standard_titles(street_id)
    rows = []
    for code in sorted(scores, key=lambda c: (titles.get(c, (99,))[0], c)):
        row = scores[code]
        _order, service, title, _service_code = titles.get(code, (99, "", "", ""))
        rows.append(
            {
                "code": code,
                "service": service,
                "title": title,
                "survey": Decimal(row["survey"]) if survey_shown and row.get("survey") is not None else None,
                "answers": row.get("answers", 0) if survey_shown else None,
                "inspection": Decimal(row["inspection"]) if row.get("inspection") is not None else None,
            }
        )
    return rows


def estate_standard_quality(user, estate) -> dict | None:
    """The estate's scores per four-services standard item in the street's latest closed, scored campaign, as far
    as ``user`` sees its score (the same withholding as the score page): {"snapshot", "campaign", "by_code":
    {code: row}} for the commitment check (fees), or None when there is none. Two queries."""
    snapshot = (
        visible(user, ScoreSnapshot)
        .filter(
            kind=ScoreKind.ESTATE,
            estate=estate,
            campaign__status=CampaignStatus.CLOSED,
            campaign__recomputed_at__isnull=False,
        )
        .select_related("campaign")
        .order_by("-campaign__period_end", "-campaign__pk")
        .first()
    )
    if snapshot is None or not (snapshot.detail or {}).get("standard"):
        return None
    withheld = withhold_small_sample(snapshot)
    survey_shown = not withheld and (
        permissions.sees_raw_means(user, snapshot.campaign.street_id)
        or snapshot.responses >= rules.MIN_DISCLOSED_RESPONSES
    )
    rows = standard_item_rows(
        snapshot.campaign.street_id, snapshot.detail["standard"], survey_shown=survey_shown
    )
    return {
        "snapshot": snapshot,
        "campaign": snapshot.campaign,
        "by_code": {row["code"]: row for row in rows},
    }


def drilldown(user, snapshot: ScoreSnapshot) -> dict:
    """Everything a score rests on, as far as this user may see it."""
    campaign = snapshot.campaign
    stats = campaign.statistics or {}
    detail = snapshot.detail or {}
    withheld = withhold_small_sample(snapshot)
    raw_ok = not withheld and (
        permissions.sees_raw_means(user, campaign.street_id)
        or snapshot.responses >= rules.MIN_DISCLOSED_RESPONSES
    )
    k = stats.get("k")
    shrink_weight = None
    if k is not None and snapshot.kind == ScoreKind.ESTATE:
        shrink_weight = round(snapshot.responses / (snapshot.responses + float(k)) * 100, 1)
    used = detail.get("used_weights", {})
    components = [
        {"label": COMPONENT_LABELS["survey"], "value": snapshot.survey_shrunk, "weight": used.get("survey")},
        {
            "label": COMPONENT_LABELS["inspection"],
            "value": snapshot.inspection_score,
            "weight": used.get("inspection"),
        },
        {"label": COMPONENT_LABELS["branch"], "value": snapshot.branch_score, "weight": used.get("branch")},
        {
            "label": COMPONENT_LABELS["problems"],
            "value": snapshot.problem_score,
            "weight": used.get("problems"),
        },
    ]
    set_weights = campaign.component_weights
    for c, key in zip(components, rules.COMPONENTS, strict=True):
        if used:
            c["weight_pct"] = None if c["weight"] is None else round(c["weight"] * 100, 1)
        else:  # a company: the mean of its estates' composites, each weighted as the street set
            c["weight_pct"] = rules.plain(set_weights[key])
    context = {
        "snapshot": snapshot,
        "campaign": campaign,
        "stats": stats,
        "raw_ok": raw_ok,
        "shrink_weight": shrink_weight,
        "components": components,
        "rate": _pct(snapshot.response_rate),
        "flags": [str(FLAG_LABELS.get(f, f)) for f in snapshot.flags or []],
        "klass_label": dict(CLASS_CHOICES).get(snapshot.score_class, ""),
    }
    if snapshot.kind == ScoreKind.ESTATE:
        template_categories = {c.code: c for c in campaign.template.categories.all()}
        order = {code: n for n, code in enumerate(template_categories)}
        context["categories"] = [
            {
                "name": template_categories[code].name if code in template_categories else code,
                "weight": rules.plain(template_categories[code].weight)
                if code in template_categories
                else None,
                "mean": v.get("mean") if raw_ok else None,
                "answers": v.get("answers"),
            }
            # In the template's order: PostgreSQL's jsonb does not keep the keys' order.
            for code, v in sorted(
                (snapshot.category_means or {}).items(),
                key=lambda item: order.get(item[0], len(order)),
            )
        ]
        context["standard_items"] = standard_item_rows(
            campaign.street_id, detail.get("standard") or {}, survey_shown=raw_ok
        )
        context["inspections"] = list(
            visible(user, Inspection)
            .filter(campaign=campaign, estate=snapshot.estate)
            .select_related("evaluator")
            .prefetch_related("items", "photos")
            .order_by("-inspected_on")
        )
        context["assessment"] = (
            visible(user, BranchAssessment)
            .filter(campaign=campaign, estate=snapshot.estate)
            .select_related("company")
            .first()
        )
        context["problems"] = detail.get("problems", {})
        context["problem_period"] = (campaign.period_start, campaign.period_end)
    else:
        estate_rows = list(
            visible(user, ScoreSnapshot)
            .filter(campaign=campaign, kind=ScoreKind.ESTATE, estate_id__in=detail.get("estates", []))
            .select_related("estate__area")
            .order_by("rank")
        )
        context["estates"] = estate_rows
        context["scale_label"] = SCALE_LABELS.get(detail.get("scale", ""), "")
    return context


def company_profile(user, company) -> dict:
    history = list(
        visible(user, ScoreSnapshot)
        .filter(kind=ScoreKind.COMPANY, company=company)
        .select_related("campaign")
        .order_by("campaign__period_end", "campaign__pk")
    )
    chart = None
    if history:
        band = {"type": "line", "symbol": "none", "lineStyle": {"type": "dashed", "color": "#9fb8d8"}}
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "color": ["#c0392b", "#9fb8d8", "#9fb8d8"],
            "grid": {"left": 45, "right": 20, "top": 36, "bottom": 40},
            "xAxis": {"type": "category", "data": [h.campaign.name for h in history]},
            "yAxis": {"type": "value", "scale": True, "name": _("综合得分")},
            "series": [
                {
                    "name": _("综合得分"),
                    "type": "line",
                    "data": [float(h.composite) for h in history],
                    "symbolSize": 8,
                    "label": {"show": True, "formatter": "{c}"},
                },
                {**band, "name": _("区间上限"), "data": [float(h.high) for h in history]},
                {**band, "name": _("区间下限"), "data": [float(h.low) for h in history]},
            ],
        }
    from gongzhi.problems.models import Problem, Status

    problems = visible(user, Problem).filter(company=company).exclude(status=Status.REJECTED)
    problem_counts = problems.aggregate(
        total=Count("id"),
        open=Count("id", filter=~Q(status=Status.CLOSED)),
        overdue=Count("id", filter=Q(overdue_since__isnull=False)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )
    candidacies = list(
        visible(user, EliminationCandidate)
        .filter(company=company)
        .select_related("elimination")
        .order_by("-elimination__created_at")
    )
    faults = dict(
        FaultFinding.objects.filter(company=company, elimination__in=[c.elimination for c in candidacies])
        .values("elimination_id")
        .annotate(n=Count("id"))
        .values_list("elimination_id", "n")
    )
    for c in candidacies:
        c.faults = faults.get(c.elimination_id, 0)
    awards = list(visible(user, Award).filter(company=company).order_by("-year"))
    contracts = list(company.contracts.active().select_related("estate__area").order_by("estate__name"))
    return {
        "company": company,
        "history": list(reversed(history)),
        "chart": chart,
        "problem_counts": problem_counts,
        "recent_problems": list(problems.select_related("estate", "category").order_by("-created_at")[:10]),
        "candidacies": candidacies,
        "awards": awards,
        "contracts": contracts,
    }
