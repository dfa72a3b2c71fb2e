"""数据体检 plug-in (core/health.py): every use of the owners' money backed by their decision, and every
decided use of the fund present in its ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import plain_date
from gongzhi.core.health import ERROR, WARNING, Finding, Invariant
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.finance.rules import CATEGORY_TRANSFER_OUT

# A passed decision to use the fund is paid within this many days (works take weeks, not seasons).
FUND_DECISION_PAID_WITHIN_DAYS = 180


def _spending(street, ledger: str | None = None):
    """Out-entries that spend money (of one kind of ledger, or all): no reversing entries, no transfers of
    public income to the fund. Reversed entries are left out by the caller (``_reversed``)."""
    spending = LedgerEntry.objects.filter(
        estate__area__street=street, direction=Direction.OUT, reverses=None
    ).exclude(category=CATEGORY_TRANSFER_OUT)
    return spending if ledger is None else spending.filter(ledger=ledger)


def _reversed(street) -> set[int]:
    """Ids of the street's entries that a later entry reverses (a correction, not a payment)."""
    return set(
        LedgerEntry.objects.filter(estate__area__street=street)
        .exclude(reverses=None)
        .values_list("reverses_id", flat=True)
    )


def fund_use_has_decision(street, today: dt.date):
    """Civil Code art. 278 (5), art. 281: the maintenance fund is used only on the owners' decision, so
    every payment out of it names that decision (its number in 依据文号)."""
    entries = (
        _spending(street, LedgerKind.MAINTENANCE_FUND)
        .filter(reference="")
        .select_related("estate")
        .order_by("estate__name", "date", "seq")
    )
    reversed_ids = _reversed(street)
    for entry in entries:
        if entry.pk in reversed_ids:
            continue
        yield Finding(
            ERROR,
            gettext(
                "%(estate)s：维修资金于%(day)s支出%(amount)s元（%(summary)s），没有注明业主大会决定文号。"
            )
            % {
                "estate": entry.estate.name,
                "day": plain_date(entry.date),
                "amount": f"{entry.amount:,.2f}",
                "summary": entry.summary,
            },
            reverse("finance:estate", args=[entry.estate_id]),
        )


def job_paid_once(street, today: dt.date):
    """One job is paid from one account: a project paid from both the maintenance fund and public income
    (or the fee account) counts its cost twice in the owners' books."""
    ledgers: dict[tuple[int, str], set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    reversed_ids = _reversed(street)
    for pk, estate_id, estate, project, ledger in (
        _spending(street)
        .exclude(project="")
        .values_list("pk", "estate_id", "estate__name", "project", "ledger")
    ):
        if pk in reversed_ids:
            continue
        ledgers[(estate_id, project)].add(ledger)
        names[estate_id] = estate
    labels = dict(LedgerKind.choices)
    for (estate_id, project), kinds in sorted(
        ledgers.items(), key=lambda item: (names[item[0][0]], item[0][1])
    ):
        if len(kinds) < 2:
            continue
        yield Finding(
            ERROR,
            gettext("%(estate)s：项目“%(project)s”同时从%(ledgers)s支出。")
            % {
                "estate": names[estate_id],
                "project": project,
                "ledgers": "、".join(str(labels[k]) for k in sorted(kinds)),
            },
            reverse("finance:estate", args=[estate_id]),
        )


def fund_decisions_in_ledger(street, today: dt.date):
    """A passed decision to use the maintenance fund (art. 278 (5)) shows in the fund's ledger as payments
    after the vote, within ``FUND_DECISION_PAID_WITHIN_DAYS``."""
    from gongzhi.voting.models import Decision, Matter

    decisions = (
        Decision.objects.filter(estate__area__street=street, matter=Matter.USE_FUND, passed=True)
        .exclude(finalised_at=None)
        .select_related("estate")
        .order_by("estate__name", "closes_at")
    )
    for decision in decisions:
        closed = timezone.localdate(decision.closes_at)
        if closed > today - dt.timedelta(days=FUND_DECISION_PAID_WITHIN_DAYS):
            continue
        paid = _spending(street, LedgerKind.MAINTENANCE_FUND).filter(
            estate_id=decision.estate_id, date__gte=closed
        )
        if not set(paid.values_list("pk", flat=True)) - _reversed(street):
            yield Finding(
                WARNING,
                gettext(
                    "%(estate)s：业主大会于%(day)s表决通过使用维修资金（“%(title)s”），维修资金账本中此后%(days)d天内没有相应支出。"
                )
                % {
                    "estate": decision.estate.name,
                    "day": plain_date(closed),
                    "title": decision.title,
                    "days": FUND_DECISION_PAID_WITHIN_DAYS,
                },
                reverse("voting:detail", args=[decision.pk]),
            )


INVARIANTS = [
    Invariant(
        "finance.fund_use_has_decision",
        _("维修资金的每笔使用都有业主大会决定"),
        fund_use_has_decision,
        _("《民法典》第二百七十八条第一款第（五）项：使用维修资金由业主共同决定。"),
    ),
    Invariant(
        "finance.job_paid_once",
        _("一项工程只从一个账户支出"),
        job_paid_once,
        _("同一项目不得同时从维修资金和公共收益（或物业费）列支。"),
    ),
    Invariant(
        "finance.fund_decisions_in_ledger",
        _("通过的维修资金使用决定已入账"),
        fund_decisions_in_ledger,
        _("业主大会决定使用的维修资金应在账本中如实记载。"),
    ),
]
