"""Reads of the trends (趋势判断): monthly series of the wall's indicators for a set of estates (the street,
an area, a company's estates, one estate — always within the door's ``wall_estates``), read from the
monthly snapshots (``StatusSnapshot``) and aggregated in SQL: one query for every indicator and month,
whatever the number of estates.

How an indicator's estates add up to one number a month: counts add up (超期问题 of the street = the sum
of its estates'); shares, days and classes are averaged over the estates that have a number that month
(an estate without a committee has no party share and is left out, never counted as 0); the overall state
is counted as the number of estates in red. Beside the number, each month keeps how many estates were red,
amber and green.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core import charts
from gongzhi.wall import indicators as ind
from gongzhi.wall.models import StatusSnapshot
from gongzhi.wall.services import months_back

HISTORY = 18  # months before this one
SUMMED = frozenset(
    {
        "problems_overdue",
        "problems_open",
        "fund_health",
        "votes_short",
        "branch_rhythm",
        "committee_vacancies",
    }
)
SUM, AVG, RED_COUNT = "sum", "avg", "red"
BETTER, WORSE, SAME, UNKNOWN = "better", "worse", "same", "unknown"
ARROW = {1: "↑", -1: "↓", 0: "→"}
TONE_ICON = {BETTER: "✓", WORSE: "▲", SAME: "＝", UNKNOWN: "—"}


def how_of(key: str) -> str:
    if key == ind.OVERALL:
        return RED_COUNT
    return SUM if key in SUMMED else AVG


def how_text(key: str) -> str:
    how = how_of(key)
    if how == SUM:
        return _("各小区合计")
    if how == RED_COUNT:
        return _("红色小区数")
    return _("有数据小区的平均值")


def month_label(month: dt.date) -> str:
    return dateformat.format(month, pgettext("year and month", "Y年n月"))


@dataclass(frozen=True)
class Point:
    month: dt.date
    value: Decimal | None
    red: int
    amber: int
    green: int
    estates: int  # estates with a number that month

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def value_text(self) -> str:
        return ind.number_text(self.value)


@dataclass(frozen=True)
class Change:
    """The direction since an earlier month: the arrow is the number's way, the word says whether that is
    better or worse for this indicator (colour is never the only signal)."""

    since: str  # 较上月 / 较去年同月
    delta: Decimal | None
    tone: str
    unit: str

    @property
    def arrow(self) -> str:
        if self.delta is None:
            return "—"
        return ARROW[(self.delta > 0) - (self.delta < 0)]

    @property
    def icon(self) -> str:
        return TONE_ICON[self.tone]

    @property
    def word(self) -> str:
        return {
            BETTER: _("好转"),
            WORSE: _("变差"),
            SAME: _("持平"),
            UNKNOWN: _("无可比数据"),
        }[self.tone]

    @property
    def text(self) -> str:
        if self.delta is None:
            return _("%(since)s：无可比数据") % {"since": self.since}
        amount = ind.number_text(abs(self.delta))
        unit = _("个百分点") if self.unit == "%" else self.unit
        return _("%(since)s %(arrow)s %(amount)s%(unit)s（%(word)s）") % {
            "since": self.since,
            "arrow": self.arrow,
            "amount": amount,
            "unit": unit,
            "word": self.word,
        }


def change(now: Point | None, then: Point | None, *, higher_is_worse: bool, since: str, unit: str) -> Change:
    """Known answers: 80 → 85 with lower worse is ↑ 5 好转; 3 → 5 with higher worse is ↑ 2 变差."""
    if now is None or then is None or now.value is None or then.value is None:
        return Change(since, None, UNKNOWN, unit)
    delta = now.value - then.value
    tone = SAME if delta == 0 else WORSE if (delta > 0) == higher_is_worse else BETTER
    return Change(since, delta, tone, unit)


@dataclass
class Trend:
    key: str
    label: str
    explanation: str
    unit: str
    how: str
    points: list[Point]
    month_change: Change
    year_change: Change
    chart: dict[str, Any]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def chart_id(self) -> str:
        return f"trend-{self.key}"


def _one_place(value: Any) -> Decimal | None:
    # SQLite averages decimals as floats: back to one decimal place, half up
    if value is None:
        return None
    return Decimal(str(value)).quantize(ind.ONE_PLACE, rounding=ROUND_HALF_UP)


def _chart(label: str, points: list[Point], unit: str) -> dict[str, Any]:
    name = f"{label}（{unit}）" if unit else label
    return charts.option(
        grid=charts.grid(10, 16, 16, 8, contain_label=True),
        x_axis=charts.category_axis([p.label for p in points]),
        y_axis=charts.value_axis(scale=True),
        series=[
            {
                "type": "line",
                "name": name,
                "data": [None if p.value is None else float(p.value) for p in points],
                "connectNulls": False,
                "symbolSize": 6,
            }
        ],
        colours=["#1a4f8b"],
    )


def trends(estates: QuerySet, *, today: dt.date, history: int = HISTORY) -> list[Trend]:
    """The monthly series of every indicator (the overall state first) for these estates, from the month
    ``history`` months before ``today``'s to ``today``'s. One query."""
    months = months_back(today, history)
    rows = (
        StatusSnapshot.objects.filter(
            estate_id__in=estates.values("pk"), month__gte=months[0], month__lte=months[-1]
        )
        .order_by()
        .values("indicator", "month")
        .annotate(
            avg=Avg("value"),
            total=Sum("value"),
            estates=Count("value"),
            red=Count("pk", filter=Q(colour=ind.RED)),
            amber=Count("pk", filter=Q(colour=ind.AMBER)),
            green=Count("pk", filter=Q(colour=ind.GREEN)),
        )
    )
    found: dict[tuple[str, dt.date], dict[str, Any]] = {(r["indicator"], r["month"]): r for r in rows}
    result = []
    for key in ind.indicator_keys():
        how = how_of(key)
        points = []
        for month in months:
            row = found.get((key, month))
            if row is None:
                points.append(Point(month, None, 0, 0, 0, 0))
                continue
            if how == RED_COUNT:
                value: Decimal | None = (
                    Decimal(row["red"]) if row["red"] + row["amber"] + row["green"] else None
                )
            elif not row["estates"]:
                value = None
            else:
                value = _one_place(row["total"] if how == SUM else row["avg"])
            points.append(Point(month, value, row["red"], row["amber"], row["green"], row["estates"]))
        if key == ind.OVERALL:
            label, unit, worse_up = ind.label_of(key), _("个"), True
        else:
            spec = ind.REGISTRY[key]
            label, unit, worse_up = str(spec.label), str(spec.unit), spec.higher_is_worse
        year_ago = points[-13] if len(points) >= 13 else None
        result.append(
            Trend(
                key=key,
                label=label,
                explanation=ind.explanation_of(key),
                unit=unit,
                how=how_text(key),
                points=points,
                month_change=change(
                    points[-1],
                    points[-2] if len(points) > 1 else None,
                    higher_is_worse=worse_up,
                    since=_("较上月"),
                    unit=unit,
                ),
                year_change=change(
                    points[-1], year_ago, higher_is_worse=worse_up, since=_("较去年同月"), unit=unit
                ),
                chart=_chart(label, points, unit),
            )
        )
    return result


# ---- what the trends are of (the selector's choices) ---------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str  # "", "area-5", "company-3", "estate-7"
    label: str


def choices(estates: QuerySet) -> dict[str, list[Choice]]:
    """The areas, companies and estates of these (the door's) estates, by name. Three queries."""
    from gongzhi.registry.models import Area, Company, Contract

    ids = estates.values("pk")
    areas = Area.objects.filter(estates__in=ids).distinct().order_by("name").values_list("pk", "name")
    managing = Contract.objects.active().filter(estate_id__in=ids).values("company_id")
    companies = Company.objects.filter(pk__in=managing).order_by("name").values_list("pk", "name")
    own = estates.order_by("area__name", "name").values_list("pk", "name", "area__name")
    return {
        "areas": [Choice(f"area-{pk}", name) for pk, name in areas],
        "companies": [Choice(f"company-{pk}", name) for pk, name in companies],
        "estates": [Choice(f"estate-{pk}", f"{area} · {name}") for pk, name, area in own],
    }


def parse_of(raw: str | None) -> tuple[str, int] | None:
    """ "area-5" → ("area", 5); anything else → None (the whole of the user's wall)."""
    kind, _sep, pk = (raw or "").partition("-")
    if kind in {"area", "company", "estate"} and pk.isdigit() and len(pk) < 12:
        return kind, int(pk)
    return None
