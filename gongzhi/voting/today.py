"""Owners' decisions in the "today" list (``core/today.py``): the owners' committee's live votes, the
area branch's live votes short of quorum, the street admin's count of those, an owner's open votes.
Read through the door; the live votes and their participation in one statement."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.scopes import Scope, branch_areas, committee_estates, own_units, visible
from gongzhi.core.today import TodayItem, date_text
from gongzhi.voting.models import Ballot, Decision, DecisionStatus, ElectorateOwner
from gongzhi.voting.permissions import office_decisions
from gongzhi.voting.selectors import participation_many, quorum_text, with_participation


def _live(queryset, now: dt.datetime):
    return queryset.filter(status=DecisionStatus.PUBLISHED, opens_at__lte=now, closes_at__gt=now)


def _closes_on(decision: Decision) -> dt.date:
    return timezone.localtime(decision.closes_at).date()


def _office_items(user, scope: Scope, today: dt.date, now: dt.datetime) -> list[TodayItem]:
    condition = Q(estate__in=committee_estates(user)) | Q(estate__area__in=branch_areas(user))
    decisions = list(
        with_participation(_live(office_decisions(user).filter(condition), now)).order_by("closes_at", "pk")
    )
    figures = participation_many(decisions)
    items = []
    for d in decisions:
        mine = scope.on_committee(d.estate_id)
        short = not figures[d.pk]["quorum_met"]
        if not (mine or short):
            continue  # the branch follows votes short of quorum; the committee all its live votes
        due = _closes_on(d)
        items.append(
            TodayItem(
                kind="voting.short" if short else "voting.live",
                label=_("未达法定人数") if short else _("表决进行中"),
                title=_("%(estate)s · %(title)s") % {"estate": d.estate.name, "title": d.title},
                url=reverse("voting:canvass" if short else "voting:detail", args=[d.pk]),
                due=due,
                detail=quorum_text(figures[d.pk], (due - today).days),
            )
        )
    return items


def _street_items(user, now: dt.datetime) -> list[TodayItem]:
    decisions = list(with_participation(_live(office_decisions(user), now)).order_by("closes_at", "pk"))
    figures = participation_many(decisions)
    short = [d for d in decisions if not figures[d.pk]["quorum_met"]]
    if not short:
        return []
    n = len(short)
    return [
        TodayItem(
            kind="voting.street_short",
            label=_("未达法定人数"),
            title=ngettext(
                "全街道 %(n)s 项进行中的业主表决未达法定人数",
                "全街道 %(n)s 项进行中的业主表决未达法定人数",
                n,
            )
            % {"n": n},
            url=reverse("voting:index"),
            due=_closes_on(short[0]),
            detail=_("最早 %(day)s 截止") % {"day": date_text(_closes_on(short[0]))},
            count=n,
        )
    ]


def _owner_items(user, now: dt.datetime) -> list[TodayItem]:
    decisions = list(_live(visible(user, Decision), now).select_related("estate").order_by("closes_at", "pk"))
    if not decisions:
        return []
    mine = own_units(user)
    on_roll = set(
        ElectorateOwner.objects.filter(decision__in=decisions, units__unit__in=mine).values_list(
            "decision_id", flat=True
        )
    )
    voted = set(visible(user, Ballot).filter(decision__in=decisions).values_list("decision_id", flat=True))
    return [
        TodayItem(
            kind="voting.vote",
            label=_("业主表决"),
            title=_("%(estate)s · %(title)s") % {"estate": d.estate.name, "title": d.title},
            url=reverse("voting:owner_decision", args=[d.pk]),
            due=_closes_on(d),
            detail=_("请在 %(day)s 前投票") % {"day": date_text(_closes_on(d))},
        )
        for d in decisions
        if d.pk in on_roll and d.pk not in voted
    ]


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    now = timezone.now()
    result: list[TodayItem] = []
    if scope.on_committee() or scope.in_branch():
        result += _office_items(user, scope, today, now)
    if scope.is_street_admin():
        result += _street_items(user, now)
    if scope.owns_unit():
        result += _owner_items(user, now)
    return result
