"""Office pages of the branch's work (mounted at /branch/): meetings of the branch and of the
owners' committee — schedule, attendance, minutes, resolutions handed over as problems, sign-off,
the minutes PDF, the on-site rating.

Thin: reads go through ``gongzhi.core.scopes`` (the one door) and ``selectors``; writes through
``services``; who may do what is in ``permissions``. Outside one's scope → 404, a reader without
the write right → 403."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import permissions, services
from gongzhi.branchwork.forms import HandOverForm, MeetingForm, RatingSetupForm, ResolutionForm
from gongzhi.branchwork.models import PUBLIC_KINDS, Attendance, Body, Meeting, MeetingKind, Resolution
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.views.common import (
    PAGE_SIZE,
    flash_error,
    local_today,
    require_reader,
    street_categories,
    visible_areas,
)
from gongzhi.core.channels import absolute_url
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.pdf import pdf_response, qr_svg, render_pdf
from gongzhi.core.scopes import visible
from gongzhi.core.validators import is_id
from gongzhi.problems.models import Category
from gongzhi.registry.models import BranchMember, Estate


def require_meeting_reader(request) -> None:
    """Meeting pages: branch readers and members of street bodies (the rows come through the door)."""
    permissions.require_meeting_reader(request.user)


@login_required
@require_safe
def meeting_list(request):
    require_meeting_reader(request)
    meetings = (
        visible(request.user, Meeting)
        .select_related("branch__area", "body")
        .annotate(
            n_resolutions=Count("resolutions", distinct=True),
            n_actions=Count("resolutions__action", distinct=True),
        )
    )
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    area = request.GET.get("area", "")
    if is_id(area):
        meetings = meetings.filter(branch__area_id=area)
    body = request.GET.get("body", "")
    if is_id(body):
        meetings = meetings.filter(body_id=body)
    page = Paginator(meetings.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("kind", kind), ("area", area), ("body", body)) if v})
    return render(
        request,
        "branchwork/meetings.html",
        {
            "nav_active": "branch_meetings",
            "page": page,
            "kinds": MeetingKind.choices,
            "kind": kind,
            "areas": visible_areas(request.user),
            "area": area,
            "query": query,
            "bodies": visible(request.user, Body).order_by("kind", "name"),
            "body": body,
            "can_schedule": permissions.may_schedule(request.user)
            or permissions.may_hold_body_meetings(request.user),
        },
    )


def _branch_for_secretary(request):
    areas = permissions.secretary_area_ids(request.user)
    if not areas:
        raise PermissionDenied
    from gongzhi.registry.models import Branch

    raw = request.GET.get("area") or request.POST.get("area") or ""
    branches = Branch.objects.filter(area_id__in=areas).select_related("area")
    if is_id(raw):
        branch = branches.filter(area_id=raw).first()
        if branch is None:
            raise Http404
        return branch
    branch = branches.order_by("area__name").first()
    if branch is None:
        raise Http404
    return branch


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    if not permissions.may_schedule(request.user) and permissions.may_hold_body_meetings(request.user):
        # The street admin and the leadership convene the street's bodies: pick one first.
        return redirect("branchwork:bodies")
    branch = _branch_for_secretary(request)
    estates = Estate.objects.filter(area_id=branch.area_id).order_by(*pinyin_order(Estate, "name"))
    members = BranchMember.objects.filter(branch=branch).order_by("membership", "name")
    initial = {
        "members": list(members.values_list("pk", flat=True)),
        "kind": request.GET.get("kind", "branch"),
    }
    form = MeetingForm(request.POST or None, estates=estates, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.user,
                branch=branch,
                kind=data["kind"],
                title=data["title"],
                agenda=data["agenda"],
                place=data["place"],
                starts_at=data["starts_at"],
                estates=data["estates"],
                members=data["members"],
                guests=data["guests"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会议已安排。"))
            return redirect("branchwork:meeting", meeting.pk)
    return render(
        request,
        "branchwork/meeting_form.html",
        {"nav_active": "branch_meetings", "form": form, "branch": branch},
    )


def _meeting(request, pk) -> Meeting:
    queryset = Meeting.objects.select_related("branch__area__street", "body", "street", "signed_off_by")
    return permissions.get_for_user(request.user, queryset, pk)


def organiser_estates(meeting: Meeting):
    """A branch meeting's estates are its area's; a body meeting's, its street's."""
    if meeting.branch_id is not None:
        return Estate.objects.filter(area_id=meeting.branch.area_id).order_by(*pinyin_order(Estate, "name"))
    return Estate.objects.filter(area__street_id=meeting.street_id).order_by(*pinyin_order(Estate, "name"))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    require_meeting_reader(request)
    meeting = _meeting(request, pk)
    permissions.require_meeting_manager(request.user, meeting)
    if meeting.locked:
        messages.error(request, _("会议已签发，出席和纪要已锁定；如需更正，请添加补充说明。"))
        return redirect("branchwork:meeting", meeting.pk)
    estates = organiser_estates(meeting)
    initial = {
        "title": meeting.title,
        "agenda": meeting.agenda,
        "place": meeting.place,
        "starts_at": timezone.localtime(meeting.starts_at),
        "estates": list(meeting.estates.all()),
    }
    form = MeetingForm(
        request.POST or None,
        estates=estates,
        members=BranchMember.objects.none(),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                agenda=data["agenda"],
                place=data["place"],
                starts_at=data["starts_at"],
                estates=data["estates"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("branchwork:meeting", meeting.pk)
    return render(
        request,
        "branchwork/meeting_form.html",
        {
            "nav_active": "branch_meetings",
            "form": form,
            "branch": meeting.branch,
            "body": meeting.body,
            "meeting": meeting,
        },
    )


def _meeting_context(request, meeting: Meeting) -> dict:
    invitees = list(meeting.invitees.all())
    resolutions = list(
        meeting.resolutions.select_related(
            "estate", "action__problem__category", "action__problem__company", "tracked"
        )
    )
    estates = organiser_estates(meeting)
    is_branch = meeting.branch_id is not None
    categories = street_categories(meeting.street_id) if is_branch else Category.objects.none()
    rating = getattr(meeting, "rating", None) if meeting.kind in PUBLIC_KINDS else None
    is_secretary = permissions.may_manage_meeting(request.user, meeting)
    return {
        "is_branch": is_branch,
        "today_iso": local_today().isoformat(),
        "nav_active": "branch_meetings",
        "meeting": meeting,
        "invitees": invitees,
        "voting": [i for i in invitees if not i.non_voting],
        "non_voting": [i for i in invitees if i.non_voting],
        "present": sum(1 for i in invitees if i.attendance == Attendance.PRESENT),
        "resolutions": resolutions,
        "addenda": list(meeting.addenda.all()),
        "estates_concerned": list(meeting.estates.all()),
        "is_secretary": is_secretary,
        "resolution_form": ResolutionForm(estates=estates, initial={"needs_action": True}),
        "hand_over_form": HandOverForm(categories=categories, estates=estates),
        "attendance_choices": Attendance.choices,
        "is_public_kind": meeting.kind in PUBLIC_KINDS,
        "is_oc": meeting.kind == MeetingKind.OWNERS_COMMITTEE,
        "rating": rating,
        "today": local_today(),
    }


@login_required
@require_safe
def meeting_detail(request, pk: int):
    require_meeting_reader(request)
    meeting = _meeting(request, pk)
    return render(request, "branchwork/meeting.html", _meeting_context(request, meeting))


MEETING_STEPS = (
    "attendance",
    "minutes",
    "resolution",
    "signoff",
    "addendum",
    "publish",
    "posted",
    "rating_open",
    "rating_close",
)


@login_required
@require_POST
def meeting_act(request, pk: int, step: str):
    require_meeting_reader(request)
    meeting = _meeting(request, pk)
    if step not in MEETING_STEPS:
        raise Http404
    permissions.require_meeting_manager(request.user, meeting)
    user, post = request.user, request.POST
    try:
        if step == "attendance":
            rows = {}
            for invitee in meeting.invitees.all():
                value = post.get(f"att-{invitee.pk}")
                if value is not None:
                    rows[invitee.pk] = (value, post.get(f"reason-{invitee.pk}", ""))
            services.meeting_record_attendance(actor=user, meeting=meeting, rows=rows)
            messages.success(request, _("出席情况已保存。"))
        elif step == "minutes":
            services.meeting_record_minutes(actor=user, meeting=meeting, minutes=post.get("minutes", ""))
            messages.success(request, _("会议纪要已保存。"))
        elif step == "resolution":
            form = ResolutionForm(post, estates=organiser_estates(meeting))
            if not form.is_valid():
                raise BranchworkError(_("请填写决议内容（1000 字以内），并从列表中选择小区。"))
            services.resolution_add(
                actor=user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                estate=form.cleaned_data["estate"],
                needs_action=form.cleaned_data["needs_action"],
            )
            messages.success(request, _("决议已添加。"))
        elif step == "signoff":
            services.meeting_sign_off(actor=user, meeting=meeting)
            messages.success(request, _("会议纪要已签发，出席和纪要已锁定。"))
        elif step == "addendum":
            services.addendum_add(actor=user, meeting=meeting, text=post.get("text", ""))
            messages.success(request, _("补充说明已添加。"))
        elif step == "publish":
            services.meeting_publish(actor=user, meeting=meeting, summary=post.get("summary", ""))
            messages.success(request, _("结果已在居民区公开页发布。"))
        elif step == "posted":
            try:
                day = dt.date.fromisoformat(post.get("posted_on", ""))
            except ValueError:
                raise BranchworkError(_("请填写有效的公告日期。")) from None
            services.oc_decisions_posted(actor=user, meeting=meeting, posted_on=day)
            messages.success(request, _("公告日期已登记。"))
        elif step in ("rating_open", "rating_close"):
            session = getattr(meeting, "rating", None)
            if session is None:
                raise BranchworkError(_("请先设置测评事项。"))
            services.rating_set_open(actor=user, session=session, is_open=step == "rating_open")
    except BranchworkError as exc:
        flash_error(request, exc)
    return redirect("branchwork:meeting", meeting.pk)


@login_required
@require_POST
def resolution_hand_over(request, pk: int):
    require_reader(request)
    queryset = Resolution.objects.select_related("meeting__branch__area", "estate")
    resolution = permissions.get_for_user(request.user, queryset, pk)
    if resolution.meeting.branch_id is None:
        raise Http404  # a body's resolutions become tracked actions, not problems
    area = resolution.meeting.branch.area
    permissions.require_secretary(request.user, area.pk)
    form = HandOverForm(
        request.POST,
        categories=Category.objects.filter(street_id=area.street_id),
        estates=Estate.objects.filter(area_id=area.pk),
    )
    if not form.is_valid():
        messages.error(request, _("请选择问题类别和小区。"))
    else:
        try:
            action, note = services.resolution_hand_over(
                actor=request.user,
                resolution=resolution,
                category=form.cleaned_data["category"],
                estate=form.cleaned_data["estate"],
            )
        except BranchworkError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("已转为问题 %(number)s。") % {"number": action.problem.number})
            if note:
                messages.warning(request, _("尚未派单：%(why)s") % {"why": note})
    return redirect("branchwork:meeting", resolution.meeting_id)


@login_required
@require_safe
def meeting_pdf(request, pk: int):
    require_meeting_reader(request)
    meeting = _meeting(request, pk)
    context = _meeting_context(request, meeting)
    context["generated_at"] = timezone.localtime()
    content = render_pdf("branchwork/pdf/minutes.html", context)
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return pdf_response(content, f"会议纪要-{day}-{meeting.title}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def rating_setup(request, pk: int):
    require_reader(request)
    meeting = _meeting(request, pk)
    if meeting.kind not in PUBLIC_KINDS:
        raise Http404
    permissions.require_secretary(request.user, meeting.branch.area_id)
    session = getattr(meeting, "rating", None)
    initial = {}
    if session is not None:
        initial = {
            "items": "\n".join(f"{i.group}:{i.label}" for i in session.items.all()),
            "tokens": session.tokens.count(),
        }
    form = RatingSetupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_setup(
                actor=request.user,
                meeting=meeting,
                items_text=form.cleaned_data["items"],
                token_count=form.cleaned_data["tokens"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("测评事项和测评票已生成。"))
            return redirect("branchwork:meeting", meeting.pk)
    return render(
        request,
        "branchwork/rating_setup.html",
        {"nav_active": "branch_meetings", "meeting": meeting, "form": form},
    )


@login_required
@require_safe
def rating_tokens(request, pk: int):
    """The slips handed out at the door: each with its single-use code and a QR code to the page."""
    require_reader(request)
    meeting = _meeting(request, pk)
    if meeting.branch_id is None:
        raise Http404
    permissions.require_secretary(request.user, meeting.branch.area_id)
    session = getattr(meeting, "rating", None)
    if session is None:
        raise Http404
    base = absolute_url(reverse("duty:rate", args=[session.code]))  # printed: the public address
    slips = [
        {"token": t.token, "used": t.used_at is not None, "qr": qr_svg(f"{base}?t={t.token}", scale=2)}
        for t in session.tokens.all()
    ]
    return render(
        request,
        "branchwork/rating_tokens.html",
        {
            "nav_active": "branch_meetings",
            "meeting": meeting,
            "session": session,
            "slips": slips,
            "url": base,
            "room_qr": qr_svg(base, scale=5),
        },
    )
