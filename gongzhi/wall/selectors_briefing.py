"""Reads of the monthly briefing (月度简报) for the leadership group's meeting: the state of the street (estates
by colour per indicator, from the kept status), what changed since last month (from the monthly
snapshots, ``selectors_trends``), the ten estates that need attention and why (their red indicators with
the figures behind them), the plan's milestones overdue and due soon (branchwork's plan selectors), and
the decisions the group is asked for (slates awaiting approval, eliminations proposed) — read through the
door. A fixed number of queries whatever the number of estates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from gongzhi.wall import indicators as ind
from gongzhi.wall import selectors_trends
from gongzhi.wall.models import EstateStatus

ATTENTION = 10


@dataclass
class StateRow:
    key: str
    label: str
    red: int
    amber: int
    green: int
    none: int
    trend: selectors_trends.Trend | None

    @property
    def red_change(self) -> int | None:
        """Estates in red now minus last month (None without last month's snapshot)."""
        if self.trend is None or len(self.trend.points) < 2:
            return None
        before = self.trend.points[-2]
        if not (before.red + before.amber + before.green):
            return None
        return self.trend.points[-1].red - before.red

    @property
    def red_change_text(self) -> str:
        change = self.red_change
        if change is None:
            return ""
        return f"+{change}" if change > 0 else (f"−{-change}" if change < 0 else "±0")


def state(estates: QuerySet, trends: list[selectors_trends.Trend]) -> list[StateRow]:
    """Per indicator (overall first), the estates by colour now. One query."""
    counts = {
        row["indicator"]: row
        for row in EstateStatus.objects.filter(estate_id__in=estates.values("pk"))
        .order_by()
        .values("indicator")
        .annotate(
            red=Count("pk", filter=Q(colour=ind.RED)),
            amber=Count("pk", filter=Q(colour=ind.AMBER)),
            green=Count("pk", filter=Q(colour=ind.GREEN)),
            none=Count("pk", filter=Q(colour=ind.NONE)),
        )
    }
    by_key = {t.key: t for t in trends}
    empty = {"red": 0, "amber": 0, "green": 0, "none": 0}
    return [
        StateRow(
            key=key,
            label=ind.label_of(key),
            trend=by_key.get(key),
            **{k: counts.get(key, empty)[k] for k in empty},
        )
        for key in ind.indicator_keys()
    ]


@dataclass
class Reason:
    key: str
    label: str
    value: str
    text: str


@dataclass
class Attention:
    estate_id: int
    name: str
    area: str
    colour: str
    reds: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def icon(self) -> str:
        return ind.COLOUR_ICON[self.colour]

    @property
    def colour_label(self) -> str:
        return str(ind.COLOUR_LABEL[self.colour])


def attention(estates: QuerySet, *, limit: int = ATTENTION) -> list[Attention]:
    """The estates with the most red indicators (then by name), at most ``limit``, each with its red
    indicators and the figures behind them. Two queries."""
    worst = list(
        EstateStatus.objects.filter(
            estate_id__in=estates.values("pk"), indicator=ind.OVERALL, colour__in=[ind.RED, ind.AMBER]
        )
        .order_by("-value", "estate__area__name", "estate__name")
        .values_list("estate_id", "estate__name", "estate__area__name", "colour", "value")[:limit]
    )
    rows = {pk: Attention(pk, name, area, colour, int(value or 0)) for pk, name, area, colour, value in worst}
    for status in EstateStatus.objects.filter(estate_id__in=list(rows), colour=ind.RED).exclude(
        indicator=ind.OVERALL
    ):
        spec = ind.REGISTRY.get(status.indicator)
        if spec is None:
            continue
        rows[status.estate_id].reasons.append(
            Reason(
                key=status.indicator,
                label=str(spec.label),
                value=f"{ind.number_text(status.value)}{spec.unit}",
                text=spec.describe(status.detail),
            )
        )
    order = list(ind.REGISTRY)
    for row in rows.values():
        row.reasons.sort(key=lambda r: order.index(r.key))
    return [rows[pk] for pk, *_rest in worst]


@dataclass(frozen=True)
class Decision:
    kind: str
    title: str
    detail: str
    url: str


def decisions(user, street_id: int) -> list[Decision]:
    """What the leadership group is asked to decide, through the door: slates awaiting approval and
    elimination rounds proposed for sign-off. Two queries."""
    from django.utils.translation import gettext as _

    from gongzhi.core import dates
    from gongzhi.core.scopes import visible
    from gongzhi.elections.models import Slate, SlateStatus
    from gongzhi.evaluation.models import EliminationCampaign, EliminationStatus

    result = []
    for slate in (
        visible(user, Slate)
        .filter(status=SlateStatus.SUBMITTED, estate__area__street_id=street_id)
        .select_related("estate")
        .order_by("election_date", "pk")
    ):
        result.append(
            Decision(
                kind=_("业委会换届人选审核"),
                title=_("%(estate)s业委会换届人选") % {"estate": slate.estate.name},
                detail=_("选举日期 %(day)s") % {"day": dates.long_date(slate.election_date)},
                url=reverse("elections:detail", args=[slate.pk]),
            )
        )
    for round_ in (
        visible(user, EliminationCampaign)
        .filter(status=EliminationStatus.PROPOSED, street_id=street_id)
        .order_by("pk")
    ):
        result.append(
            Decision(
                kind=_("末尾淘汰名单审定"),
                title=round_.name,
                detail=_("拟淘汰 %(m)s 家物业企业") % {"m": round_.final_m},
                url=reverse("evaluation:elimination", args=[round_.pk]),
            )
        )
    return result


def milestones(street_id: int, today: dt.date) -> dict[str, list[Any]]:
    """The plan's milestones overdue and due soon (within the plan rules' window), oldest first."""
    from gongzhi.branchwork import rules
    from gongzhi.branchwork.selectors_plan import street_milestones

    rows = street_milestones(street_id, today)
    ordered = sorted(rows, key=lambda r: (r.milestone.due_on, r.milestone.pk))
    return {
        "overdue": [r for r in ordered if r.state == rules.OVERDUE],
        "due": [r for r in ordered if r.state == rules.DUE],
    }
