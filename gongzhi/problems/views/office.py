"""Office pages for problems (mounted at /problems/): the list with filters and Excel export,
statistics, the detail page with the actions the user may take now, office filing, category
settings and the private photo download.

Thin: reads go through ``selectors`` / ``permissions.get_problem_for_user`` (the one door) and
writes through ``services``. The office pages are for office roles; a resident (even the
reporter) follows their problem on the portal page instead, so owners get 403 here, like on the
registry lists. Photos are the exception: they are served to anyone who may read the problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import charts
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.scopes import scope_for, streets_run_by, visible
from gongzhi.core.uploads import serve_upload
from gongzhi.core.validators import is_id, parse_id
from gongzhi.core.workdays import working_days_between
from gongzhi.jobs.exports import export_direct_max, export_enqueue
from gongzhi.problems import permissions, rules, selectors, services
from gongzhi.problems.forms import ACTION_FORMS, CategoryForm, ProblemCreateForm
from gongzhi.problems.models import (
    Carriage,
    Category,
    Problem,
    ProblemEvent,
    ProblemPhoto,
    Source,
    Status,
)
from gongzhi.registry.models import Area, Company, Contract, Estate, Street

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000
OFFICE_ACTIONS = ("accept", "reject", "progress", "submit", "send_back", "close")

STATUS_COLOURS = {
    Status.REPORTED: "amber",
    Status.REJECTED: "",
    Status.ASSIGNED: "blue",
    Status.IN_PROGRESS: "blue",
    Status.SUBMITTED: "amber",
    Status.CLOSED: "green",
}


def _require_office(request) -> None:
    if not scope_for(request.user).is_office:
        raise PermissionDenied


# ---- what a row or the detail page shows about the deadline ---------------------------------------


@dataclass(frozen=True)
class Clock:
    overdue_days: int = 0  # calendar days past the deadline (open problems only)
    working_days_left: int | None = None  # open and not overdue


def clock(problem: Problem, today: dt.date) -> Clock:
    if problem.deadline is None or problem.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
        return Clock()
    if rules.is_overdue(status=problem.status, deadline=problem.deadline, today=today):
        return Clock(overdue_days=(today - problem.deadline).days)
    return Clock(working_days_left=working_days_between(today, problem.deadline))


@dataclass(frozen=True)
class Row:
    problem: Problem
    clock: Clock
    status_colour: str


def _rows(problems, today: dt.date) -> list[Row]:
    return [Row(p, clock(p, today), STATUS_COLOURS.get(p.status, "")) for p in problems]


# ---- list ------------------------------------------------------------------------------------------

STATUS_FILTER_CHOICES = [(selectors.ACTIVE, gettext_lazy("未办结")), *Status.choices]
OVERDUE_CHOICES = [("yes", gettext_lazy("当前超期")), ("ever", gettext_lazy("曾超期"))]

MENU_KEYS = ("area", "estate", "company", "category", "status", "source", "overdue", "urgent")
MENU_LABELS = {
    "area": gettext_lazy("居民区"),
    "estate": gettext_lazy("小区"),
    "company": gettext_lazy("物业公司"),
    "category": gettext_lazy("类别"),
    "status": gettext_lazy("状态"),
    "source": gettext_lazy("来源"),
    "overdue": gettext_lazy("超期"),
    "urgent": gettext_lazy("紧急"),
}
FIXED_MENUS = {
    "status": STATUS_FILTER_CHOICES,
    "source": Source.choices,
    "overdue": OVERDUE_CHOICES,
    "urgent": [("yes", gettext_lazy("仅紧急"))],
}

COLUMNS = [  # (label, sort key or "")
    (gettext_lazy("编号"), "number"),
    (gettext_lazy("小区"), "estate"),
    (gettext_lazy("类别"), "category"),
    (gettext_lazy("问题描述"), ""),
    (gettext_lazy("来源"), ""),
    (gettext_lazy("状态"), "status"),
    (gettext_lazy("责任方"), ""),
    (gettext_lazy("整改期限"), "deadline"),
    (gettext_lazy("报告时间"), "created"),
]


def _menus(request, applied: dict[str, str], keys: tuple[str, ...] = MENU_KEYS) -> list[dict]:
    """The toolbar's drop-downs, each offering only what the user may see."""
    user = request.user

    def choices(key: str) -> list[tuple[str, str]]:
        if key == "area":
            return [(str(a.pk), a.name) for a in visible(user, Area).order_by("name")[:500]]
        if key == "estate":
            estates = visible(user, Estate).order_by("area__name", "name")
            if is_id(applied.get("area", "")):
                estates = estates.filter(area_id=parse_id(applied["area"]))
            return [(str(e.pk), e.name) for e in estates[:500]]
        if key == "company":
            return [(str(c.pk), c.name) for c in visible(user, Company).order_by("name")[:500]]
        if key == "category":
            return [(str(c.pk), c.name) for c in selectors.categories_for(user)[:200]]
        return [(value, str(label)) for value, label in FIXED_MENUS[key]]

    return [
        {"key": key, "label": MENU_LABELS[key], "choices": choices(key), "value": applied.get(key, "")}
        for key in keys
    ]


def _listed(request):
    queryset, applied = selectors.filter_problems(selectors.problems_for(request.user), request.GET)
    queryset, order = selectors.sort_problems(queryset, request.GET.get("o", ""))
    return queryset, applied, order


@login_required
def problem_list(request):
    _require_office(request)
    queryset, applied, order = _listed(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {**applied, **({"o": order} if order != selectors.DEFAULT_SORT else {})}
    headers = []
    for label, key in COLUMNS:
        link = arrow = ""
        if key:
            link = "?" + urlencode({**applied, "o": f"-{key}" if order == key else key})
            arrow = "▲" if order == key else ("▼" if order == f"-{key}" else "")
        headers.append({"label": label, "link": link, "arrow": arrow})
    context = {
        "page": page,
        "rows": _rows(page.object_list, timezone.localdate()),
        "headers": headers,
        "menus": _menus(request, applied),
        "text": applied.get("q", ""),
        "order": order if order != selectors.DEFAULT_SORT else "",
        "query": urlencode(params),
        "filtered": bool(applied),
        "can_file": bool(selectors.estates_for_filing(request.user)),
        "nav_active": "problems",
    }
    htmx = getattr(request, "htmx", None)
    template = "problems/_results.html" if htmx and htmx.target == "results" else "problems/list.html"
    return render(request, template, context)


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the local wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


@login_required
def problem_export(request):
    """The list as filtered and sorted on screen, as .xlsx: numbers as numbers, dates as dates."""
    _require_office(request)
    queryset, _applied, _order = _listed(request)
    if queryset[: export_direct_max() + 1].count() > export_direct_max():
        # A large list is written by the worker, with a progress bar; the file is on the job's page.
        job = export_enqueue(task="problems.export", user=request.user, query=request.GET.urlencode())
        return redirect("jobs:detail", job.pk)
    sheet, filename = export_sheet(queryset)
    return xlsx_response(build_workbook([sheet]), filename)


def export_sheet(queryset, rows=None) -> tuple[SheetSpec, str]:
    """The problems export: its columns, one row per problem of ``queryset``, and the file's name.
    ``rows`` wraps the row iterator (the export job counts them for its progress bar)."""
    today = timezone.localdate()
    columns = [
        ColumnSpec(_("编号")),
        ColumnSpec(_("居民区")),
        ColumnSpec(_("小区")),
        ColumnSpec(_("楼栋")),
        ColumnSpec(_("位置")),
        ColumnSpec(_("类别")),
        ColumnSpec(_("紧急")),
        ColumnSpec(_("来源")),
        ColumnSpec(_("状态")),
        ColumnSpec(_("责任方")),
        ColumnSpec(_("责任单位")),
        ColumnSpec(_("问题描述"), width=50),
        ColumnSpec(_("报告时间"), number_format="yyyy-mm-dd hh:mm"),
        ColumnSpec(_("受理时间"), number_format="yyyy-mm-dd hh:mm"),
        ColumnSpec(_("整改期限"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("期限暂定")),
        ColumnSpec(_("超期天数"), number_format="0"),
        ColumnSpec(_("首次超期日期"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("销项时间"), number_format="yyyy-mm-dd hh:mm"),
        ColumnSpec(_("销项用时（天）"), number_format="0.0"),
        ColumnSpec(_("评价"), number_format="0"),
        ColumnSpec(_("重新打开次数"), number_format="0"),
    ]
    yes, no = _("是"), _("否")

    def values():
        for p in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            days_to_close = (
                round((p.closed_at - p.created_at).total_seconds() / 86400, 1)
                if p.status == Status.CLOSED and p.closed_at
                else None
            )
            yield [
                p.number,
                p.estate.area.name,
                p.estate.name,
                p.building.number if p.building else "",
                p.location,
                p.category.name,
                yes if p.urgent else no,
                p.get_source_display(),
                p.get_status_display(),
                p.get_carriage_display() if p.carriage else "",
                p.assignee_label,
                p.description,
                _naive(p.created_at),
                _naive(p.accepted_at),
                p.deadline,
                yes if p.deadline_provisional else "",
                clock(p, today).overdue_days or None,
                p.overdue_since,
                _naive(p.closed_at),
                days_to_close,
                p.rating,
                p.reopen_count,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    produced = rows(values()) if rows is not None else values()
    return SheetSpec(_("问题清单"), columns, produced), f"{_('问题清单')}-{stamp}.xlsx"


# ---- statistics ------------------------------------------------------------------------------------


def _chart(title: str, labels: list[str], series: list[tuple[str, list]], *, stack: bool = True) -> dict:
    return charts.bar_chart(
        title,
        labels,
        series,
        grid=charts.grid(40, 10, 40, 80),
        rotate_over=5,
        stack=stack,
        colours=["#c0392b", "#1e7b48", "#e6a23c", "#1f5fa8"],
    )


def _one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@login_required
def problem_stats(request):
    _require_office(request)
    params = {k: request.GET.get(k, "") for k in ("area", "estate", "from", "to")}
    queryset, applied = selectors.filter_problems(visible(request.user, Problem), params)
    stats = selectors.problem_stats(queryset)
    categories = stats.by_category
    # Slowest first; companies with nothing closed yet have no median and are left out of the chart.
    ranked = sorted((c for c in stats.by_company if c.median_days is not None), key=lambda c: -c.median_days)
    options = {
        "categories": _chart(
            _("各类别问题数"),
            [c.label for c in categories],
            [
                (_("未办结"), [c.active for c in categories]),
                (_("已销项"), [c.closed for c in categories]),
                (_("不予受理"), [c.total - c.active - c.closed for c in categories]),
            ],
        ),
        "category_medians": _chart(
            _("各类别销项用时中位数（天）"),
            [c.label for c in categories],
            [(_("中位数（天）"), [_one(c.median_days) for c in categories])],
            stack=False,
        ),
        # Horizontal bars: company names stay readable however many there are.
        "medians": charts.ranked_bars(
            _("各物业公司销项用时中位数（天）"),
            [c.label for c in ranked],
            [_one(c.median_days) for c in ranked],
            _("中位数（天）"),
            colour="#c0392b",
        ),
    }
    menus = _menus(request, applied, ("area", "estate"))
    return render(
        request,
        "problems/stats.html",
        {
            "stats": stats,
            "charts": options,
            "medians_height": max(280, 26 * len(ranked) + 60),
            "menus": menus,
            "applied": applied,
            "query": urlencode(applied),
            "nav_active": "problem_stats",
        },
    )


# ---- detail and actions ----------------------------------------------------------------------------

SUCCESS = {
    "accept": gettext_lazy("已受理并派给%(who)s，整改期限 %(due)s。"),
    "reject": gettext_lazy("已不予受理，报告人会收到通知。"),
    "progress": gettext_lazy("已记录整改进展。"),
    "submit": gettext_lazy("已提交验收，等待联合党支部现场核实。"),
    "send_back": gettext_lazy("已退回整改。"),
    "close": gettext_lazy("已验收销项。"),
}


# What each action does, said on its panel: the progress and submission panels used to look alike,
# and a company clerk could not tell which one sends the problem to the branch for verification.
ACTION_HEADINGS = {
    "accept": gettext_lazy("受理并派单"),
    "reject": gettext_lazy("不予受理"),
    "progress": gettext_lazy("记录整改进展（不提交验收）"),
    "submit": gettext_lazy("整改完成，提交验收"),
    "send_back": gettext_lazy("验收未通过，退回整改"),
    "close": gettext_lazy("验收通过，销项"),
}
ACTION_EXPLAINS = {
    "progress": gettext_lazy("只记录做到哪一步，问题仍由本单位整改，整改期限不变。"),
    "submit": gettext_lazy(
        "问题转给联合党支部现场核实：核实通过即销项，未通过会退回整改。须附至少一张整改后的现场照片。"
    ),
}
ACTION_BUTTONS = {
    "progress": gettext_lazy("保存进展"),
    "submit": gettext_lazy("提交验收"),
}


def _action_form(action: str, problem: Problem, *args):
    # Each panel's fields get their own ids (id_progress_note, id_submit_note …): two panels on one
    # page must not share element ids, or a label focuses the other form's field.
    return ACTION_FORMS[action](*args, problem=problem, auto_id=f"id_{action}_%s")


def _available_actions(user, problem: Problem) -> list[str]:
    """The office actions this user may take on this problem right now."""
    return [
        action
        for action in rules.allowed_actions(problem.status)
        if action in OFFICE_ACTIONS and permissions.may_act(user, problem, action)
    ]


def _company_of(problem: Problem) -> str:
    contract = Contract.objects.active().filter(estate_id=problem.estate_id).select_related("company").first()
    return contract.company.name if contract else ""


def _render_detail(request, problem: Problem, *, bound: tuple[str, object] | None = None):
    user = request.user
    today = timezone.localdate()
    available = _available_actions(user, problem)
    forms = []
    for action in available:
        form = bound[1] if bound and bound[0] == action else _action_form(action, problem)
        forms.append(
            {
                "action": action,
                "label": _action_label(action),
                "heading": ACTION_HEADINGS.get(action) or _action_label(action),
                "explain": ACTION_EXPLAINS.get(action, ""),
                "button": ACTION_BUTTONS.get(action) or _action_label(action),
                "form": form,
            }
        )
    # An action that is no longer possible (someone acted first) still says why it failed.
    stale_errors = bound[1].non_field_errors() if bound and bound[0] not in available else []
    events = list(
        ProblemEvent.objects.filter(problem=problem).select_related("actor").prefetch_related("photos")
    )
    photos = list(ProblemPhoto.objects.filter(problem=problem).order_by("pk"))
    sees_reporter = permissions.sees_reporter(user, problem)
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "clock": clock(problem, today),
            "status_colour": STATUS_COLOURS.get(problem.status, ""),
            "events": events,
            "report_photos": [p for p in photos if p.kind == ProblemPhoto.Kind.REPORT],
            "evidence_photos": [p for p in photos if p.kind == ProblemPhoto.Kind.EVIDENCE],
            "sees_reporter": sees_reporter,
            "reporter": problem.reporter if sees_reporter and problem.reporter_id else None,
            "forms": forms,
            "stale_errors": stale_errors,
            "estate_company": _company_of(problem) if "accept" in available else "",
            "history_url": reverse("audit_log")
            + "?"
            + urlencode({"type": "problems.Problem", "id": problem.pk})
            if scope_for(user).is_street_admin(problem.estate.area.street_id)
            else "",
            "nav_active": "problems",
        },
    )


def _action_label(action: str) -> str:
    from gongzhi.problems.models import Action

    return str(Action(action).label)


@login_required
def problem_detail(request, pk: int):
    _require_office(request)
    problem = permissions.get_problem_for_user(request.user, pk)
    return _render_detail(request, problem)


def _run(action: str, *, actor, problem: Problem, data: dict) -> Problem:
    if action == "accept":
        return services.problem_accept(
            actor=actor,
            problem=problem,
            carriage=data["carriage"],
            deadline_days=data["deadline_days"],
            note=data.get("note", ""),
        )
    if action == "reject":
        return services.problem_reject(actor=actor, problem=problem, reason=data["reason"])
    if action == "progress":
        return services.problem_progress(
            actor=actor, problem=problem, note=data["note"], photos=data["photos"]
        )
    if action == "submit":
        return services.problem_submit(actor=actor, problem=problem, note=data["note"], photos=data["photos"])
    if action == "send_back":
        return services.problem_send_back(actor=actor, problem=problem, note=data["note"])
    return services.problem_close(actor=actor, problem=problem, note=data.get("note", ""))


@login_required
@require_POST
def problem_act(request, pk: int, action: str):
    """One workflow step from the detail page's forms. Wrong party → 403, out of scope → 404;
    a refusal by the workflow is shown on the form (HTTP 200) and changes nothing."""
    _require_office(request)
    if action not in OFFICE_ACTIONS:
        raise Http404
    problem = permissions.get_problem_for_user(request.user, pk, action=action)
    form = _action_form(action, problem, request.POST, request.FILES)
    if form.is_valid():
        try:
            done = _run(action, actor=request.user, problem=problem, data=form.cleaned_data)
        except services.ProblemError as exc:
            form.add_error(None, exc.message)
        else:
            text = str(SUCCESS[action])
            if action == "accept":
                text = text % {"who": done.assignee_label, "due": done.deadline.isoformat()}
            messages.success(request, f"{done.number}:{text}")
            return redirect("problems:detail", pk=done.pk)
    return _render_detail(request, problem, bound=(action, form))


@login_required
def photo(request, pk: int):
    """A report or evidence photo, to whoever may read its problem (outsiders: 404)."""
    problem_id = ProblemPhoto.objects.filter(pk=pk).values_list("problem_id", flat=True).first()
    if problem_id is None:
        raise Http404
    permissions.get_problem_for_user(request.user, problem_id)
    item = ProblemPhoto.objects.get(pk=pk)
    return serve_upload(item.image, content_type="image/jpeg", filename=f"{item.pk}.jpg")


# ---- office filing ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request):
    """A branch files a patrol, hearing, meeting or survey finding; an evaluator an inspection."""
    _require_office(request)
    filing = selectors.estates_for_filing(request.user)
    if not filing:
        raise PermissionDenied
    streets = Street.objects.filter(areas__estates__pk__in=list(filing)).distinct()
    for street in streets:
        services.category_defaults_ensure(street=street)
    initial = {"estate": request.GET["estate"]} if is_id(request.GET.get("estate", "")) else {}
    form = ProblemCreateForm(
        request.POST or None, request.FILES or None, user=request.user, filing=filing, initial=initial
    )
    htmx = getattr(request, "htmx", None)
    if request.method == "GET" and htmx and htmx.target == "building-field":
        return render(request, "problems/_building_field.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_report(
                actor=request.user,
                estate=data["estate"],
                category=data["category"],
                source=data["source"],
                building=data["building"],
                location=data["location"],
                description=data["description"],
                photos=data["photos"],
            )
        except services.ProblemError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error(
                "source",
                _("您不能以“%(source)s”的来源在该小区登记问题。") % {"source": Source(data["source"]).label},
            )
        else:
            messages.success(
                request, _("已登记问题 %(number)s，待联合党支部受理。") % {"number": problem.number}
            )
            return redirect("problems:detail", pk=problem.pk)
    return render(request, "problems/create.html", {"form": form, "nav_active": "problems"})


# ---- category settings -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The street admin sets each category's default deadline, carriage and urgency."""
    admin_streets = list(streets_run_by(request.user).order_by("pk"))
    if not admin_streets:
        raise PermissionDenied
    categories = []
    for street in admin_streets:
        services.category_defaults_ensure(street=street)
    counts = dict(
        Problem.objects.filter(category__street__in=admin_streets)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    for category in Category.objects.filter(street__in=admin_streets).select_related("street"):
        initial = {
            "deadline_days": category.deadline_days,
            "carriage": category.carriage,
            "urgent": category.urgent,
        }
        form = CategoryForm(request.POST or None, prefix=f"c{category.pk}", initial=initial)
        categories.append({"category": category, "form": form, "problems": counts.get(category.pk, 0)})
    if request.method == "POST" and all(row["form"].is_valid() for row in categories):
        changed = [row for row in categories if row["form"].has_changed()]
        current = None
        try:
            # All rows or none: a refused row leaves the others as they were.
            with transaction.atomic():
                for row in changed:
                    current = row
                    services.category_update(
                        actor=request.user, category=row["category"], **row["form"].cleaned_data
                    )
        except ValidationError as exc:
            for message in exc.messages:
                current["form"].add_error(None, message)
        else:
            messages.success(request, _("已保存 %(n)d 个类别的设置。") % {"n": len(changed)})
            return redirect("problems:categories")
    return render(
        request,
        "problems/categories.html",
        {
            "rows": categories,
            "carriages": Carriage.choices,
            "several_streets": len(admin_streets) > 1,
            "nav_active": "problem_categories",
        },
    )
