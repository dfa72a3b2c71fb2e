"""党建联建 (mounted under /plan/partnerships/): the street's agreements with company groups, the programme's
items and their progress, the group's pilot company. Read by the work plan's readers (the street and its
area secretaries, through the door); written by the street admin (``may_edit_plan``) through
``branchwork.partnerships``; a refused write re-shows the page with the reason, nothing written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import partnerships as service
from gongzhi.branchwork import permissions, rules
from gongzhi.branchwork.forms_partnership import (
    GroupForm,
    ItemForm,
    ItemProgressForm,
    PartnershipForm,
    PilotForm,
)
from gongzhi.branchwork.models import Partnership, ProgrammeItem
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import local_today
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_street, get_for_user, visible
from gongzhi.registry.models import Company, CompanyGroup


def _editor_street(user):
    street = admin_street(user)
    if street is not None and permissions.may_edit_plan(user, street.pk):
        return street
    return None


@login_required
@require_http_methods(["GET", "POST"])
def partnership_list(request):
    permissions.require_plan_reader(request.user)
    street = _editor_street(request.user)
    group_form = partnership_form = None
    if street is not None:
        companies = list(
            visible(request.user, Company).filter(street=street).order_by(*pinyin_order(Company, "name"))
        )
        groups = list(
            visible(request.user, CompanyGroup)
            .filter(street=street)
            .order_by(*pinyin_order(CompanyGroup, "name"))
        )
        which = request.POST.get("form") if request.method == "POST" else None
        group_form = GroupForm(request.POST if which == "group" else None, companies=companies, prefix="g")
        partnership_form = PartnershipForm(
            request.POST if which == "agreement" else None, groups=groups, prefix="p"
        )
        try:
            if which == "group" and group_form.is_valid():
                d = group_form.cleaned_data
                service.company_group_create(
                    actor=request.user,
                    street=street,
                    name=d["name"],
                    ownership=d["ownership"],
                    companies=[group_form.company_map[pk] for pk in d["companies"]],
                )
                messages.success(request, _("企业集团已登记。"))
                return redirect("branchwork_plan:partnerships")
            if which == "agreement" and partnership_form.is_valid():
                d = partnership_form.cleaned_data
                p = service.partnership_create(
                    actor=request.user,
                    street=street,
                    group=partnership_form.groups[d["group"]],
                    title=d["title"],
                    signed_on=d["signed_on"],
                    parties=d["parties"],
                    summary=d["summary"],
                )
                messages.success(request, _("党建联建协议已登记，请添加联建事项。"))
                return redirect("branchwork_plan:partnership", p.pk)
        except BranchworkError as exc:
            (group_form if which == "group" else partnership_form).add_error(None, exc.message)
    elif request.method == "POST":
        raise PermissionDenied
    groups_shown = (
        visible(request.user, CompanyGroup)
        .prefetch_related("companies")
        .order_by(*pinyin_order(CompanyGroup, "name"))
    )
    context = {
        "nav_active": "plan",
        "rows": service.partnerships(request.user, local_today()),
        "groups": list(groups_shown),
        "group_form": group_form,
        "partnership_form": partnership_form,
    }
    return render(request, "branchwork/partnerships.html", context)


def _detail(request, partnership: Partnership, forms: dict | None = None, status: int = 200):
    today = local_today()
    items = list(partnership.items.all())
    can_edit = permissions.may_edit_plan(request.user, partnership.street_id)
    forms = forms or {}
    members = list(
        visible(request.user, Company)
        .filter(group_id=partnership.group_id)
        .order_by(*pinyin_order(Company, "name"))
    )
    context = {
        "nav_active": "plan",
        "partnership": partnership,
        "items": [
            (
                i,
                forms.get(i.pk)
                or ItemProgressForm(
                    initial={"status": i.status, "done_on": i.done_on, "evidence": i.evidence},
                    prefix=f"i{i.pk}",
                ),
            )
            for i in items
        ],
        "progress": rules.programme_progress(((i.status, i.due_on) for i in items), today),
        "pilots": list(partnership.pilots.select_related("company")),
        "members": members,
        "today": today,
        "can_edit": can_edit,
        "item_form": (forms.get("item") or ItemForm(prefix="n")) if can_edit else None,
        "pilot_form": (
            forms.get("pilot") or PilotForm(companies=members, initial={"since": today}, prefix="pl")
        )
        if can_edit
        else None,
    }
    return render(request, "branchwork/partnership.html", context, status=status)


def _partnership(user, pk: int) -> Partnership:
    permissions.require_plan_reader(user)
    return get_for_user(user, Partnership.objects.select_related("group", "street"), pk)


@login_required
@require_safe
def partnership_detail(request, pk: int):
    return _detail(request, _partnership(request.user, pk))


@login_required
@require_POST
def partnership_act(request, pk: int, action: str):
    partnership = _partnership(request.user, pk)
    if not permissions.may_edit_plan(request.user, partnership.street_id):
        raise PermissionDenied
    try:
        if action == "item":
            form = ItemForm(request.POST, prefix="n")
            if not form.is_valid():
                return _detail(request, partnership, {"item": form})
            service.programme_item_add(actor=request.user, partnership=partnership, **form.cleaned_data)
            messages.success(request, _("联建事项已添加。"))
        elif action == "pilot":
            members = list(visible(request.user, Company).filter(group_id=partnership.group_id))
            form = PilotForm(request.POST, companies=members, prefix="pl")
            if not form.is_valid():
                return _detail(request, partnership, {"pilot": form})
            d = form.cleaned_data
            try:
                service.partnership_pilot_set(
                    actor=request.user,
                    partnership=partnership,
                    company=form.companies[d["company"]],
                    programme=d["programme"],
                    since=d["since"],
                )
            except BranchworkError as exc:
                form.add_error(None, exc.message)
                return _detail(request, partnership, {"pilot": form})
            messages.success(request, _("试点企业已登记。"))
        else:
            raise PermissionDenied
    except BranchworkError as exc:
        messages.error(request, exc.message)
    return redirect("branchwork_plan:partnership", partnership.pk)


@login_required
@require_POST
def programme_item_progress(request, pk: int):
    permissions.require_plan_reader(request.user)
    item = get_for_user(request.user, ProgrammeItem.objects.select_related("partnership__group"), pk)
    partnership = item.partnership
    if not permissions.may_edit_plan(request.user, partnership.street_id):
        raise PermissionDenied
    form = ItemProgressForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            service.programme_item_update(actor=request.user, item=item, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("进展已登记。"))
            return redirect("branchwork_plan:partnership", partnership.pk)
    return _detail(request, partnership, {item.pk: form})
