"""Problems in the "today" list (``core/today.py``): the branch's reports to accept and rectifications
to verify, the assignee's overdue and nearly due work orders, the street's overdue count, a
resident's own open reports. Every read goes through the door; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.scopes import Scope, branch_areas, visible
from gongzhi.core.today import SOON_DAYS, TodayItem, date_text, first_and_total, more
from gongzhi.problems.models import ACTIVE_STATUSES, OPEN_STATUSES, Problem, Status
from gongzhi.problems.permissions import assigned_to


def _title(problem: Problem) -> str:
    return _("%(number)s %(estate)s · %(category)s：%(text)s") % {
        "number": problem.number,
        "estate": problem.estate.name,
        "category": problem.category.name,
        "text": _short(problem.description),
    }


def _short(text: str, length: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _list_url(**params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('problems:list')}?{query}"


def _rows(queryset, order: str) -> tuple[list[Problem], int]:
    return first_and_total(queryset.select_related("estate", "category").order_by(order, "pk"))


def _branch_items(user) -> list[TodayItem]:
    """Reports waiting to be accepted and rectifications waiting to be verified in the user's areas."""
    mine = visible(user, Problem).filter(estate__area__in=branch_areas(user))
    items: list[TodayItem] = []
    rows, total = _rows(mine.filter(status=Status.REPORTED), "created_at")
    shown = [
        TodayItem(
            kind="problems.accept",
            label=_("待受理"),
            title=_title(p),
            url=reverse("problems:detail", args=[p.pk]),
            since=_day(p.created_at),
            detail=_("%(day)s 报告，请受理或说明不予受理的理由") % {"day": date_text(_day(p.created_at))},
        )
        for p in rows
    ]
    items += more(shown, total, kind="problems.accept", label=_("待受理"), url=_list_url(status="reported"))
    rows, total = _rows(mine.filter(status=Status.SUBMITTED), "submitted_at")
    shown = [
        TodayItem(
            kind="problems.verify",
            label=_("待验收"),
            title=_title(p),
            url=reverse("problems:detail", args=[p.pk]),
            since=_day(p.submitted_at),
            detail=_("%(day)s 提交验收，请到现场核实后销项或退回") % {"day": date_text(_day(p.submitted_at))},
        )
        for p in rows
    ]
    items += more(shown, total, kind="problems.verify", label=_("待验收"), url=_list_url(status="submitted"))
    return items


def _work_order_items(user, today: dt.date) -> list[TodayItem]:
    """The assignee's open problems past their deadline or due within a week."""
    open_ = assigned_to(user).filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    items: list[TodayItem] = []
    for kind, label, queryset, url in (
        ("problems.overdue", _("超期工单"), open_.filter(deadline__lt=today), _list_url(overdue="yes")),
        (
            "problems.due",
            _("7 天内到期"),
            open_.filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=SOON_DAYS)),
            _list_url(status="active", o="deadline"),
        ),
    ):
        rows, total = _rows(queryset, "deadline")
        shown = [
            TodayItem(
                kind=kind,
                label=label,
                title=_title(p),
                url=reverse("problems:detail", args=[p.pk]),
                due=p.deadline,
                detail=_("整改期限 %(day)s，请整改后提交验收") % {"day": date_text(p.deadline)},
            )
            for p in rows
        ]
        items += more(shown, total, kind=kind, label=label, url=url)
    return items


def _street_items(user, today: dt.date) -> list[TodayItem]:
    """The street admin's street-wide counts: overdue problems and reports nobody has accepted."""
    figures = visible(user, Problem).aggregate(
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        oldest_deadline=Min("deadline", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        reported=Count("pk", filter=Q(status=Status.REPORTED)),
        oldest_report=Min("created_at", filter=Q(status=Status.REPORTED)),
    )
    items = []
    if figures["overdue"]:
        n = figures["overdue"]
        items.append(
            TodayItem(
                kind="problems.street_overdue",
                label=_("超期问题"),
                title=ngettext("全街道 %(n)s 件问题已超期", "全街道 %(n)s 件问题已超期", n) % {"n": n},
                url=_list_url(overdue="yes"),
                due=figures["oldest_deadline"],
                detail=_("最早的整改期限是 %(day)s") % {"day": date_text(figures["oldest_deadline"])},
                count=n,
            )
        )
    if figures["reported"]:
        n = figures["reported"]
        items.append(
            TodayItem(
                kind="problems.street_reported",
                label=_("待受理"),
                title=ngettext("全街道 %(n)s 件报事待受理", "全街道 %(n)s 件报事待受理", n) % {"n": n},
                url=_list_url(status="reported"),
                since=_day(figures["oldest_report"]),
                count=n,
            )
        )
    return items


def _own_report_items(user) -> list[TodayItem]:
    """A resident's own reports that are not finished yet (to follow, or to answer a question)."""
    rows, total = _rows(
        visible(user, Problem).filter(reporter=user, status__in=ACTIVE_STATUSES), "-created_at"
    )
    shown = [
        TodayItem(
            kind="problems.mine",
            label=_("我的报事"),
            title=_title(p),
            url=reverse("portal:problem", args=[p.pk]),
            due=p.deadline if p.status in OPEN_STATUSES else None,
            since=_day(p.created_at),
            detail=_("办理进度：%(status)s") % {"status": p.get_status_display()},
        )
        for p in rows
    ]
    return more(shown, total, kind="problems.mine", label=_("我的报事"), url=reverse("portal:problems"))


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    result: list[TodayItem] = []
    if scope.in_branch():
        result += _branch_items(user)
    if scope.is_street_admin():
        result += _street_items(user, today)
    if scope.is_company_staff() or scope.on_committee() or scope.in_branch():
        result += _work_order_items(user, today)
    if scope.owns_unit():
        result += _own_report_items(user)
    return result
