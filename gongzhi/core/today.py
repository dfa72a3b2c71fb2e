"""今日待办: what a user must act on today, most urgent first — merged from the apps' plug-ins.

Each capability app may provide ``<app>/today.py`` (``core.plugins.app_modules("today")``) with
``items(user, scope, today) -> list[TodayItem]``: the items of its kind for this user, read through
the one door (``visible``, ``get_for_user``, the named questions of ``core/scopes.py``), in a fixed
number of queries whatever the size of the street. A kind with many objects shows the first
``LIMIT`` of them and one summary item (``more``) that links to the filtered list.

The landing pages (``home``, the resident portal) and the inbox read ``today_for(user)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core import dates
from gongzhi.core.plugins import app_modules
from gongzhi.core.scopes import scope_for

LIMIT = 5  # objects shown per kind; the rest are one summary item
SOON_DAYS = 7  # due within a week counts as "due soon"

# Levels, most urgent first: their order is the list's order.
OVERDUE, SOON, OPEN, LATER = "overdue", "soon", "open", "later"
LEVEL_ORDER = {OVERDUE: 0, SOON: 1, OPEN: 2, LATER: 3}
LEVEL_COLOUR = {OVERDUE: "red", SOON: "amber", OPEN: "blue", LATER: "grey"}
LEVEL_ICON = {OVERDUE: "!", SOON: "◷", OPEN: "•", LATER: "○"}  # colour is never the only signal


@dataclass(frozen=True)
class TodayItem:
    """One thing to act on. ``due`` is the date it must be done by (None: no deadline, e.g. a report
    waiting to be accepted, ordered by ``since``); ``count`` > 1 marks a summary of several objects."""

    kind: str  # "<app>.<what>", stable: tests and styles key on it
    label: str  # the kind in a word or two (待受理, 超期工单 …)
    title: str  # what, in one line
    url: str  # one click from the action
    due: dt.date | None = None
    since: dt.date | None = None
    detail: str = ""  # the figures behind it (还差 90 户达到法定人数，剩 9 天)
    count: int = 1
    on: dt.date | None = None  # the day the list is for (set by ``today_for``)

    @property
    def days_overdue(self) -> int:
        if self.due is None or self.on is None:
            return 0
        return max(0, (self.on - self.due).days)

    @property
    def days_left(self) -> int | None:
        if self.due is None or self.on is None or self.due < self.on:
            return None
        return (self.due - self.on).days

    @property
    def level(self) -> str:
        if self.due is None:
            return OPEN
        if self.days_overdue:
            return OVERDUE
        left = self.days_left
        return SOON if left is not None and left <= SOON_DAYS else LATER

    @property
    def colour(self) -> str:
        return LEVEL_COLOUR[self.level]

    @property
    def icon(self) -> str:
        return LEVEL_ICON[self.level]

    @property
    def urgency(self) -> str:
        """The urgency in words, beside the colour: 已超期 3 天 / 今天到期 / 剩 5 天 / 待办."""
        if self.level == OVERDUE:
            n = self.days_overdue
            return ngettext("已超期 %(n)s 天", "已超期 %(n)s 天", n) % {"n": n}
        left = self.days_left
        if left == 0:
            return _("今天到期")
        if left is not None:
            return ngettext("剩 %(n)s 天", "剩 %(n)s 天", left) % {"n": left}
        return _("待办")

    def sort_key(self) -> tuple:
        return (
            LEVEL_ORDER[self.level],
            self.due or dt.date.max,
            self.since or dt.date.max,
            -self.count,
            self.kind,
            self.title,
        )


def more(shown: list[TodayItem], total: int, *, kind: str, label: str, url: str) -> list[TodayItem]:
    """``shown`` and, when ``total`` is larger, one item for the rest, linking to the filtered list and
    placed right after the last one shown."""
    rest = total - len(shown)
    if rest <= 0 or not shown:
        return shown
    last = max(shown, key=TodayItem.sort_key)
    title = ngettext("还有 %(n)s 项", "还有 %(n)s 项", rest) % {"n": rest}
    return [
        *shown,
        TodayItem(kind=kind, label=label, title=title, url=url, due=last.due, since=last.since, count=rest),
    ]


def first_and_total(queryset, limit: int = LIMIT) -> tuple[list, int]:
    """The first ``limit`` rows of an ordered queryset and how many there are in all, in one query
    (a window count is taken before the limit), so the count of queries never depends on the data."""
    rows = list(queryset.annotate(today_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].today_total if rows else 0)


def date_text(day: dt.date | None) -> str:
    """2026年12月6日 (the house date format, core/dates.py); "—" for no date."""
    return dates.plain_date(day)


def day_label(day: dt.date) -> str:
    """2026年12月6日 星期日 — the list's heading."""
    return dates.long_date(day)


def today_for(user, *, today: dt.date | None = None) -> list[TodayItem]:
    """Every app's items for this user, most urgent first: overdue (longest overdue first), due within
    a week, open without a deadline (oldest first), due later."""
    scope = scope_for(user)
    if scope.is_empty:
        return []
    day = today or timezone.localdate()
    items: list[TodayItem] = []
    for module in app_modules("today"):
        items += [dataclasses.replace(item, on=day) for item in module.items(user, scope, day)]
    return sorted(items, key=TodayItem.sort_key)
