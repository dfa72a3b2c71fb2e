"""Public pages of the branch (mounted at /duty/, no login, phone first): the area's duty board
(今天我接待) with today's members on duty and published hearing/forum outcomes, the outcome page,
and the on-the-spot anonymous rating with its live tally.

Only what the board is meant to show reaches these templates: a member's name, public role,
commitment, duties and photo (亮身份、亮承诺、亮职责) — never phone numbers — and only meetings
whose outcome the secretary published."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gongzhi.branchwork import selectors, services
from gongzhi.branchwork.models import (
    PUBLIC_KINDS,
    DutyProfile,
    DutyShift,
    Meeting,
    RatingLevel,
    RatingSession,
)
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.publicpages import area_mark, public_page
from gongzhi.core.uploads import serve_upload
from gongzhi.core.validators import is_id, parse_id
from gongzhi.registry.models import Area, Estate

OUTCOMES_SHOWN = 5


def published_meetings(area_id: int):
    return Meeting.objects.filter(
        branch__area_id=area_id, kind__in=PUBLIC_KINDS, published_at__isnull=False, cancelled=False
    )


@require_safe
@public_page(mark=area_mark)
def board(request, area_id: int):
    area = get_object_or_404(Area.objects.select_related("street"), pk=area_id)
    today = timezone.localdate()
    shifts = (
        DutyShift.objects.filter(area=area, day=today)
        .select_related("member__duty_profile")
        .order_by("member__membership", "member__name")
    )
    on_duty = [
        {
            "name": s.member.name,
            "profile": getattr(s.member, "duty_profile", None),
            "position": s.member.position,
        }
        for s in shifts
    ]
    outcomes = published_meetings(area.pk).order_by("-starts_at")[:OUTCOMES_SHOWN]
    estates = area.estates.order_by(*pinyin_order(Estate, "name"))
    return render(
        request,
        "branchwork/public/board.html",
        {"area": area, "today": today, "on_duty": on_duty, "outcomes": outcomes, "estates": estates},
    )


@require_safe
def photo(request, pk: int):
    profile = get_object_or_404(DutyProfile, pk=pk)
    if not profile.photo:
        raise Http404
    return serve_upload(
        profile.photo,
        content_type="image/jpeg",
        filename=f"{profile.pk}.jpg",
        cache_control="public, max-age=300",
    )


@require_safe
@public_page(mark=selectors.outcome_mark)
def outcome(request, pk: int):
    meeting = get_object_or_404(published_meetings_all().select_related("branch__area"), pk=pk)
    session = RatingSession.objects.filter(meeting=meeting).first()
    result = selectors.rating_result(session) if session and session.ballots.exists() else None
    return render(
        request, "branchwork/public/outcome.html", {"meeting": meeting, "result": result, "session": session}
    )


def published_meetings_all():
    return Meeting.objects.filter(kind__in=PUBLIC_KINDS, published_at__isnull=False, cancelled=False)


def _session(code: str) -> RatingSession:
    return get_object_or_404(RatingSession.objects.select_related("meeting__branch__area"), code=code.upper())


@require_http_methods(["GET", "POST"])
def rate(request, code: str):
    """The sheet an attendee fills on their phone: the slip's code, then one choice per item."""
    session = _session(code)
    items = list(session.items.all())
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    token = request.POST.get("token") or request.GET.get("t") or ""
    chosen: dict[int, int] = {}
    error = ""
    if request.method == "POST":
        for item in items:
            value = request.POST.get(f"item-{item.pk}", "")
            if is_id(value):
                chosen[item.pk] = parse_id(value)
        try:
            services.rating_submit(session=session, token=token, levels=chosen)
        except services.BranchworkError as exc:
            error = exc.message
        else:
            return redirect("duty:result", session.code)
    return render(
        request,
        "branchwork/public/rate.html",
        {
            "session": session,
            "meeting": session.meeting,
            "groups": [(g, [(i, chosen.get(i.pk)) for i in its]) for g, its in groups.items()],
            "levels": RatingLevel.choices,
            "token": token,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_safe
@public_page(mark=selectors.rating_mark, htmx=True)
def result(request, code: str):
    """The live tally shown in the room; htmx reloads the fragment every few seconds."""
    session = _session(code)
    context = {"session": session, "meeting": session.meeting, "result": selectors.rating_result(session)}
    if request.headers.get("HX-Request"):
        return render(request, "branchwork/public/_result.html", context)
    context["page_title"] = _("现场测评结果")
    return render(request, "branchwork/public/result.html", context)
