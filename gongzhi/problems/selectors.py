"""Reads over problems for the office pages, exports and statistics. Every queryset starts from
``gongzhi.core.scopes.visible`` (the one door); aggregations run in the database."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from gongzhi.core.scopes import visible
from gongzhi.core.validators import is_id, parse_day, parse_id
from gongzhi.problems import permissions
from gongzhi.problems.models import ACTIVE_STATUSES, OPEN_STATUSES, Category, Problem, Source, Status
from gongzhi.registry.models import Company, Estate, Street

ACTIVE = "active"  # pseudo-status of the list filter: every status that is not finished
OFFICE_SOURCES = (Source.PATROL, Source.HEARING, Source.MEETING, Source.SURVEY, Source.INSPECTION)


def problems_for(user) -> QuerySet:
    """The problems a user may read, with what a list row shows (no reporter: never listed)."""
    return visible(user, Problem).select_related(
        "estate__area", "category", "building", "company", "owners_committee", "residents_committee"
    )


# ---- filters ---------------------------------------------------------------------------------------

ID_FILTERS = {
    "area": "estate__area_id",
    "estate": "estate_id",
    "company": "company_id",
    "category": "category_id",
}
SORTS = {
    "number": "pk",
    "created": "created_at",
    "deadline": "deadline",
    "status": "status",
    "estate": "estate__name",
    "category": "category__sort_order",
}
DEFAULT_SORT = "-created"


def filter_problems(
    queryset: QuerySet, params, *, today: dt.date | None = None
) -> tuple[QuerySet, dict[str, str]]:
    """Apply the list's filters from a QueryDict (or dict). Returns the queryset and the applied
    values; an unknown or malformed value selects nothing rather than being ignored."""
    day = today or timezone.localdate()
    applied: dict[str, str] = {}
    for key, lookup in ID_FILTERS.items():
        raw = (params.get(key) or "").strip()
        if raw:
            applied[key] = raw
            queryset = queryset.filter(**{lookup: parse_id(raw)}) if is_id(raw) else queryset.none()
    raw = (params.get("status") or "").strip()
    if raw:
        applied["status"] = raw
        if raw == ACTIVE:
            queryset = queryset.filter(status__in=ACTIVE_STATUSES)
        elif raw in Status.values:
            queryset = queryset.filter(status=raw)
        else:
            queryset = queryset.none()
    raw = (params.get("source") or "").strip()
    if raw:
        applied["source"] = raw
        queryset = queryset.filter(source=raw) if raw in Source.values else queryset.none()
    raw = (params.get("overdue") or "").strip()
    if raw:
        applied["overdue"] = raw
        if raw == "yes":
            queryset = queryset.overdue(day)
        elif raw == "ever":
            queryset = queryset.filter(overdue_since__isnull=False)
        else:
            queryset = queryset.none()
    if (params.get("urgent") or "").strip() == "yes":
        applied["urgent"] = "yes"
        queryset = queryset.filter(urgent=True)
    for key, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        day_value = parse_day(params.get(key)) if params.get(key) else None
        if day_value:
            applied[key] = day_value.isoformat()
            queryset = queryset.filter(**{lookup: day_value})
    text = (params.get("q") or "").strip()[:100]
    if text:
        applied["q"] = text
        queryset = queryset.filter(Q(number__icontains=text) | Q(description__icontains=text))
    return queryset, applied


def sort_problems(queryset: QuerySet, order: str) -> tuple[QuerySet, str]:
    field_name = SORTS.get(order.lstrip("-"))
    if field_name is None:
        order = DEFAULT_SORT
        field_name = SORTS[order.lstrip("-")]
    expression = (
        F(field_name).desc(nulls_last=True) if order.startswith("-") else F(field_name).asc(nulls_last=True)
    )
    return queryset.order_by(expression, "-pk"), order


def categories_for(user) -> QuerySet:
    """Categories of the streets a user reaches (for filter menus)."""
    return Category.objects.filter(street__in=visible(user, Street)).select_related("street")


# ---- filing a problem from the office --------------------------------------------------------------


def estates_for_filing(user) -> dict[int, list[str]]:
    """Estate id → the office sources (patrol, hearing …, inspection) this user may file under there."""
    result = {}
    for estate in visible(user, Estate).select_related("area").order_by("area__name", "name"):
        sources = [s for s in permissions.report_sources(user, estate) if s in OFFICE_SOURCES]
        if sources:
            result[estate.pk] = sources
    return result


# ---- statistics ------------------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``
    (continuous median: the mean of the two middle values for an even count)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _duration():
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def _counts(today: dt.date) -> dict:
    return {
        "total": Count("pk"),
        "active": Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        "ever_overdue": Count("pk", filter=Q(overdue_since__isnull=False)),
    }


CLOSED_WITH_TIME = Q(status=Status.CLOSED, closed_at__isnull=False)


def _use_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class StatsRow:
    key: int
    label: str
    total: int = 0
    active: int = 0
    closed: int = 0
    overdue: int = 0
    ever_overdue: int = 0
    median_days: float | None = None


@dataclass
class ProblemStats:
    total: int = 0
    active: int = 0
    closed: int = 0
    overdue: int = 0
    ever_overdue: int = 0
    median_days: float | None = None
    by_status: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)
    by_category: list[StatsRow] = field(default_factory=list)
    by_company: list[StatsRow] = field(default_factory=list)


def _grouped(queryset: QuerySet, key: str, model: type, by_total: bool, today: dt.date) -> list[StatsRow]:
    """Counts and the median days-to-close per value of ``key`` (a foreign key to ``model``), ordered by
    the model's ``sort_order`` or by the largest total, then by name: the aggregate on PostgreSQL, and on
    SQLite (which has no median) the counts plus ONE values_list query of the durations; then the names of
    the groups found. The names are read apart: joined into the aggregate, PostgreSQL walked every
    company of the city and its problems to keep a district's (190 ms, where the problems alone take 30)."""
    annotations = _counts(today)
    if _use_percentile_cont():
        annotations["median"] = Median(_duration(), filter=CLOSED_WITH_TIME, output_field=DurationField())
    rows = list(queryset.order_by().values(key).annotate(**annotations).order_by(key))
    names = {
        pk: (name, sort)
        for pk, name, sort in model._default_manager.filter(pk__in=[row[key] for row in rows]).values_list(
            "pk", "name", "pk" if by_total else "sort_order"
        )
    }
    result = [
        StatsRow(
            key=row[key],
            label=names[row[key]][0],
            **{name: row[name] for name in ("total", "active", "closed", "overdue", "ever_overdue")},
            median_days=_days(row.get("median")),
        )
        for row in rows
    ]
    result.sort(key=lambda r: (-r.total if by_total else names[r.key][1], r.label, r.key))
    if not _use_percentile_cont():
        # SQLite fallback: fetch the durations of closed problems in one query and take the
        # median in Python (statistics.median averages the two middle values, like percentile_cont).
        durations: dict[int, list[dt.timedelta]] = defaultdict(list)
        for group, duration in queryset.filter(CLOSED_WITH_TIME).order_by().values_list(key, _duration()):
            durations[group].append(duration)
        for row in result:
            values = durations.get(row.key)
            row.median_days = _days(statistics.median(values)) if values else None
    return result


def problem_stats(queryset: QuerySet, *, today: dt.date | None = None) -> ProblemStats:
    """Counts by status, overdue now and ever, and the median time to close (closed_at −
    created_at, in days) over the whole queryset, per category and per company."""
    day = today or timezone.localdate()
    base = queryset.order_by()
    # One pass over the problems for the totals, the count of each status and (on PostgreSQL) the median:
    # a district reads tens of thousands of rows, and each separate aggregate was another scan of them.
    annotations: dict = {
        **_counts(day),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
    }
    if _use_percentile_cont():
        annotations["median"] = Median(_duration(), filter=CLOSED_WITH_TIME, output_field=DurationField())
    totals = base.aggregate(**annotations)
    if _use_percentile_cont():
        median = totals.pop("median")
    else:
        # SQLite fallback (no median aggregate): one query for the durations, median in Python.
        values = list(base.filter(CLOSED_WITH_TIME).values_list(_duration(), flat=True))
        median = statistics.median(values) if values else None
    counts = {value: totals.pop(f"status_{value}") for value in Status.values}
    stats = ProblemStats(**totals)
    stats.median_days = _days(median)
    stats.by_status = [(value, str(label), counts[value]) for value, label in Status.choices]
    stats.by_category = _grouped(base, "category_id", Category, False, day)
    stats.by_company = _grouped(base.filter(company__isnull=False), "company_id", Company, True, day)
    return stats


def open_and_overdue(user, *, today: dt.date | None = None) -> dict[str, int]:
    """The home page's two figures: unfinished problems and overdue ones, in the user's scope."""
    day = today or timezone.localdate()
    return visible(user, Problem).aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=day)),
    )
