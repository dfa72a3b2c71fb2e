"""Slates in the "today" list (``core/today.py``): the leadership group's slates awaiting approval
and the area secretary's slates returned for changes. Read through the door; two queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.scopes import Scope, secretary_areas, visible
from gongzhi.core.today import TodayItem, date_text, first_and_total, more
from gongzhi.elections import permissions
from gongzhi.elections.models import Slate, SlateStatus


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _awaiting_approval(user) -> list[TodayItem]:
    # Submitted slates are few (one per election); the leadership question is asked per slate.
    slates = [
        s
        for s in visible(user, Slate)
        .filter(status=SlateStatus.SUBMITTED)
        .select_related("estate__area")
        .order_by("election_date", "pk")
        if permissions.may_decide(user, s)
    ]
    return [
        TodayItem(
            kind="elections.approve",
            label=_("待审核人选"),
            title=_("%(estate)s业委会换届人选待领导小组审核") % {"estate": s.estate.name},
            url=reverse("elections:detail", args=[s.pk]),
            due=s.election_date,
            since=_day(s.submitted_at),
            detail=_("%(day)s 报送，选举日期 %(election)s")
            % {"day": date_text(_day(s.submitted_at)), "election": date_text(s.election_date)},
        )
        for s in slates
    ]


def _returned(user) -> list[TodayItem]:
    queryset = (
        visible(user, Slate)
        .filter(status=SlateStatus.RETURNED, estate__area__in=secretary_areas(user))
        .select_related("estate")
        .order_by("election_date", "pk")
    )
    rows, total = first_and_total(queryset)
    shown = [
        TodayItem(
            kind="elections.returned",
            label=_("人选被退回"),
            title=_("%(estate)s业委会换届人选被退回，请修改后重新报送") % {"estate": s.estate.name},
            url=reverse("elections:detail", args=[s.pk]),
            due=s.election_date,
            detail=s.decision_comment,
        )
        for s in rows
    ]
    return more(shown, total, kind="elections.returned", label=_("人选被退回"), url=reverse("elections:list"))


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    result: list[TodayItem] = []
    if scope.is_street_wide():
        result += _awaiting_approval(user)
    if scope.is_secretary():
        result += _returned(user)
    return result
