"""Ledgers in the "today" list (``core/today.py``): disclosures due or overdue for whoever keeps the
ledger (the owners' committee the owners' ledgers, the managing company the fee account), and the
street admin's count of estates with money alerts and of overdue disclosures. Read through the door;
a fixed number of queries whatever the number of estates (``disclosure_status``, ``money_alerts``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.scopes import Scope, admin_estate_ids, committee_estates, estates_as_company, visible
from gongzhi.core.today import LIMIT, TodayItem, date_text, more
from gongzhi.finance.models import LedgerKind
from gongzhi.finance.permissions import OWNERS_LEDGERS
from gongzhi.finance.selectors import disclosure_status, money_alerts

AHEAD_DAYS = 14  # a disclosure shows up two weeks before it is due: time to prepare the accounts


def _disclosure_items(user, today: dt.date) -> list[TodayItem]:
    kept = {e.pk: e for e in visible(user, committee_estates(user))}
    fee = {e.pk: e for e in visible(user, estates_as_company(user))}
    wanted = [(e, ledger) for e in kept for ledger in OWNERS_LEDGERS]
    wanted += [(e, LedgerKind.PROPERTY_FEE) for e in fee]
    if not wanted:
        return []
    states = disclosure_status(estate_ids={**kept, **fee}.keys(), today=today)
    estates = {**kept, **fee}
    horizon = today + dt.timedelta(days=AHEAD_DAYS)
    due = sorted(
        (s for s in (states[key] for key in wanted) if (s.due_date or dt.date.max) <= horizon),
        key=lambda s: (s.due_date or dt.date.max, s.estate_id, s.ledger),
    )
    shown = [
        TodayItem(
            kind="finance.disclose",
            label=_("公示到期"),
            title=_("%(estate)s · %(ledger)s公示")
            % {"estate": estates[s.estate_id].name, "ledger": LedgerKind(s.ledger).label},
            url=reverse("finance:estate", args=[s.estate_id]) + f"?ledger={s.ledger}#disclosure",
            due=s.due_date,
            detail=_("每 %(months)s 个月公示一次，应于 %(day)s 前公示")
            % {"months": s.interval_months, "day": date_text(s.due_date)},
        )
        for s in due[:LIMIT]
    ]
    return more(
        shown, len(due), kind="finance.disclose", label=_("公示到期"), url=reverse("finance:disclosures")
    )


def _street_items(user, today: dt.date) -> list[TodayItem]:
    estate_ids = sorted(admin_estate_ids(user))
    if not estate_ids:
        return []
    items = []
    alerts = money_alerts(estate_ids=estate_ids, today=today)
    flagged = {a.estate_id for a in alerts}
    if flagged:
        n = len(flagged)
        items.append(
            TodayItem(
                kind="finance.street_alerts",
                label=_("资金预警"),
                title=ngettext("%(n)s 个小区有资金预警", "%(n)s 个小区有资金预警", n) % {"n": n},
                url=reverse("finance:alerts"),
                detail=ngettext("共 %(n)s 条预警，请督促整改", "共 %(n)s 条预警，请督促整改", len(alerts))
                % {"n": len(alerts)},
                count=n,
            )
        )
    overdue = [s for s in disclosure_status(estate_ids=estate_ids, today=today).values() if s.overdue]
    if overdue:
        n = len({s.estate_id for s in overdue})
        oldest = min(s.due_date for s in overdue if s.due_date)
        items.append(
            TodayItem(
                kind="finance.street_disclosures",
                label=_("公示超期"),
                title=ngettext("%(n)s 个小区的收支公示已超期", "%(n)s 个小区的收支公示已超期", n) % {"n": n},
                url=reverse("finance:disclosures") + "?overdue=yes",
                due=oldest,
                count=n,
            )
        )
    return items


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    result: list[TodayItem] = []
    if scope.on_committee() or scope.is_company_staff():
        result += _disclosure_items(user, today)
    if scope.is_street_admin():
        result += _street_items(user, today)
    return result
