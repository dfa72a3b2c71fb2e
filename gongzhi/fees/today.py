"""Quality before price in the "today" list (``core/today.py``): the annual price meeting due at the estates
of an owners' committee or a company (建立每年一次议价会议制度), and the fee-adjustment intents waiting for the
committee (record the meeting's outcome, open the owners' decision, conclude after the count). Read through
the door; a fixed number of queries whatever the number of estates."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.scopes import Scope, committee_estates, estates_as_company, visible
from gongzhi.core.today import LIMIT, TodayItem, date_text, more
from gongzhi.fees.models import FeeIntent
from gongzhi.fees.selectors import gate_settings, last_price_meetings

AHEAD_DAYS = 30  # a price meeting shows up a month before it is due: time to prepare the cost account


def _meeting_items(user, today: dt.date) -> list[TodayItem]:
    estates = {e.pk: e for e in visible(user, committee_estates(user)).select_related("area")}
    estates.update({e.pk: e for e in visible(user, estates_as_company(user)).select_related("area")})
    if not estates:
        return []
    days = gate_settings(next(iter(estates.values())).area.street_id).meeting_within_days
    last = last_price_meetings(estates.keys(), today=today)
    due = []
    for pk, estate in estates.items():
        meeting = last.get(pk)
        day = meeting.starts_at.date() + dt.timedelta(days=days) if meeting else None
        if day is None or day <= today + dt.timedelta(days=AHEAD_DAYS):
            due.append((day, estate, meeting))
    due.sort(key=lambda row: (row[0] or dt.date.min, row[1].name))
    shown = [
        TodayItem(
            kind="fees.price_meeting",
            label=_("议价会议"),
            title=_("%(estate)s · 年度议价会议") % {"estate": estate.name},
            url=reverse("fees:gate", args=[estate.pk]),
            due=day,
            detail=(
                _("上次 %(held)s，每 %(days)s 天一次")
                % {"held": date_text(meeting.starts_at.date()), "days": days}
                if meeting
                else _("还没有议价会议记录")
            ),
        )
        for day, estate, meeting in due[:LIMIT]
    ]
    return more(
        shown, len(due), kind="fees.price_meeting", label=_("议价会议"), url=reverse("fees:price_rhythm")
    )


def _intent_items(user, today: dt.date) -> list[TodayItem]:
    """Intents whose next step is the committee's: the meeting's outcome, the vote, the conclusion."""
    ids = list(visible(user, committee_estates(user)).values_list("pk", flat=True))
    if not ids:
        return []
    waiting = list(
        FeeIntent.objects.filter(estate_id__in=ids, status__in=["meeting", "vote"])
        .select_related("estate", "decision")
        .order_by("opened_at", "pk")
    )
    rows = []
    for intent in waiting:
        if intent.status == "meeting":
            rows.append((intent, _("质量门槛已满足，请登记议价会议结果或发起业主表决")))
        elif intent.decision is not None and intent.decision.status not in ("draft", "published"):
            rows.append((intent, _("业主表决已计票，请按结果办结")))
    return [
        TodayItem(
            kind="fees.intent",
            label=_("调价意向"),
            title=_("%(estate)s · 调价意向") % {"estate": intent.estate.name},
            url=reverse("fees:intent", args=[intent.pk]),
            since=intent.opened_at.date(),
            detail=text,
        )
        for intent, text in rows[:LIMIT]
    ]


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    if not (scope.on_committee() or scope.is_company_staff()):
        return []
    return _intent_items(user, today) + _meeting_items(user, today)
