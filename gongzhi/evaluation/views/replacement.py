"""The replacement after elimination at one referred estate (优胜劣汰): one phone-friendly page with the stage,
the next step and its form — the owners' decision (art. 278 matter 4) opened in the voting app, its counted
result, the committee's choice among the candidates (benchmarks first), the new contract."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import refuse_with_message
from gongzhi.core.legal import civil_code_278_item
from gongzhi.core.scopes import scope_for
from gongzhi.core.validators import is_id, parse_day
from gongzhi.evaluation import permissions, services
from gongzhi.evaluation import replacement as rules
from gongzhi.evaluation.selectors_replacement import describe, selection_candidates
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.views.common import require_office
from gongzhi.registry.models import Company

STEPS = [
    (rules.REFERRED, rules.STAGE_LABELS[rules.REFERRED]),
    (rules.VOTING, rules.STAGE_LABELS[rules.VOTING]),
    (rules.SELECTING, rules.STAGE_LABELS[rules.SELECTING]),
    (rules.CHOSEN, rules.STAGE_LABELS[rules.CHOSEN]),
    (rules.CONTRACTED, rules.STAGE_LABELS[rules.CONTRACTED]),
    (rules.DONE, rules.STAGE_LABELS[rules.DONE]),
]


def _may(user, replacement, action: str) -> bool:
    estate = replacement.referral.estate
    if action == "open_vote":
        return permissions.may_open_replacement_vote(user, estate)
    if action == "record_outcome":
        return permissions.may_record_replacement_outcome(user, estate)
    if action == "choose":
        return permissions.may_choose_company(user, estate)
    if action == "contract":
        return permissions.may_record_replacement_contract(user, estate.area.street_id)
    return False


@login_required
def replacement(request, pk: int):
    require_office(request)
    today = timezone.localdate()
    rep = describe(permissions.get_replacement_for_user(request.user, pk), today)
    order = [s for s, _l in STEPS]
    current = order.index(rep.stage) if rep.stage in order else 1
    steps = [
        {"label": label, "done": i < current, "current": i == current} for i, (_s, label) in enumerate(STEPS)
    ]
    actions = {a for a in rules.ACTIONS if rules.may(a, rep.stage) and _may(request.user, rep.replacement, a)}
    candidates = (
        selection_candidates(rep.replacement, today) if rep.stage in (rules.SELECTING, rules.CHOSEN) else []
    )
    opens = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    context = {
        "r": rep,
        "steps": steps,
        "actions": actions,
        "candidates": candidates,
        "citation": civil_code_278_item(rules.MATTER),
        "sees_elimination": scope_for(request.user).is_street_wide(rep.referral.elimination.street_id),
        "default_opens": opens.strftime("%Y-%m-%dT%H:%M"),
        "default_closes": (opens + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "default_start": (today + dt.timedelta(days=1)).isoformat(),
        "default_end": (today + dt.timedelta(days=3 * 365)).isoformat(),
        "today": today,
        "nav_active": "eval_eliminations",
    }
    return render(request, "evaluation/replacement.html", context)


def _moment(raw: str | None) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    if not 1990 <= value.year <= 9998:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@login_required
@require_POST
@refuse_with_message("evaluation:replacement", "pk")
def replacement_act(request, pk: int, action: str):
    require_office(request)
    rep = permissions.get_replacement_for_user(request.user, pk)
    if action not in rules.ACTIONS:
        raise Http404
    if not _may(request.user, rep, action):
        raise PermissionDenied
    user = request.user
    if action == "open_vote":
        opens_at, closes_at = _moment(request.POST.get("opens_at")), _moment(request.POST.get("closes_at"))
        if opens_at is None or closes_at is None:
            raise EvaluationError(_("请填写投票开始和截止时间。"))
        decision = services.replacement_open_vote(
            actor=user, replacement=rep, opens_at=opens_at, closes_at=closes_at
        )
        messages.success(
            request, _("已在业主表决中起草“%(t)s”，请在表决页面核对后发布。") % {"t": decision.title}
        )
    elif action == "record_outcome":
        rep = services.replacement_record_outcome(actor=user, replacement=rep)
        messages.success(
            request,
            _("已登记：业主表决通过，请选聘物业服务企业。")
            if rep.outcome_passed
            else _("已登记：业主表决未通过，原企业继续服务。"),
        )
    elif action == "choose":
        raw = request.POST.get("company", "")
        company = (
            Company.objects.filter(pk=raw, street_id=rep.referral.elimination.street_id).first()
            if is_id(raw)
            else None
        )
        services.replacement_choose(
            actor=user, replacement=rep, company=company, reason=(request.POST.get("reason") or "")[:1000]
        )
        messages.success(request, _("已登记选聘的物业服务企业。"))
    else:
        start, end = parse_day(request.POST.get("start_date")), parse_day(request.POST.get("end_date"))
        if start is None or end is None:
            raise EvaluationError(_("请填写新合同的开始和结束日期。"))
        services.replacement_contract(
            actor=user,
            replacement=rep,
            start_date=start,
            end_date=end,
            fee_standard=(request.POST.get("fee_standard") or "")[:20],
            service_level=(request.POST.get("service_level") or "")[:20],
        )
        messages.success(request, _("已登记新合同，原合同于新合同开始前一日终止。"))
    return redirect("evaluation:replacement", pk)
