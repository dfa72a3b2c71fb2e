"""The public problem board of each estate: no login, a phone page anyone can open.

The line between public and internal is drawn here and nowhere else: the board shows each
problem's number, category, building number, status, age and deadline, and the evidence
photos of closed problems. It never shows who reported, the free-text description or
location (they may hold names, phone numbers or a flat), report photos (they may show
residents or their homes), or rejected reports."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from gongzhi.core.publicpages import estate_mark, public_page
from gongzhi.core.uploads import serve_upload
from gongzhi.problems.models import OPEN_STATUSES, Problem, ProblemPhoto, Status
from gongzhi.registry.models import Estate

BOARD_LIMIT = 100  # newest problems listed; the counts cover all of them
PHOTO_MAX_AGE = 300  # seconds a browser or proxy may keep a public photo

# The board's tabs: key → the statuses it lists (rejected reports are never public).
IN_PROGRESS = (Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED)
TABS = {
    "reported": (Status.REPORTED,),
    "in_progress": IN_PROGRESS,
    "closed": (Status.CLOSED,),
}
# Only these columns are read: nothing personal reaches the template, even by accident.
PUBLIC_FIELDS = (
    "number",
    "estate_id",
    "building__number",
    "category__name",
    "status",
    "urgent",
    "carriage",
    "company__name",
    "residents_committee__name",
    "deadline",
    "deadline_provisional",
    "created_at",
    "closed_at",
)


def public_problems(estate: Estate):
    return Problem.objects.filter(estate=estate).exclude(status=Status.REJECTED)


@require_safe
@public_page(mark=estate_mark, params=("s",))
def board(request, estate_id: int):
    estate = get_object_or_404(Estate.objects.select_related("area"), pk=estate_id)
    today = timezone.localdate()
    shown = public_problems(estate)
    counts = shown.aggregate(
        reported=Count("pk", filter=Q(status=Status.REPORTED)),
        in_progress=Count("pk", filter=Q(status__in=IN_PROGRESS)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
    )
    tab = request.GET.get("s", "")
    listed = shown
    if tab in TABS:
        listed = listed.filter(status__in=TABS[tab])
    elif tab == "overdue":
        listed = listed.overdue(today)
    else:
        tab = ""
    evidence = ProblemPhoto.objects.filter(
        kind=ProblemPhoto.Kind.EVIDENCE, problem__status=Status.CLOSED
    ).only("pk", "problem_id", "width", "height")
    problems = list(
        listed.select_related("building", "category", "company", "residents_committee")
        .only(*PUBLIC_FIELDS)
        .prefetch_related(Prefetch("photos", queryset=evidence, to_attr="evidence"))
        .order_by("-created_at", "-pk")[:BOARD_LIMIT]
    )
    for problem in problems:
        reported_on = timezone.localtime(problem.created_at).date()
        until = timezone.localtime(problem.closed_at).date() if problem.closed_at else today
        problem.age_days = (until - reported_on).days
    total = sum(counts[key] for key in ("reported", "in_progress", "closed"))
    listed_total = counts[tab] if tab else total
    return render(
        request,
        "problems/board.html",
        {
            "estate": estate,
            "counts": counts,
            "problems": problems,
            "tab": tab,
            "truncated": listed_total > len(problems),
            "limit": BOARD_LIMIT,
        },
    )


@require_safe
def photo(request, pk: int):
    """An evidence photo of a problem that is not rejected. Report photos are 404 here: they can
    show residents or the inside of a home, and only the office and the reporter see them."""
    queryset = ProblemPhoto.objects.filter(kind=ProblemPhoto.Kind.EVIDENCE).exclude(
        problem__status=Status.REJECTED
    )
    item = get_object_or_404(queryset, pk=pk)
    return serve_upload(
        item.image,
        content_type="image/jpeg",
        filename=f"{item.pk}.jpg",
        cache_control=f"public, max-age={PHOTO_MAX_AGE}",
    )
