"""Office pages of the street's bodies (领导小组 · 物业企业理事会 · 业委会主任联合会 · 联席会议) and
of tracked actions (mounted at /branch/). A body's meetings are ordinary meetings (the meeting
pages of ``views/meetings.py``) whose organiser is the body.

Reads through the door (``visible``/``get_for_user`` with ``scoping.py``: the street and the
body's own members); writes through ``services``; who may do what in ``permissions``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import permissions, rules, services
from gongzhi.branchwork.forms import (
    BodyEditForm,
    BodyForm,
    BodyMeetingForm,
    BodyMemberForm,
    CloseForm,
    TrackForm,
)
from gongzhi.branchwork.models import ActionStatus, Body, BodyMember, Resolution, TrackedAction
from gongzhi.branchwork.selectors_plan import visible_actions
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import flash_error, local_today
from gongzhi.core.scopes import admin_street, get_for_user, visible
from gongzhi.core.uploads import serve_upload


def _require_reader(request) -> None:
    permissions.require_meeting_reader(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def body_list(request):
    _require_reader(request)
    street = admin_street(request.user)
    form = BodyForm(request.POST or None)
    if request.method == "POST":
        if street is None or not permissions.may_manage_bodies(request.user, street.pk):
            raise PermissionDenied
        if form.is_valid():
            try:
                body = services.body_create(actor=request.user, street=street, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("议事机构已建立。"))
                return redirect("branchwork:body", body.pk)
    bodies = (
        visible(request.user, Body)
        .annotate(
            n_members=Count("members", distinct=True),
            n_meetings=Count("meetings", distinct=True),
        )
        .order_by("street_id", "kind", "name")
    )
    return render(
        request,
        "branchwork/bodies.html",
        {
            "nav_active": "branch_bodies",
            "bodies": bodies,
            "form": form,
            "can_create": street is not None and permissions.may_manage_bodies(request.user, street.pk),
        },
    )


def _body(request, pk) -> Body:
    return get_for_user(request.user, Body.objects.select_related("street"), pk)


@login_required
@require_safe
def body_detail(request, pk: int):
    _require_reader(request)
    body = _body(request, pk)
    today = local_today()
    meetings = list(
        body.meetings.annotate(
            n_resolutions=Count("resolutions", distinct=True),
            n_open=Count(
                "resolutions__tracked", filter=Q(resolutions__tracked__status="open"), distinct=True
            ),
        ).order_by("-starts_at", "-pk")[:50]
    )
    actions = list(
        TrackedAction.objects.filter(resolution__meeting__body=body)
        .select_related("resolution__meeting")
        .order_by("status", "due_on", "pk")[:100]
    )
    return render(
        request,
        "branchwork/body.html",
        {
            "nav_active": "branch_bodies",
            "body": body,
            "members": list(body.members.select_related("user")),
            "meetings": meetings,
            "actions": actions,
            "overdue_ids": {
                a.pk for a in actions if rules.action_overdue(status=a.status, due_on=a.due_on, today=today)
            },
            "member_form": BodyMemberForm(),
            "can_manage": permissions.may_manage_bodies(request.user, body.street_id),
            "can_convene": permissions.may_hold_body_meetings(request.user, body.street_id),
        },
    )


@login_required
@require_POST
def body_member_add(request, pk: int):
    _require_reader(request)
    body = _body(request, pk)
    if not permissions.may_manage_bodies(request.user, body.street_id):
        raise PermissionDenied
    form = BodyMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写成员姓名（60 字以内）、职务和单位。"))
        return redirect("branchwork:body", body.pk)
    data = form.cleaned_data
    user = None
    if data["username"]:
        user = get_user_model().objects.filter(username=data["username"], is_active=True).first()
        if user is None:
            messages.error(request, _("没有用户名为“%(name)s”的账号。") % {"name": data["username"]})
            return redirect("branchwork:body", body.pk)
    try:
        services.body_member_add(
            actor=request.user,
            body=body,
            name=data["name"],
            role_label=data["role_label"],
            unit=data["unit"],
            user=user,
        )
    except BranchworkError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("成员已添加。"))
    return redirect("branchwork:body", body.pk)


@login_required
@require_POST
def body_member_remove(request, pk: int):
    _require_reader(request)
    member = get_for_user(request.user, BodyMember.objects.select_related("body"), pk)
    if not permissions.may_manage_bodies(request.user, member.body.street_id):
        raise PermissionDenied
    services.body_member_remove(actor=request.user, member=member)
    messages.success(request, _("成员已移除。"))
    return redirect("branchwork:body", member.body_id)


@login_required
@require_http_methods(["GET", "POST"])
def body_meeting_new(request, pk: int):
    _require_reader(request)
    body = _body(request, pk)
    if not permissions.may_hold_body_meetings(request.user, body.street_id):
        raise PermissionDenied
    members = body.members.all()
    form = BodyMeetingForm(
        request.POST or None, members=members, initial={"members": list(members.values_list("pk", flat=True))}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.body_meeting_schedule(actor=request.user, body=body, **data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会议已安排。"))
            return redirect("branchwork:meeting", meeting.pk)
    return render(
        request,
        "branchwork/meeting_form.html",
        {"nav_active": "branch_bodies", "form": form, "body": body, "branch": None},
    )


# ---- tracked actions ------------------------------------------------------------------------------


@login_required
@require_POST
def resolution_track(request, pk: int):
    _require_reader(request)
    queryset = Resolution.objects.select_related("meeting__branch__area", "meeting__body")
    resolution = get_for_user(request.user, queryset, pk)
    permissions.require_meeting_manager(request.user, resolution.meeting)
    form = TrackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写责任人和完成期限。"))
    else:
        try:
            services.action_track(
                actor=request.user,
                resolution=resolution,
                owner_label=form.cleaned_data["owner_label"],
                due_on=form.cleaned_data["due_on"],
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("决议已设为跟踪落实事项。"))
    return redirect("branchwork:meeting", resolution.meeting_id)


@login_required
@require_safe
def action_list(request):
    _require_reader(request)
    today = local_today()
    actions = visible_actions(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        actions = actions.filter(status=ActionStatus.OPEN)
    elif state == "overdue":
        actions = actions.filter(status=ActionStatus.OPEN, due_on__lt=today)
    elif state == "done":
        actions = actions.filter(status=ActionStatus.DONE)
    else:
        state = "all"
    rows = list(actions.order_by("due_on", "pk")[:200])
    return render(
        request,
        "branchwork/actions.html",
        {
            "nav_active": "branch_actions",
            "actions": rows,
            "state": state,
            "overdue_ids": {
                a.pk for a in rows if rules.action_overdue(status=a.status, due_on=a.due_on, today=today)
            },
            "close_ids": {a.pk for a in rows if permissions.may_close_action(request.user, a)},
            "close_form": CloseForm(),
        },
    )


@login_required
@require_POST
def action_close(request, pk: int):
    _require_reader(request)
    action = get_for_user(
        request.user, TrackedAction.objects.select_related("resolution__meeting__branch__area"), pk
    )
    if not permissions.may_close_action(request.user, action):
        raise PermissionDenied
    form = CloseForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请填写办结情况。"))
    else:
        try:
            services.action_close(
                actor=request.user,
                action=action,
                evidence=form.cleaned_data["evidence"],
                upload=form.cleaned_data["file"],
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("事项已办结。"))
    back = request.POST.get("back", "")
    if back == "meeting":
        return redirect("branchwork:meeting", action.resolution.meeting_id)
    return redirect("branchwork:actions")


@login_required
@require_safe
def action_evidence(request, pk: int):
    _require_reader(request)
    action = get_for_user(request.user, TrackedAction, pk)
    if not action.evidence_file:
        from django.http import Http404

        raise Http404
    extension = "pdf" if action.evidence_type == "application/pdf" else "jpg"
    return serve_upload(
        action.evidence_file, content_type=action.evidence_type, filename=f"佐证材料-{action.pk}.{extension}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request, pk: int):
    """The street admin renames a body or rewrites its remit (its kind stays). Bad input re-shows the
    form with the reason; nothing is written."""
    _require_reader(request)
    body = _body(request, pk)
    if not permissions.may_manage_bodies(request.user, body.street_id):
        raise PermissionDenied
    form = BodyEditForm(request.POST or None, initial={"name": body.name, "remit": body.remit})
    if request.method == "POST" and form.is_valid():
        try:
            services.body_update(actor=request.user, body=body, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("议事机构已修改。"))
            return redirect("branchwork:body", body.pk)
    return render(
        request,
        "branchwork/plan_form.html",
        {
            "nav_active": "branch_bodies",
            "form": form,
            "heading": _("修改议事机构"),
            "subject": body.get_kind_display(),
            "body": body,
        },
    )
