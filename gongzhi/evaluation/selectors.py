"""Reads over evaluation for the office pages, the resident survey, exports and PDFs. Every
queryset starts from ``gongzhi.core.scopes.visible`` (the one door); counting runs in the database.

What a company sees: its own company row and the rows of the estates it serves (scoping.py);
raw (unshrunk) means below ``rules.MIN_DISCLOSED_RESPONSES`` responses are hidden from everyone
but the street-wide roles (``hide_small_raw_means``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.scopes import scope_for, visible
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    EliminationCampaign,
    EliminationStatus,
    FaultFinding,
    HouseholdSubmission,
    Inspection,
    ScoreKind,
    ScoreSnapshot,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.registry.models import Company, Contract, Estate

# ---- templates and campaigns --------------------------------------------------------------------------


def templates_for(user) -> QuerySet:
    return visible(user, SurveyTemplate).annotate(
        categories_count=Count("categories", distinct=True),
        items_count=Count("categories__items", distinct=True),
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


def campaigns_for(user) -> QuerySet:
    return visible(user, Campaign).select_related("template", "street")


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


# ---- resident survey ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    message: str
    campaign: Campaign | None = None
    estate: Estate | None = None


def access_code_check(code: str, today: dt.date | None = None) -> CodeCheck:
    """Check a typed code without consuming it (the survey page's first step)."""
    if not rules.code_well_formed(code):
        return CodeCheck(
            False, _("测评码应为 %(n)d 位字母和数字,请核对信上的测评码。") % {"n": rules.CODE_LENGTH}
        )
    access = (
        AccessCode.objects.select_related("campaign__template", "estate")
        .filter(code_hash=rules.hash_code(code))
        .first()
    )
    if access is None or access.revoked:
        return CodeCheck(False, _("测评码无效,请核对信上的测评码。"))
    if access.used:
        return CodeCheck(False, _("该测评码已经使用过,每户只能提交一次。"))
    campaign = access.campaign
    day = today or timezone.localdate()
    if campaign.status != CampaignStatus.OPEN or not campaign.opens_on <= day <= campaign.closes_on:
        return CodeCheck(False, _("本次测评不在进行中。"))
    return CodeCheck(True, "", campaign, access.estate)


def open_campaigns_for_owner(user, today: dt.date | None = None) -> list[tuple[Campaign, list]]:
    """[(campaign, [units not yet answered])] for a logged-in owner: what the portal offers."""
    scope = scope_for(user)
    if not scope.unit_ids:
        return []
    day = today or timezone.localdate()
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.OPEN,
        opens_on__lte=day,
        closes_on__gte=day,
        campaign_estates__estate_id__in=scope.home_estate_ids,
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


# ---- scores and rankings ------------------------------------------------------------------------------


def withhold_small_sample(snapshot: ScoreSnapshot) -> bool:
    """Blank (in memory, not saved) the survey figures of an estate with fewer than k answers, for
    every role: its mean would be a handful of known households' (docs/EVALUATION.md §5)."""
    if not rules.withheld(snapshot.kind, snapshot.responses):
        return False
    snapshot.survey_mean = snapshot.survey_shrunk = None
    snapshot.category_means = {}
    # The survey interval is centred on the shrunk mean: it goes too.
    snapshot.detail = {
        k: v for k, v in (snapshot.detail or {}).items() if k not in ("survey_low", "survey_high")
    }
    if "withheld" not in (snapshot.flags or []):
        snapshot.flags = [*(snapshot.flags or []), "withheld"]
    return True


def hide_small_raw_means(user, campaign: Campaign) -> bool:
    return not permissions.sees_raw_means(user, campaign.street_id)


def ranking(user, campaign: Campaign, kind: str = ScoreKind.COMPANY) -> list[ScoreSnapshot]:
    """The visible snapshot rows of a campaign, best first. For users who may not see raw means of
    small samples, ``survey_mean`` is blanked below MIN_DISCLOSED_RESPONSES (in memory, not saved)."""
    rows = list(
        visible(user, ScoreSnapshot)
        .filter(campaign=campaign, kind=kind)
        .select_related("estate__area", "company")
        .order_by("rank", "pk")
    )
    if hide_small_raw_means(user, campaign):
        for row in rows:
            if row.responses < rules.MIN_DISCLOSED_RESPONSES:
                row.survey_mean = None
                row.category_means = {}
    for row in rows:
        withhold_small_sample(row)
        row.flag_labels = [_(rules.FLAG_LABELS[f]) for f in row.flags if f in rules.FLAG_LABELS]
        row.indistinct_from_rank = (row.detail or {}).get("indistinct_from_rank")
    return rows


def scale_quality_matrix(user, campaign: Campaign) -> list[dict]:
    """One point per visible company: scale (households, estates) × quality (composite, interval), class."""
    return [
        {
            "company": s.company,
            "company_id": s.company_id,
            "households": s.households,
            "estates": s.estates_count,
            "composite": float(s.composite),
            "low": float(s.low),
            "high": float(s.high),
            "rank": s.rank,
            "class": s.score_class,
            "class_label": s.get_score_class_display(),
            "scale": (s.detail or {}).get("scale", ""),
        }
        for s in ranking(user, campaign, ScoreKind.COMPANY)
    ]


def score_breakdown(estate: Estate, campaign: Campaign, *, show_raw: bool = True) -> dict:
    """How an estate's score was made, every input with its number (the drill-down page).

    Call after the door has checked the user may see the estate's snapshot; ``show_raw`` False hides
    the unshrunk mean of a small sample."""
    snapshot = (
        ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.ESTATE, estate=estate)
        .select_related("estate")
        .first()
    )
    stats = campaign.statistics or {}
    if snapshot is None:
        return {"computed": False, "estate": estate, "campaign": campaign}
    withhold_small_sample(snapshot)
    n = snapshot.responses
    k = stats.get("k")
    street_mean = stats.get("street_mean")
    detail = snapshot.detail or {}
    disclosed = (show_raw or n >= rules.MIN_DISCLOSED_RESPONSES) and "withheld" not in (snapshot.flags or [])
    raw = snapshot.survey_mean if disclosed else None
    survey = {
        "responses": n,
        "households": snapshot.households,
        "response_rate": snapshot.response_rate,
        "raw_mean": raw,
        "street_mean": street_mean,
        "k": k,
        "within_var": stats.get("within_var"),
        "between_var": stats.get("between_var"),
        "shrunk": snapshot.survey_shrunk,
        "credibility": (n / (n + k)) if k is not None else None,  # the weight of the estate's own mean
        "formula": (
            f"({n} × {raw} + {k} × {street_mean}) / ({n} + {k}) = {snapshot.survey_shrunk}"
            if raw is not None and k is not None
            else ((_("无答卷,取街道均值 %(mean)s") % {"mean": street_mean}) if n == 0 else "")
        ),
        "interval": (detail.get("survey_low"), detail.get("survey_high")),
        "variance": detail.get("survey_variance"),
        # In the template's order (a JSON column need not keep key order: PostgreSQL's jsonb does not).
        "categories": [
            {
                "code": code,
                "name": name,
                **(snapshot.category_means or {}).get(code, {"mean": None, "answers": 0}),
            }
            for code, name in campaign.template.categories.order_by("sort_order", "pk").values_list(
                "code", "name"
            )
        ]
        if disclosed
        else [],
    }
    weights = {k_: float(v) for k_, v in campaign.component_weights.items()}
    used = detail.get("used_weights", {})
    components = [
        {
            "name": name,
            "label": label,
            "value": value,
            "weight": weights[name],
            "used_weight": used.get(name),
            "contribution": (float(value) * used[name]) if value is not None and name in used else None,
        }
        for name, label, value in (
            ("survey", _("居民测评(修正后)"), snapshot.survey_shrunk),
            ("inspection", _("第三方检查"), snapshot.inspection_score),
            ("branch", _("支部考核"), snapshot.branch_score),
            ("problems", _("问题整改"), snapshot.problem_score),
        )
    ]
    return {
        "computed": True,
        "estate": estate,
        "campaign": campaign,
        "snapshot": snapshot,
        "survey": survey,
        "components": components,
        "composite": snapshot.composite,
        "interval": (snapshot.low, snapshot.high),
        "rank": snapshot.rank,
        "rank_range": (snapshot.rank_best, snapshot.rank_worst),
        "indistinct_from_rank": detail.get("indistinct_from_rank"),
        "problems": detail.get("problems", {}),
        "inspections": list(
            Inspection.objects.filter(campaign=campaign, estate=estate)
            .select_related("evaluator")
            .prefetch_related("items", "photos")
        ),
        "branch_assessment": BranchAssessment.objects.filter(campaign=campaign, estate=estate).first(),
        "flags": [_(rules.FLAG_LABELS[f]) for f in snapshot.flags if f in rules.FLAG_LABELS],
        "statistics": stats,
    }


def company_breakdown(company: Company, campaign: Campaign) -> dict:
    """A company's score from its estates: each estate's composite, households and share of the weight."""
    snapshot = ScoreSnapshot.objects.filter(
        campaign=campaign, kind=ScoreKind.COMPANY, company=company
    ).first()
    if snapshot is None:
        return {"computed": False, "company": company, "campaign": campaign}
    estate_ids = (snapshot.detail or {}).get("estates", [])
    estates = list(
        ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.ESTATE, estate_id__in=estate_ids)
        .select_related("estate__area")
        .order_by("rank")
    )
    total = sum(s.households for s in estates)
    rows = [
        {
            "snapshot": s,
            "share": (s.households / total) if total else (1 / len(estates) if estates else 0),
        }
        for s in estates
    ]
    return {"computed": True, "company": company, "campaign": campaign, "snapshot": snapshot, "estates": rows}


def company_history(user, company: Company) -> dict:
    """A company profile: scores across campaigns, problems by year, elimination campaigns, awards."""
    from gongzhi.problems.models import Problem

    snapshots = list(
        visible(user, ScoreSnapshot)
        .filter(kind=ScoreKind.COMPANY, company=company)
        .select_related("campaign")
        .order_by("campaign__period_end")
    )
    problems = (
        visible(user, Problem)
        .filter(company=company)
        .aggregate(
            total=Count("id"),
            overdue=Count("id", filter=Q(overdue_since__isnull=False)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
    )
    eliminations = list(
        visible(user, EliminationCampaign)
        .filter(candidates__company=company)
        .distinct()
        .prefetch_related("candidates")
    )
    for e in eliminations:
        e.candidate = next(c for c in e.candidates.all() if c.company_id == company.pk)
        e.faults_against = FaultFinding.objects.filter(elimination=e, company=company).count()
    return {
        "company": company,
        "snapshots": snapshots,
        "problems": problems,
        "eliminations": eliminations,
        "awards": list(Award.objects.filter(company=company).order_by("-year")),
        "estates": list(
            Contract.objects.active()
            .filter(company=company)
            .select_related("estate__area")
            .order_by("estate__name")
        ),
    }


# ---- elimination --------------------------------------------------------------------------------------


def eliminations_for(user) -> QuerySet:
    return visible(user, EliminationCampaign).select_related("basis_campaign", "reevaluation_campaign")


def elimination_trail(elimination: EliminationCampaign) -> dict:
    """Candidates (with both evaluations), fault counts by company, the events with their evidence, referrals."""
    faults = dict(
        FaultFinding.objects.filter(elimination=elimination)
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )
    candidates = sorted(
        elimination.candidates.select_related("company"),
        key=lambda c: rules.ranking_key(c.company_id, c.basis_score, c.basis_low, c.basis_responses),
        reverse=True,
    )
    for c in candidates:
        c.faults = faults.get(c.company_id, 0)
    return {
        "elimination": elimination,
        "candidates": candidates,
        "faults": list(
            FaultFinding.objects.filter(elimination=elimination)
            .select_related("company", "problem__estate", "problem__category")
            .order_by("-problem__created_at")
        ),
        "events": list(elimination.events.select_related("actor").order_by("at", "pk")),
        "referrals": list(elimination.referrals.select_related("estate", "company")),
        "actions": available_actions(elimination),
    }


def available_actions(elimination: EliminationCampaign) -> list[str]:
    return [a for a, t in rules.ELIMINATION_TRANSITIONS.items() if elimination.status in t.sources]


def fault_windows_for(user, today: dt.date | None = None) -> list[tuple[EliminationCampaign, Estate]]:
    """Open fault-finding windows where the user lives (or works) and the estate's company is a candidate."""
    scope = scope_for(user)
    day = today or timezone.localdate()
    estate_ids = scope.home_estate_ids | scope.estate_ids
    if not estate_ids:
        return []
    windows = []
    for elimination in EliminationCampaign.objects.filter(
        status=EliminationStatus.FAULT_FINDING, fault_opens_on__lte=day, fault_closes_on__gte=day
    ):
        companies = elimination.candidates.values("company_id")
        for contract in (
            Contract.objects.active(on=day)
            .filter(company_id__in=companies, estate_id__in=estate_ids)
            .select_related("estate")
        ):
            windows.append((elimination, contract.estate))
    return windows


def awards_for(user) -> QuerySet:
    return visible(user, Award).select_related("company", "committee__estate", "campaign")
