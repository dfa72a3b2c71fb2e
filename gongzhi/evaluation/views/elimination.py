"""末尾淘汰 pages: pick the bottom N from a ranking, the fault-finding window, rectification,
re-evaluation, the bottom-M proposal, the leadership group's decision and the referral of the
affected estates to an owners' decision — with the full evidence trail on one page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.dbrouter import replica_view
from gongzhi.core.errors import refuse_with_message
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.scopes import scope_for, streets_run_by, visible
from gongzhi.core.validators import is_id, parse_day
from gongzhi.evaluation import permissions, rules, selectors, selectors_replacement, services
from gongzhi.evaluation.forms import EliminationForm
from gongzhi.evaluation.models import (
    Campaign,
    CampaignStatus,
    EliminationCampaign,
    EliminationStatus,
    FaultFinding,
    OwnersDecisionReferral,
    ScoreKind,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.views.common import ELIMINATION_COLOURS, require_office

STEPS = [
    (EliminationStatus.FAULT_FINDING, gettext_lazy("居民找茬")),
    (EliminationStatus.RECTIFICATION, gettext_lazy("整改提质")),
    (EliminationStatus.RE_EVALUATION, gettext_lazy("复评")),
    (EliminationStatus.PROPOSED, gettext_lazy("提出拟淘汰")),
    (EliminationStatus.APPROVED, gettext_lazy("领导小组审定")),
    (EliminationStatus.OWNERS_DECISION, gettext_lazy("业主大会决定")),
    (EliminationStatus.CLOSED, gettext_lazy("结束")),
]
ACTION_LABELS = {
    "create": gettext_lazy("确定末位名单，开启找茬"),
    "start_rectification": gettext_lazy("结束找茬，进入整改期"),
    "start_reevaluation": gettext_lazy("整改期满，开始复评"),
    "propose": gettext_lazy("提出拟淘汰名单"),
    "approve": gettext_lazy("领导小组审定同意"),
    "return": gettext_lazy("领导小组退回"),
    "refer": gettext_lazy("移交业主大会决定"),
    "close": gettext_lazy("结束"),
}


@login_required
def eliminations(request):
    require_office(request)
    scope = scope_for(request.user)
    if not (scope.is_street_wide() or scope.is_company_staff()):
        raise PermissionDenied
    rows = (
        visible(request.user, EliminationCampaign)
        .select_related("basis_campaign")
        .annotate(n_candidates=Count("candidates", distinct=True))
    )
    basis = []
    if scope.is_street_admin():
        basis = list(
            visible(request.user, Campaign)
            .filter(
                street__in=streets_run_by(request.user),
                status=CampaignStatus.CLOSED,
                recomputed_at__isnull=False,
            )
            .order_by("-period_end")
        )
    data = [{"e": e, "colour": ELIMINATION_COLOURS.get(e.status, "")} for e in rows]
    return render(
        request,
        "evaluation/eliminations.html",
        {"rows": data, "basis": basis, "nav_active": "eval_eliminations"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def elimination_create(request, pk: int):
    """Pick the bottom N of a closed campaign's company ranking (default 9, M = 3)."""
    require_office(request)
    campaign = permissions.get_campaign_for_user(request.user, pk, manage=True)
    form = EliminationForm(request.POST or None, initial={"name": _("%(c)s 末尾淘汰") % {"c": campaign.name}})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            elimination = services.elimination_create(
                actor=request.user,
                basis_campaign=campaign,
                name=data["name"],
                fault_opens_on=data["fault_opens_on"],
                fault_closes_on=data["fault_closes_on"],
                bottom_n=data["bottom_n"],
                final_m=data["final_m"],
                min_responses=data["min_responses"],
                min_survey_weight=data["min_survey_weight"],
            )
        except EvaluationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已确定末位名单并开启找茬。"))
            return redirect("evaluation:elimination", elimination.pk)
    rows = selectors.ranking_rows(request.user, campaign, ScoreKind.COMPANY, {})
    n = form["bottom_n"].value() or rules.DEFAULT_BOTTOM_N
    try:
        n = int(n)
    except (TypeError, ValueError):
        n = rules.DEFAULT_BOTTOM_N
    cut = len(rows) - n
    return render(
        request,
        "evaluation/elimination_form.html",
        {"form": form, "campaign": campaign, "rows": rows, "cut": cut, "nav_active": "eval_eliminations"},
        status=400 if form.errors else 200,
    )


def _voting_create_url(estate_id: int) -> str:
    """The owners' decision page for the estate, if the voting app offers one."""
    from django.urls import NoReverseMatch, reverse

    for name, args in (("voting:create", [estate_id]), ("voting:create", []), ("voting:index", [])):
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        return url + ("" if args else f"?estate={estate_id}")
    return ""


def _worst_first(candidates) -> list:
    """Candidates worst first, ties broken by the one ranking order (rules.ranking_key)."""
    return sorted(
        candidates,
        key=lambda c: rules.ranking_key(c.company_id, c.basis_score, c.basis_low, c.basis_responses),
        reverse=True,
    )


@login_required
def elimination(request, pk: int):
    require_office(request)
    elimination = permissions.get_elimination_for_user(request.user, pk)
    scope = scope_for(request.user)
    full = scope.is_street_wide(elimination.street_id)
    candidates = _worst_first(visible(request.user, elimination.candidates.all()).select_related("company"))
    faults = dict(
        visible(request.user, FaultFinding)
        .filter(elimination=elimination)
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )
    for c in candidates:
        c.faults = faults.get(c.company_id, 0)
        # The latest evidence (re-evaluation once there is one) against the campaign's minimum.
        latest = c.re_responses is not None
        c.responses = c.re_responses if latest else c.basis_responses
        c.weight = c.re_weight if latest else c.basis_weight
        c.thin = not rules.evidence_sufficient(
            c.responses, float(c.weight or 0), elimination.min_responses, float(elimination.min_survey_weight)
        )
    events = list(elimination.events.all()) if full else []
    for e in events:
        e.label = ACTION_LABELS.get(e.action, e.action)
    referrals = list(
        visible(request.user, OwnersDecisionReferral)
        .filter(elimination=elimination)
        .select_related("estate", "company")
    )
    for ref in referrals:
        ref.vote_url = _voting_create_url(ref.estate_id)
    # 选聘更换: each referred estate's stage and next step, one click to its page.
    replacements = selectors_replacement.tracker(request.user, elimination)
    order = [s for s, _l in STEPS]
    current = order.index(elimination.status) if elimination.status in order else 0
    steps = [
        {"label": label, "done": i < current, "current": i == current} for i, (_s, label) in enumerate(STEPS)
    ]
    admin = permissions.is_street_admin(request.user, elimination.street_id)
    leader = permissions.is_leadership(request.user, elimination.street_id)
    actions = []
    for action, t in rules.ELIMINATION_TRANSITIONS.items():
        if elimination.status not in t.sources:
            continue
        if (t.actor == rules.LEADERSHIP and leader) or (t.actor == rules.STREET_ADMIN and admin):
            actions.append({"key": action, "label": ACTION_LABELS[action], "needs_note": t.needs_note})
    later = []
    if any(a["key"] == "start_reevaluation" for a in actions):
        later = list(
            visible(request.user, Campaign)
            .filter(street_id=elimination.street_id, period_end__gt=elimination.basis_campaign.period_end)
            .order_by("-period_end")
        )
    recent_faults = list(
        visible(request.user, FaultFinding)
        .filter(elimination=elimination)
        .select_related("problem__estate", "problem__category", "company")
        .order_by("-problem__created_at")[:50]
    )
    # 楼道公告 of the open window, in each estate a bottom-N company serves that this user posts paper in.
    notices = []
    if elimination.status == EliminationStatus.FAULT_FINDING:
        notices = [
            c
            for c in selectors.fault_window_contracts(request.user, elimination)
            if permissions.may_post_notice(request.user, c.estate)
        ]
    # Residents were told the window closes on fault_closes_on: ending it before then is said plainly.
    today = timezone.localdate()
    early_days = (
        (elimination.fault_closes_on - today).days
        if elimination.status == EliminationStatus.FAULT_FINDING and today < elimination.fault_closes_on
        else 0
    )
    context = {
        "early_days": early_days,
        "notices": notices,
        "e": elimination,
        "colour": ELIMINATION_COLOURS.get(elimination.status, ""),
        "steps": steps,
        "candidates": candidates,
        "events": events,
        "referrals": referrals,
        "replacements": replacements,
        "actions": actions,
        "later_campaigns": later,
        "recent_faults": recent_faults,
        "full": full,
        "nav_active": "eval_eliminations",
    }
    return render(request, "evaluation/elimination.html", context)


@login_required
@require_POST
@refuse_with_message("evaluation:elimination", "pk")
def elimination_act(request, pk: int, action: str):
    elimination = permissions.get_elimination_for_user(request.user, pk)
    if action not in rules.ELIMINATION_TRANSITIONS:
        raise Http404
    transition = rules.ELIMINATION_TRANSITIONS[action]
    if transition.actor == rules.LEADERSHIP:
        if not permissions.is_leadership(request.user, elimination.street_id):
            raise PermissionDenied
    elif not permissions.is_street_admin(request.user, elimination.street_id):
        raise PermissionDenied
    note = (request.POST.get("note") or "").strip()[:2000]
    kwargs = {}
    if action == "start_rectification":
        until = parse_day(request.POST.get("rectification_until"))
        if until is None:
            messages.error(request, _("请填写整改期限。"))
            return redirect("evaluation:elimination", pk)
        kwargs["rectification_until"] = until
        kwargs["confirm_early_end"] = request.POST.get("confirm_early_end") == "1"
    if action == "start_reevaluation":
        raw = request.POST.get("reevaluation_campaign", "")
        campaign = (
            visible(request.user, Campaign).filter(pk=raw, street_id=elimination.street_id).first()
            if is_id(raw)
            else None
        )
        if campaign is None:
            messages.error(request, _("请选择复评所用的测评活动。"))
            return redirect("evaluation:elimination", pk)
        kwargs["reevaluation_campaign"] = campaign
    services.elimination_advance(
        actor=request.user, elimination=elimination, action=action, note=note, **kwargs
    )
    messages.success(request, _("已完成：%(a)s。") % {"a": ACTION_LABELS[action]})
    return redirect("evaluation:elimination", pk)


@login_required
@replica_view
def elimination_export(request, pk: int):
    require_office(request)
    elimination = permissions.get_elimination_for_user(request.user, pk)
    candidates = _worst_first(visible(request.user, elimination.candidates.all()).select_related("company"))
    faults = dict(
        FaultFinding.objects.filter(elimination=elimination)
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )
    sheet = SheetSpec(
        title=_("末位企业"),
        columns=[
            ColumnSpec(_("物业公司")),
            ColumnSpec(_("入选名次"), number_format="0"),
            ColumnSpec(_("入选综合分"), number_format="0.0"),
            ColumnSpec(_("入选区间"), width=16),
            ColumnSpec(_("找茬问题数"), number_format="0"),
            ColumnSpec(_("复评名次"), number_format="0"),
            ColumnSpec(_("复评综合分"), number_format="0.0"),
            ColumnSpec(_("复评区间"), width=16),
            ColumnSpec(_("复评答卷数"), number_format="0"),
            ColumnSpec(_("复评自身权重"), number_format="0.000"),
            ColumnSpec(_("阶段")),
        ],
        rows=[
            [
                c.company.name,
                c.basis_rank,
                c.basis_score,
                f"{c.basis_low}–{c.basis_high}",
                faults.get(c.company_id, 0),
                c.re_rank,
                c.re_score,
                f"{c.re_low}–{c.re_high}" if c.re_low is not None else "",
                c.re_responses,
                c.re_weight,
                c.get_stage_display(),
            ]
            for c in candidates
        ],
    )
    sheets = [sheet]
    if scope_for(request.user).is_street_wide(elimination.street_id):
        sheets.append(
            SheetSpec(
                title=_("流程记录"),
                columns=[
                    ColumnSpec(_("时间"), number_format="yyyy-mm-dd hh:mm"),
                    ColumnSpec(_("操作")),
                    ColumnSpec(_("操作人")),
                    ColumnSpec(_("说明"), width=50),
                ],
                rows=[
                    [
                        timezone.localtime(e.at).replace(tzinfo=None),
                        str(ACTION_LABELS.get(e.action, e.action)),
                        e.actor_label,
                        e.note,
                    ]
                    for e in elimination.events.all()
                ],
            )
        )
    return xlsx_response(build_workbook(sheets), f"{elimination.name}.xlsx")
