"""Office pages of the branch's work (mounted at /branch/) and the phone pages of the patrol.

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
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongzhi.branchwork import permissions, rules, selectors, services
from gongzhi.branchwork.forms import (
    DutyProfileForm,
    DutyShiftForm,
    FindingForm,
    HandOverForm,
    MeetingForm,
    PatrolStartForm,
    RatingSetupForm,
    ReceptionForm,
    ResolutionForm,
    RulesForm,
    SecurityLogForm,
)
from gongzhi.branchwork.models import (
    PUBLIC_KINDS,
    Attendance,
    DutyProfile,
    DutyShift,
    Meeting,
    MeetingKind,
    Patrol,
    PatrolFinding,
    Reception,
    Resolution,
    SecurityLog,
)
from gongzhi.branchwork.services import BranchworkError
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.pdf import pdf_response, qr_svg, render_pdf
from gongzhi.core.scopes import scope_for, visible
from gongzhi.core.validators import is_id
from gongzhi.problems.models import Category
from gongzhi.problems.services import category_defaults_ensure
from gongzhi.registry.models import Area, BranchMember, Contract, Estate, Street

PAGE_SIZE = 50


def _reader(request) -> None:
    permissions.require_branch_reader(request.user)


def _today() -> dt.date:
    return timezone.localdate()


def _week(request) -> dt.date:
    monday = rules.parse_week(request.GET.get("week", ""))
    return monday or rules.week_start(_today())


def _areas(user):
    scope = scope_for(user)
    q = Q(pk__in=scope.area_ids)
    if scope.street_ids:
        q |= Q(street_id__in=scope.street_ids)
    return Area.objects.filter(q).order_by("name")


def _chosen_area(request, *, write_roles=None) -> Area | None:
    """The area a page works on: ?area= among the visible ones, else the user's only area."""
    areas = _areas(request.user)
    raw = request.GET.get("area") or request.POST.get("area") or ""
    if is_id(raw):
        area = areas.filter(pk=raw).first()
        if area is None:
            raise Http404
        return area
    own = list(areas.filter(pk__in=scope_for(request.user).area_ids)[:2])
    return own[0] if len(own) == 1 else None


def _error(request, exc: BranchworkError) -> None:
    messages.error(request, exc.message)


# ---- home and compliance -----------------------------------------------------------------------------


@login_required
@require_safe
def home(request):
    user = request.user
    if not permissions.is_branch_reader(user):
        if permissions.is_company_staff(user):
            return redirect("branchwork:security")
        raise PermissionDenied
    scope = scope_for(user)
    if scope.street_ids:
        return redirect("branchwork:compliance")
    monday = rules.week_start(_today())
    weeks = selectors.compliance(selectors.branches_for(user), monday, _today())
    meetings = (
        visible(user, Meeting)
        .filter(starts_at__gte=timezone.now() - dt.timedelta(days=1))
        .select_related("branch__area")
        .order_by("starts_at")[:5]
    )
    open_patrol = Patrol.objects.filter(recorded_by=user, ended_at__isnull=True).first()
    return render(
        request,
        "branchwork/home.html",
        {
            "nav_active": "branch_home",
            "weeks": weeks,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "upcoming": meetings,
            "open_patrol": open_patrol,
            "can_schedule": permissions.may_schedule(user),
        },
    )


def _week_nav(monday: dt.date) -> dict:
    return {
        "week": rules.week_label(monday),
        "prev_week": rules.week_label(monday - dt.timedelta(days=7)),
        "next_week": rules.week_label(monday + dt.timedelta(days=7)),
        "this_week": rules.week_label(rules.week_start(_today())),
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
    }


@login_required
@require_safe
def compliance(request):
    _reader(request)
    monday = _week(request)
    rows = selectors.compliance(selectors.branches_for(request.user), monday, _today())
    summary = {
        "branches": len(rows),
        "patrol_behind": sum(1 for r in rows if r.patrols.gap),
        "meeting_behind": sum(1 for r in rows if r.meetings.gap),
        "oc_overdue": sum(r.committees_overdue for r in rows),
    }
    return render(
        request,
        "branchwork/compliance.html",
        {"nav_active": "branch_compliance", "rows": rows, "summary": summary, **_week_nav(monday)},
    )


@login_required
@require_safe
def compliance_export(request):
    _reader(request)
    monday = _week(request)
    rows = selectors.compliance(selectors.branches_for(request.user), monday, _today())
    states = {"ok": _("达标"), "behind": _("未达标"), "open": _("进行中")}
    sheet = SheetSpec(
        title=_("支部工作节奏"),
        columns=[
            ColumnSpec(_("周")),
            ColumnSpec(_("居民区")),
            ColumnSpec(_("支部")),
            ColumnSpec(_("成员数")),
            ColumnSpec(_("日巡完成")),
            ColumnSpec(_("日巡应完成(截至昨日)")),
            ColumnSpec(_("日巡缺")),
            ColumnSpec(_("日巡全周要求")),
            ColumnSpec(_("日巡状态")),
            ColumnSpec(_("支部会议")),
            ColumnSpec(_("支部会议要求")),
            ColumnSpec(_("会议状态")),
            ColumnSpec(_("业委会超期未开会")),
            ColumnSpec(_("业委会决定未按时公告")),
        ],
        rows=[
            [
                rules.week_label(monday),
                r.branch.area.name,
                r.branch.name,
                r.members,
                r.patrols.done,
                r.patrols.due,
                r.patrols.gap,
                r.patrols.required,
                states[r.patrols.state],
                r.meetings.done,
                r.meetings.required,
                states[r.meetings.state],
                r.committees_overdue,
                r.postings_bad,
            ]
            for r in rows
        ],
    )
    return xlsx_response(build_workbook([sheet]), f"支部工作节奏-{rules.week_label(monday)}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request):
    scope = scope_for(request.user)
    if not scope.admin_street_ids:
        raise PermissionDenied
    street = Street.objects.filter(pk__in=scope.admin_street_ids).order_by("pk").first()
    rule = services.rhythm_rule_for(street.pk)
    initial = {
        "patrol_days_per_week": rule.patrol_days_per_week,
        "branch_meetings_per_week": rule.branch_meetings_per_week,
        "oc_meeting_interval_months": rule.oc_meeting_interval_months,
        "oc_decision_post_days": rule.oc_decision_post_days,
    }
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rhythm_rule_update(actor=request.user, street=street, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("工作节奏规则已保存。"))
            return redirect("branchwork:rules")
    return render(
        request, "branchwork/rules.html", {"nav_active": "branch_rules", "form": form, "street": street}
    )


# ---- meetings --------------------------------------------------------------------------------------


@login_required
@require_safe
def meeting_list(request):
    _reader(request)
    meetings = (
        visible(request.user, Meeting)
        .select_related("branch__area")
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
    page = Paginator(meetings.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("kind", kind), ("area", area)) if v})
    return render(
        request,
        "branchwork/meetings.html",
        {
            "nav_active": "branch_meetings",
            "page": page,
            "kinds": MeetingKind.choices,
            "kind": kind,
            "areas": _areas(request.user),
            "area": area,
            "query": query,
            "can_schedule": permissions.may_schedule(request.user),
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
    branch = _branch_for_secretary(request)
    estates = Estate.objects.filter(area_id=branch.area_id).order_by("name")
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
    queryset = Meeting.objects.select_related("branch__area__street", "signed_off_by")
    return permissions.get_for_user(request.user, queryset, pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    _reader(request)
    meeting = _meeting(request, pk)
    permissions.require_secretary(request.user, meeting.branch.area_id)
    if meeting.locked:
        messages.error(request, _("会议已签发,出席和纪要已锁定;如需更正,请添加补充说明。"))
        return redirect("branchwork:meeting", meeting.pk)
    estates = Estate.objects.filter(area_id=meeting.branch.area_id).order_by("name")
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
        {"nav_active": "branch_meetings", "form": form, "branch": meeting.branch, "meeting": meeting},
    )


def _meeting_context(request, meeting: Meeting) -> dict:
    invitees = list(meeting.invitees.all())
    resolutions = list(
        meeting.resolutions.select_related("estate", "action__problem__category", "action__problem__company")
    )
    estates = Estate.objects.filter(area_id=meeting.branch.area_id).order_by("name")
    categories = _categories(meeting.branch.area.street_id)
    rating = getattr(meeting, "rating", None) if meeting.kind in PUBLIC_KINDS else None
    is_secretary = permissions.is_secretary_of(request.user, meeting.branch.area_id)
    return {
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
        "today": _today(),
    }


@login_required
@require_safe
def meeting_detail(request, pk: int):
    _reader(request)
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
    _reader(request)
    meeting = _meeting(request, pk)
    if step not in MEETING_STEPS:
        raise Http404
    permissions.require_secretary(request.user, meeting.branch.area_id)
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
            form = ResolutionForm(post, estates=Estate.objects.filter(area_id=meeting.branch.area_id))
            if not form.is_valid():
                raise BranchworkError(_("请填写决议内容(1000 字以内),并从列表中选择小区。"))
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
            messages.success(request, _("会议纪要已签发,出席和纪要已锁定。"))
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
        _error(request, exc)
    return redirect("branchwork:meeting", meeting.pk)


@login_required
@require_POST
def resolution_hand_over(request, pk: int):
    _reader(request)
    queryset = Resolution.objects.select_related("meeting__branch__area", "estate")
    resolution = permissions.get_for_user(request.user, queryset, pk)
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
            _error(request, exc)
        else:
            messages.success(request, _("已转为问题 %(number)s。") % {"number": action.problem.number})
            if note:
                messages.warning(request, _("尚未派单:%(why)s") % {"why": note})
    return redirect("branchwork:meeting", resolution.meeting_id)


@login_required
@require_safe
def meeting_pdf(request, pk: int):
    _reader(request)
    meeting = _meeting(request, pk)
    context = _meeting_context(request, meeting)
    context["generated_at"] = timezone.localtime()
    content = render_pdf("branchwork/pdf/minutes.html", context)
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return pdf_response(content, f"会议纪要-{day}-{meeting.title}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def rating_setup(request, pk: int):
    _reader(request)
    meeting = _meeting(request, pk)
    permissions.require_secretary(request.user, meeting.branch.area_id)
    if meeting.kind not in PUBLIC_KINDS:
        raise Http404
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
    _reader(request)
    meeting = _meeting(request, pk)
    permissions.require_secretary(request.user, meeting.branch.area_id)
    session = getattr(meeting, "rating", None)
    if session is None:
        raise Http404
    base = request.build_absolute_uri(reverse("duty:rate", args=[session.code]))
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


# ---- patrols ---------------------------------------------------------------------------------------


def _categories(street_id: int):
    street = Street.objects.get(pk=street_id)
    category_defaults_ensure(street=street)
    return Category.objects.filter(street_id=street_id)


@login_required
@require_safe
def patrol_list(request):
    """The day's patrol sheet: every patrol of that day in the user's branches, with its findings."""
    _reader(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else _today()
    except ValueError:
        day = _today()
    if not dt.date(1970, 1, 1) <= day <= dt.date(2100, 12, 31):
        day = _today()  # 0001-01-01 has no previous day to link to: an OverflowError, not a sheet
    patrols = (
        visible(request.user, Patrol)
        .filter(day=day)
        .select_related("member", "branch__area")
        .prefetch_related(
            "estates",
            Prefetch("findings", queryset=PatrolFinding.objects.select_related("problem", "estate")),
        )
        .order_by("branch__area__name", "member__name", "started_at")
    )
    area = request.GET.get("area", "")
    if is_id(area):
        patrols = patrols.filter(branch__area_id=area)
    patrols = list(patrols[:500])
    # The sheet of one member (printable): chosen among those who patrolled that day.
    members = sorted({(p.member_id, p.member.name) for p in patrols}, key=lambda m: m[1])
    member = request.GET.get("member", "")
    if is_id(member):
        patrols = [p for p in patrols if p.member_id == int(member)]
    return render(
        request,
        "branchwork/patrols.html",
        {
            "nav_active": "branch_patrols",
            "patrols": patrols,
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "areas": _areas(request.user),
            "area": area,
            "members": members,
            "member": member,
            "can_patrol": permissions.may_patrol(request.user),
            "print": request.GET.get("print") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrol_start(request):
    user = request.user
    if not permissions.may_patrol(user):
        raise PermissionDenied
    running = Patrol.objects.filter(recorded_by=user, ended_at__isnull=True).first()
    if running is not None:
        return redirect("branchwork:patrol", running.pk)
    area_ids = scope_for(user).area_ids
    members = (
        BranchMember.objects.filter(branch__area_id__in=area_ids).select_related("branch").order_by("name")
    )
    estates = Estate.objects.filter(area_id__in=area_ids).order_by("name")
    # Preselect the member this login belongs to: demo and real logins show "姓名(职务)".
    label = user.display_name or user.get_full_name()
    me = next((mb for mb in members if label and label.startswith(mb.name)), None)
    form = PatrolStartForm(request.POST or None, members=members, estates=estates, initial={"member": me})
    if request.method == "POST" and form.is_valid():
        try:
            patrol = services.patrol_start(
                actor=user,
                member=form.cleaned_data["member"],
                estates=form.cleaned_data["estates"],
                route_note=form.cleaned_data["route_note"],
            )
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("branchwork:patrol", patrol.pk)
    return render(request, "branchwork/patrol_start.html", {"form": form})


def _own_patrol(request, pk) -> Patrol:
    _reader(request)
    patrol = permissions.get_for_user(
        request.user,
        Patrol.objects.select_related("member", "branch__area"),
        pk,
        require=lambda u, p: p.recorded_by_id == u.pk,
    )
    return patrol


@login_required
@require_safe
def patrol_detail(request, pk: int):
    _reader(request)
    patrol = permissions.get_for_user(
        request.user, Patrol.objects.select_related("member", "branch__area"), pk
    )
    if patrol.recorded_by_id != request.user.pk:
        return redirect(reverse("branchwork:patrols") + f"?day={patrol.day.isoformat()}")
    estates = Estate.objects.filter(area_id=patrol.branch.area_id).order_by("name")
    covered = list(patrol.estates.all())
    form = FindingForm(
        categories=_categories(patrol.branch.area.street_id),
        estates=estates,
        initial={"estate": covered[0] if covered else None},
    )
    findings = list(patrol.findings.select_related("problem", "estate"))
    return render(
        request,
        "branchwork/patrol.html",
        {"patrol": patrol, "form": form, "findings": findings, "covered": covered},
    )


@login_required
@require_POST
def patrol_finding(request, pk: int):
    patrol = _own_patrol(request, pk)
    form = FindingForm(
        request.POST,
        categories=_categories(patrol.branch.area.street_id),
        estates=Estate.objects.filter(area_id=patrol.branch.area_id),
    )
    if not form.is_valid():
        messages.error(request, _("请选择类别和小区,并用一句话写明发现的问题。"))
    else:
        try:
            finding = services.patrol_add_finding(
                actor=request.user,
                patrol=patrol,
                estate=form.cleaned_data["estate"],
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                photos=request.FILES.getlist("photos"),
            )
        except BranchworkError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已登记为问题 %(number)s。") % {"number": finding.problem.number})
    return redirect("branchwork:patrol", patrol.pk)


@login_required
@require_POST
def patrol_end(request, pk: int):
    patrol = _own_patrol(request, pk)
    try:
        services.patrol_end(actor=request.user, patrol=patrol, summary=request.POST.get("summary", ""))
    except BranchworkError as exc:
        _error(request, exc)
        return redirect("branchwork:patrol", patrol.pk)
    messages.success(request, _("巡查已结束。"))
    return redirect("branchwork:patrol", patrol.pk)


# ---- security log ----------------------------------------------------------------------------------


def _company_estates(user):
    company_ids = scope_for(user).company_ids
    return Estate.objects.filter(
        pk__in=Contract.objects.active().filter(company_id__in=company_ids).values("estate_id")
    ).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def security_log(request):
    user = request.user
    if not permissions.may_read_security_log(user):
        raise PermissionDenied
    writable = _company_estates(user) if permissions.is_company_staff(user) else Estate.objects.none()
    form = None
    if writable.exists():
        form = SecurityLogForm(request.POST or None, estates=writable, initial={"day": _today()})
        if request.method == "POST" and form.is_valid():
            try:
                services.security_log_write(actor=user, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已保存。"))
                return redirect("branchwork:security")
    elif request.method == "POST":
        raise PermissionDenied
    logs = visible(user, SecurityLog).select_related("estate__area")
    estate = request.GET.get("estate", "")
    if is_id(estate):
        logs = logs.filter(estate_id=estate)
    page = Paginator(logs.order_by("-day", "estate__name", "shift"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "branchwork/security.html",
        {
            "nav_active": "branch_security",
            "page": page,
            "form": form,
            "estates": visible(user, Estate)
            .filter(pk__in=visible(user, SecurityLog).values("estate_id"))
            .order_by("name"),
            "estate": estate,
            "query": urlencode({"estate": estate}) if estate else "",
            "comment_area_ids": scope_for(user).area_ids,
        },
    )


@login_required
@require_POST
def security_comment(request, pk: int):
    if not permissions.may_read_security_log(request.user):
        raise PermissionDenied
    log = permissions.get_for_user(request.user, SecurityLog.objects.select_related("estate__area"), pk)
    permissions.require_branch_member(request.user, log.estate.area_id)
    try:
        services.security_log_comment(actor=request.user, log=log, comment=request.POST.get("comment", ""))
    except BranchworkError as exc:
        _error(request, exc)
    return redirect("branchwork:security")


# ---- duty roster -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def duty_roster(request):
    _reader(request)
    area = _chosen_area(request)
    today = _today()
    context = {"nav_active": "branch_duty", "areas": _areas(request.user), "area": area, "today": today}
    if area is None:
        return render(request, "branchwork/duty.html", context)
    members = BranchMember.objects.filter(branch__area=area).order_by("membership", "name")
    is_secretary = permissions.is_secretary_of(request.user, area.pk)
    form = DutyShiftForm(request.POST or None, members=members, initial={"day": today})
    if request.method == "POST":
        if not is_secretary:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.duty_shift_add(actor=request.user, area=area, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("值班已安排。"))
                return redirect(reverse("branchwork:duty") + f"?area={area.pk}")
    shifts = (
        DutyShift.objects.filter(
            area=area, day__gte=today - dt.timedelta(days=7), day__lte=today + dt.timedelta(days=30)
        )
        .select_related("member__duty_profile")
        .order_by("day", "member__name")
    )
    context.update(
        {
            "shifts": shifts,
            "members": members.select_related("duty_profile"),
            "form": form if is_secretary else None,
            "is_secretary": is_secretary,
            "public_url": request.build_absolute_uri(reverse("duty:board", args=[area.pk])),
        }
    )
    return render(request, "branchwork/duty.html", context)


@login_required
@require_POST
def duty_remove(request, pk: int):
    _reader(request)
    shift = permissions.get_for_user(request.user, DutyShift.objects.select_related("area", "member"), pk)
    permissions.require_secretary(request.user, shift.area_id)
    services.duty_shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("值班已删除。"))
    return redirect(reverse("branchwork:duty") + f"?area={shift.area_id}")


@login_required
@require_http_methods(["GET", "POST"])
def duty_profile(request, member_pk: int):
    _reader(request)
    member = permissions.get_for_user(
        request.user, BranchMember.objects.select_related("branch__area"), member_pk
    )
    if member.branch.area_id not in {a.pk for a in _areas(request.user)}:
        raise Http404
    permissions.require_secretary(request.user, member.branch.area_id)
    profile = DutyProfile.objects.filter(member=member).first()
    initial = (
        {"role_label": profile.role_label, "commitment": profile.commitment, "duties": profile.duties}
        if profile
        else {"role_label": member.position, "commitment": _("亮身份、亮承诺、亮职责,有问必答,事事有回音。")}
    )
    form = DutyProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_profile_save(actor=request.user, member=member, **form.cleaned_data)
        except BranchworkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("值班公示信息已保存。"))
            return redirect(reverse("branchwork:duty") + f"?area={member.branch.area_id}")
    return render(
        request,
        "branchwork/duty_profile.html",
        {"nav_active": "branch_duty", "member": member, "profile": profile, "form": form},
    )


# ---- reception -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reception_list(request):
    _reader(request)
    user = request.user
    own_areas = Area.objects.filter(pk__in=scope_for(user).area_ids).order_by("name")
    area = own_areas.first() if own_areas.count() == 1 else None
    form = None
    if area is not None:
        form = ReceptionForm(request.POST or None, estates=Estate.objects.filter(area=area).order_by("name"))
        if request.method == "POST" and form.is_valid():
            try:
                services.reception_record(actor=user, area=area, **form.cleaned_data)
            except BranchworkError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("接待记录已保存。"))
                return redirect("branchwork:receptions")
    elif request.method == "POST":
        raise PermissionDenied
    receptions = (
        visible(user, Reception).select_related("area", "estate", "problem").prefetch_related("area__estates")
    )
    page = Paginator(receptions.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "branchwork/receptions.html",
        {
            "nav_active": "branch_receptions",
            "page": page,
            "form": form,
            "area": area,
            "categories": _categories(area.street_id) if area else Category.objects.none(),
            "member_area_ids": scope_for(user).area_ids,
        },
    )


@login_required
@require_POST
def reception_problem(request, pk: int):
    _reader(request)
    reception = permissions.get_for_user(request.user, Reception.objects.select_related("area"), pk)
    permissions.require_branch_member(request.user, reception.area_id)
    category = Category.objects.filter(
        street_id=reception.area.street_id, pk=request.POST.get("category") or 0
    ).first()
    estate = Estate.objects.filter(area_id=reception.area_id, pk=request.POST.get("estate") or 0).first()
    if category is None:
        messages.error(request, _("请选择问题类别。"))
    else:
        try:
            problem = services.reception_to_problem(
                actor=request.user, reception=reception, category=category, estate=estate
            )
        except BranchworkError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已转为问题 %(number)s。") % {"number": problem.number})
    return redirect("branchwork:receptions")
