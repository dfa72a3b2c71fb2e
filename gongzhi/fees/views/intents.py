"""Office pages of quality before price (先质后价): fee-adjustment intents (调价意向), the quality gate of an
estate, the street's gate rule, the annual price-meeting rhythm and the A4 PDF for the price meeting
(docs/FEES.md §4–6). Readers are the fee readers (``permissions.fee_estates``); each step asks its own
permission and goes through ``services``; a ``FeeError`` becomes a message and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.core.pdf import pdf_response, render_pdf
from gongzhi.core.scopes import admin_street, visible
from gongzhi.core.validators import parse_id
from gongzhi.fees import selectors
from gongzhi.fees.forms import GateRuleForm, IntentForm, MeetingOutcomeForm, ReasonForm, VoteForm
from gongzhi.fees.models import FeeIntent, IntentStatus
from gongzhi.fees.permissions import (
    can_check_gate,
    can_decide_intent,
    can_edit_gate_rule,
    can_edit_intent,
    can_open_intent,
    fee_estates,
    get_fee_estate,
    reads_fees,
)
from gongzhi.fees.rules import FeeError
from gongzhi.fees.services import (
    fee_intent_check_gate,
    fee_intent_conclude,
    fee_intent_create,
    fee_intent_open_vote,
    fee_intent_record_meeting,
    fee_intent_reject,
    fee_intent_submit,
    fee_intent_update,
    fee_intent_withdraw,
    gate_rule_update,
)
from gongzhi.voting.services import VotingError

# Each step and who may take it (the service asks again).
ACTIONS = {
    "submit": can_edit_intent,
    "gate": can_check_gate,
    "meeting": can_decide_intent,
    "vote": can_decide_intent,
    "conclude": can_decide_intent,
    "withdraw": can_edit_intent,
    "reject": can_decide_intent,
}


def _intent(user, pk: int) -> FeeIntent:
    """The door to one intent: not a fee reader → 403; out of reach → 404."""
    if not reads_fees(user):
        raise PermissionDenied
    intent = (
        visible(user, FeeIntent)
        .filter(pk=pk, estate__in=fee_estates(user))
        .select_related("estate__area", "meeting", "decision", "standard", "proposal")
        .first()
    )
    if intent is None:
        raise Http404
    return intent


@login_required
@require_safe
def intent_list(request):
    if not reads_fees(request.user):
        raise PermissionDenied
    rows = list(selectors.intents(request.user).filter(estate__in=fee_estates(request.user)))
    return render(request, "fees/intents.html", {"intents": rows, "nav_active": "fee_intents"})


@login_required
@require_http_methods(["GET", "POST"])
def intent_new(request, estate_id: int):
    place = get_fee_estate(request.user, estate_id)
    if not can_open_intent(request.user, place):
        raise PermissionDenied
    form = IntentForm(request.POST or None, initial={"effective_from": _first_of_next_quarter()})
    if request.method == "POST" and form.is_valid():
        try:
            intent = fee_intent_create(actor=request.user, estate=place, **form.cleaned_data)
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存调价意向草稿；成本测算填写完整后请提交。"))
            return redirect("fees:intent", intent.pk)
    return render(
        request,
        "fees/form.html",
        {"estate": place, "form": form, "title": _("提出调价意向"), "nav_active": "fee_intents"},
    )


def _first_of_next_quarter() -> dt.date:
    today = timezone.localdate()
    month = ((today.month - 1) // 3 + 1) * 3 + 1
    return dt.date(today.year + (month > 12), (month - 1) % 12 + 1, 1)


@login_required
@require_http_methods(["GET", "POST"])
def intent_edit(request, pk: int):
    intent = _intent(request.user, pk)
    if not can_edit_intent(request.user, intent):
        raise PermissionDenied
    form = IntentForm(request.POST or None, initial=IntentForm.initial_from(intent))
    if request.method == "POST" and form.is_valid():
        try:
            fee_intent_update(actor=request.user, intent=intent, **form.cleaned_data)
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存调价意向。"))
            return redirect("fees:intent", intent.pk)
    return render(
        request,
        "fees/form.html",
        {"estate": intent.estate, "form": form, "title": _("修改调价意向"), "nav_active": "fee_intents"},
    )


def _forms(request, intent: FeeIntent, bound: dict | None = None) -> dict:
    """The step forms this user may use on this intent now (bound: the one just posted, with its errors)."""
    user, bound = request.user, bound or {}
    status = intent.status
    result: dict = {}
    if status == "draft" and can_edit_intent(user, intent):
        result["submit"] = True
    if status in {"submitted", "gate"} and can_check_gate(user, intent):
        result["gate"] = True
    if status == "meeting" and not intent.outcome and can_decide_intent(user, intent):
        result["meeting"] = bound.get("meeting") or MeetingOutcomeForm(
            meetings=selectors.price_meeting_options(intent)
        )
    if status == "meeting" and intent.outcome == "agreed" and can_decide_intent(user, intent):
        opens = (timezone.localtime() + dt.timedelta(days=1)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        result["vote"] = bound.get("vote") or VoteForm(
            initial={"opens_at": opens, "closes_at": opens + dt.timedelta(days=14)}
        )
    decision = intent.decision
    counting = decision is not None and decision.status not in ("draft", "published")
    misfit = selectors.vote_misfit_of(intent) if status == "vote" else None
    if misfit:
        result["misfit"] = misfit
    if status == "vote" and (counting or misfit) and can_decide_intent(user, intent):
        result["conclude"] = True
    if intent.is_open and status != "vote" and can_edit_intent(user, intent):
        result["withdraw"] = bound.get("withdraw") or ReasonForm(prefix="withdraw")
    if status in {"submitted", "gate", "meeting"} and can_decide_intent(user, intent):
        result["reject"] = bound.get("reject") or ReasonForm(prefix="reject")
    return result


PATH = ("draft", "submitted", "gate", "meeting", "vote", "effective")


def _steps(intent: FeeIntent) -> tuple[list[tuple[str, Any]], set[str]]:
    """The path an intent walks (草稿 … 已生效, or its end 未通过 / 已撤回) and the steps it has passed."""
    labels = dict(IntentStatus.choices)
    steps = [(key, labels[key]) for key in PATH]
    if intent.status in PATH:
        return steps, set(PATH[: PATH.index(intent.status)])
    reached = {"draft"}
    if intent.submitted_at:
        reached.add("submitted")
    if intent.gate_checks.exists():
        reached.add("gate")
    if intent.outcome:
        reached.add("meeting")
    if intent.decision_id:
        reached.add("vote")
    steps = [s for s in steps if s[0] in reached] + [(intent.status, labels[intent.status])]
    return steps, reached


def _detail(request, intent: FeeIntent, bound: dict | None = None, status: int = 200):
    steps, done = _steps(intent)
    context = {
        "steps": steps,
        "done": done,
        "intent": intent,
        **selectors.intent_detail(intent),
        "gate_now": selectors.gate_for(intent.estate) if intent.status in {"submitted", "gate"} else None,
        "forms": _forms(request, intent, bound),
        "can_edit": intent.status == "draft" and can_edit_intent(request.user, intent),
        "nav_active": "fee_intents",
    }
    return render(request, "fees/intent.html", context, status=status)


@login_required
@require_safe
def intent_detail(request, pk: int):
    return _detail(request, _intent(request.user, pk))


@login_required
@require_POST
def intent_act(request, pk: int, action: str):
    intent = _intent(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    user = request.user
    bound: dict[str, Any] = {}
    if not ACTIONS[action](user, intent):
        raise PermissionDenied
    try:
        if action == "submit":
            fee_intent_submit(actor=user, intent=intent)
            messages.success(request, _("已提交调价意向。下一步：核查质量门槛。"))
        elif action == "gate":
            check = fee_intent_check_gate(actor=user, intent=intent)
            if check.open:
                messages.success(request, _("质量门槛已满足，可以召开议价会议。"))
            else:
                messages.warning(request, _("质量门槛尚未满足，请见各项条件。整改后可再次核查。"))
        elif action == "meeting":
            form = MeetingOutcomeForm(request.POST, meetings=selectors.price_meeting_options(intent))
            bound["meeting"] = form
            if not form.is_valid():
                return _detail(request, intent, bound, status=200)
            d = form.cleaned_data
            fee_intent_record_meeting(
                actor=user,
                intent=intent,
                meeting=form.meetings[d["meeting"]],
                committee_position=d["committee_position"],
                outcome=d["outcome"],
                agreed_amount=d["agreed_amount"] or None,
                note=d["note"],
            )
            messages.success(request, _("已登记议价会议结果。"))
        elif action == "vote":
            vote_form = VoteForm(request.POST)
            bound["vote"] = vote_form
            if not vote_form.is_valid():
                return _detail(request, intent, bound, status=200)
            decision = fee_intent_open_vote(actor=user, intent=intent, **vote_form.cleaned_data)
            messages.success(request, _("已起草业主表决事项，请在业主表决页面核对后发布。"))
            return redirect("voting:detail", decision.pk)
        elif action == "conclude":
            intent = fee_intent_conclude(actor=user, intent=intent)
            if intent.status == "meeting":
                messages.warning(
                    request, _("表决事项已被修改，不能作为调价依据；已解除关联，请重新发起业主表决。")
                )
            elif intent.status == "effective":
                messages.success(request, _("业主表决已通过，新的收费标准已登记。"))
            else:
                messages.warning(request, _("业主表决未获通过，调价意向已办结。"))
        else:
            reason_form = ReasonForm(request.POST, prefix=action)
            bound[action] = reason_form
            if not reason_form.is_valid():
                return _detail(request, intent, bound, status=200)
            service = fee_intent_withdraw if action == "withdraw" else fee_intent_reject
            service(actor=user, intent=intent, reason=reason_form.cleaned_data["reason"])
            messages.success(request, _("调价意向已办结。"))
    except (FeeError, VotingError) as error:
        messages.error(request, error.message)
    return redirect("fees:intent", intent.pk)


@login_required
@require_safe
def intent_pdf(request, pk: int):
    """The cost account and the gate, on A4, for the price meeting."""
    intent = _intent(request.user, pk)
    context = {
        "intent": intent,
        **selectors.intent_detail(intent),
        "gate_now": selectors.gate_for(intent.estate),
    }
    content = render_pdf("fees/pdf/intent.html", context, request=request)
    return pdf_response(
        content, _("调价意向-成本测算与质量门槛-%(estate)s.pdf") % {"estate": intent.estate.name}
    )


@login_required
@require_safe
def gate(request, estate_id: int):
    place = get_fee_estate(request.user, estate_id)
    return render(
        request,
        "fees/gate.html",
        {"estate": place, "gate": selectors.gate_for(place), "nav_active": "fee_intents"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def gate_rule(request):
    street = admin_street(request.user)
    if street is None or not can_edit_gate_rule(request.user, street.pk):
        raise PermissionDenied
    current = selectors.gate_settings(street.pk)
    form = GateRuleForm(
        request.POST or None,
        initial={
            "min_score": f"{current.min_score.normalize():f}",
            "disclosure_months": current.disclosure_months,
            "meeting_within_days": current.meeting_within_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            gate_rule_update(actor=request.user, street=street, **form.cleaned_data)
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存质量门槛规则。"))
            return redirect("fees:gate_rule")
    return render(
        request, "fees/gate_rule.html", {"form": form, "current": current, "nav_active": "fee_intents"}
    )


@login_required
@require_safe
def price_rhythm(request):
    """Which estates held their annual price meeting in the last year (建立每年一次议价会议制度)."""
    if not reads_fees(request.user):
        raise PermissionDenied
    area = parse_id(request.GET.get("area") or "") if request.GET.get("area") else None
    estates = fee_estates(request.user)
    if area is not None:
        estates = estates.filter(area_id=area)
    first = estates.select_related("area").first()
    days = selectors.gate_settings(first.area.street_id).meeting_within_days if first else 365
    rows = selectors.price_rhythm(estates, within_days=days)
    return render(
        request,
        "fees/price_rhythm.html",
        {
            "rows": rows,
            "days": days,
            "held": sum(1 for r in rows if r["ok"]),
            "nav_active": "fee_rhythm",
        },
    )
