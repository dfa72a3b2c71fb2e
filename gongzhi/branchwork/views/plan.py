"""The street's work plan (mounted at /plan/): the seed's three stages with their milestones
(owner, due date, state), measurable ones ticked from the data (``selectors_plan``), manual ones
ticked by the street admin with evidence; the pilots (试点支部, the pilot company), filterable.

Read by the street (admin, leadership) and the street's area secretaries; written by the admin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import permissions, rules, services
from gongzhi.branchwork.forms import MilestoneForm, PilotEditForm, PilotForm, TickForm
from gongzhi.branchwork.models import Milestone, Pilot, PlanStage, WorkPlan
from gongzhi.branchwork.selectors_plan import milestone_rows, plan_facts, state_labels
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import flash_error, local_today
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_street, get_for_user, visible
from gongzhi.core.uploads import serve_upload
from gongzhi.registry.models import Branch, Company

# The seed's three stages (周家渡: 建章立制、试点推进,整体启动、组织优化,党建引领、良性态势).
SEED_STAGES = (
    (
        "建章立制·试点推进",
        "领导小组工作机制、总体推动方案和制度建立；10 个联合党支部和 1 家物业企业先行试点。",
    ),
    (
        "整体启动·组织优化",
        "32 个居民区联合党支部全部组建并规范运行；业委会换届人选把关，党员和交叉任职占比达标。",
    ),
    ("党建引领·良性态势", "质价相符、优胜劣汰的机制常态运行，居民满意度持续提升。"),
)


def _require_reader(request) -> None:
    permissions.require_plan_reader(request.user)


@login_required
@require_safe
def plan_page(request):
    _require_reader(request)
    today = local_today()
    plans = list(visible(request.user, WorkPlan).select_related("street").order_by("street_id")[:2])
    plan = plans[0] if plans else None
    street = admin_street(request.user)
    can_edit = plan is not None and permissions.may_edit_plan(request.user, plan.street_id)
    context = {
        "nav_active": "plan",
        "plan": plan,
        "today": today,
        "can_edit": can_edit,
        "can_create": plan is None
        and street is not None
        and permissions.may_edit_plan(request.user, street.pk),
        "state_labels": state_labels(),
    }
    if plan is None:
        return render(request, "branchwork/plan.html", context)
    stages = list(plan.stages.all())
    milestones = list(
        visible(request.user, Milestone)
        .filter(stage__plan=plan)
        .select_related("stage", "ticked_by")
        .order_by("stage__number", "due_on", "pk")
    )
    facts = plan_facts(plan.street_id, today)
    rows = milestone_rows(milestones, facts, today)
    state = request.GET.get("state", "")
    if state in (rules.DONE, rules.OVERDUE, rules.DUE, rules.OPEN):
        shown = [r for r in rows if r.state == state]
    else:
        state, shown = "", rows
    by_stage = {s.pk: [] for s in stages}
    for row in shown:
        by_stage[row.milestone.stage_id].append(row)
    pilot_kind = request.GET.get("pilots", "")
    pilots = (
        visible(request.user, Pilot)
        .filter(street_id=plan.street_id)
        .select_related("branch__area", "company")
    )
    if pilot_kind == "branch":
        pilots = pilots.filter(branch__isnull=False)
    elif pilot_kind == "company":
        pilots = pilots.filter(company__isnull=False)
    else:
        pilot_kind = ""
    counts = {
        key: sum(1 for r in rows if r.state == key)
        for key in (rules.DONE, rules.OVERDUE, rules.DUE, rules.OPEN)
    }
    context.update(
        {
            "stages": [(s, by_stage[s.pk], _stage_state(s, today)) for s in stages],
            "rows": rows,
            "counts": counts,
            "state": state,
            "facts": facts,
            "pilots": list(pilots.order_by("company_id", "branch__area__name")),
            "pilot_kind": pilot_kind,
            "milestone_form": MilestoneForm(stages=plan.stages.all()) if can_edit else None,
            "tick_form": TickForm() if can_edit else None,
        }
    )
    return render(request, "branchwork/plan.html", context)


def _stage_state(stage: PlanStage, today: dt.date) -> str:
    if today < stage.starts_on:
        return "later"
    if today > stage.ends_on:
        return "past"
    return "current"


@login_required
@require_POST
def plan_create(request):
    _require_reader(request)
    street = admin_street(request.user)
    if street is None or not permissions.may_edit_plan(request.user, street.pk):
        raise PermissionDenied
    start = local_today()
    stages = []
    for number, (title, goal) in enumerate(SEED_STAGES):
        begins = start + dt.timedelta(days=120 * number)
        stages.append((title, goal, begins, begins + dt.timedelta(days=119)))
    try:
        services.plan_create(
            actor=request.user, street=street, title=_("党建引领物业治理三阶段工作计划"), stages=stages
        )
    except BranchworkError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("工作计划已建立，请为各阶段添加节点。"))
    return redirect("branchwork_plan:plan")


@login_required
@require_POST
def milestone_add(request):
    _require_reader(request)
    street = admin_street(request.user)
    if street is None or not permissions.may_edit_plan(request.user, street.pk):
        raise PermissionDenied
    stages = PlanStage.objects.filter(plan__street=street)
    form = MilestoneForm(request.POST, stages=stages)
    if not form.is_valid():
        messages.error(request, _("请填写节点、责任人和时间节点，目标值为数字。"))
    else:
        try:
            services.milestone_add(actor=request.user, **form.cleaned_data)
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("节点已添加。"))
    return redirect("branchwork_plan:plan")


@login_required
@require_POST
def milestone_tick(request, pk: int):
    _require_reader(request)
    milestone = get_for_user(request.user, Milestone.objects.select_related("stage__plan"), pk)
    if not permissions.may_edit_plan(request.user, milestone.stage.plan.street_id):
        raise PermissionDenied
    form = TickForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请填写完成依据。"))
    else:
        try:
            services.milestone_tick(
                actor=request.user,
                milestone=milestone,
                evidence=form.cleaned_data["evidence"],
                upload=form.cleaned_data["file"],
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("节点已确认完成。"))
    return redirect("branchwork_plan:plan")


@login_required
@require_safe
def milestone_evidence(request, pk: int):
    _require_reader(request)
    milestone = get_for_user(request.user, Milestone, pk)
    if not milestone.evidence_file:
        raise Http404
    extension = "pdf" if milestone.evidence_type == "application/pdf" else "jpg"
    return serve_upload(
        milestone.evidence_file,
        content_type=milestone.evidence_type,
        filename=f"佐证材料-{milestone.pk}.{extension}",
    )


# ---- edit pages: a milestone, a pilot (new and edit) ------------------------------------------------------------


def _form_page(request, context: dict):
    return render(request, "branchwork/plan_form.html", {"nav_active": "plan", **context})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk: int):
    """The street admin edits a milestone: stage (of the same plan), title, owner, due date, measure and
    target. Bad input re-shows the form with the reason; nothing is written."""
    _require_reader(request)
    milestone = get_for_user(request.user, Milestone.objects.select_related("stage__plan"), pk)
    if not permissions.may_edit_plan(request.user, milestone.stage.plan.street_id):
        raise PermissionDenied
    stages = PlanStage.objects.filter(plan_id=milestone.stage.plan_id)
    initial = {
        "stage": milestone.stage_id,
        "title": milestone.title,
        "owner_label": milestone.owner_label,
        "due_on": milestone.due_on,
        "metric": milestone.metric,
        "target": milestone.target,
    }
    form = MilestoneForm(request.POST or None, initial=initial, stages=stages)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("节点已修改。"))
            return redirect("branchwork_plan:plan")
    return _form_page(
        request,
        {"form": form, "heading": _("修改节点"), "subject": milestone.title, "ticked": milestone.done_on},
    )


def _pilot_choices(request, street):
    branches = (
        visible(request.user, Branch)
        .filter(area__street=street, pilot__isnull=True)
        .select_related("area")
        .order_by(*pinyin_order(Branch, "area__name"))
    )
    companies = (
        visible(request.user, Company)
        .filter(street=street, pilot__isnull=True)
        .order_by(*pinyin_order(Company, "name"))
    )
    return list(branches), list(companies)


@login_required
@require_http_methods(["GET", "POST"])
def pilot_new(request):
    """The street admin flags a joint branch or a company as a pilot (试点) with its programme."""
    _require_reader(request)
    street = admin_street(request.user)
    if street is None or not permissions.may_edit_plan(request.user, street.pk):
        raise PermissionDenied
    branches, companies = _pilot_choices(request, street)
    form = PilotForm(
        request.POST or None, initial={"since": local_today()}, branches=branches, companies=companies
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, raw = data["which"].partition("-")
        branch = next((b for b in branches if str(b.pk) == raw), None) if kind == "branch" else None
        company = next((c for c in companies if str(c.pk) == raw), None) if kind == "company" else None
        try:
            services.pilot_create(
                actor=request.user,
                street=street,
                branch=branch,
                company=company,
                programme=data["programme"],
                agreement=data["agreement"],
                since=data["since"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("试点已登记。"))
            return redirect("branchwork_plan:plan")
    return _form_page(request, {"form": form, "heading": _("登记试点"), "subject": street.name})


@login_required
@require_http_methods(["GET", "POST"])
def pilot_edit(request, pk: int):
    _require_reader(request)
    pilot = get_for_user(request.user, Pilot.objects.select_related("branch__area", "company"), pk)
    if not permissions.may_edit_plan(request.user, pilot.street_id):
        raise PermissionDenied
    initial = {"programme": pilot.programme, "agreement": pilot.agreement, "since": pilot.since}
    form = PilotEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pilot_update(actor=request.user, pilot=pilot, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("试点已修改。"))
            return redirect("branchwork_plan:plan")
    return _form_page(request, {"form": form, "heading": _("修改试点"), "subject": str(pilot)})
