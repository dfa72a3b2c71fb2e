"""Reads of the ledgers: the §6 lines of a chain, the list of chains (docs/DESIGN.md §6), where each ledger
stands against its disclosure schedule and the current breaches of the money rules (§5)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.finance.models import LedgerEntry, LedgerKind
from gongzhi.finance.rules import (
    CATEGORY_INITIAL,
    CATEGORY_TRANSFER_OUT,
    CENTS,
    LEDGER_KINDS,
    LEGAL_INTERVAL_MONTHS,
    LOW_FUND_PERCENT,
    REPLENISH_DAYS,
    TRANSFER_PERCENT,
    days_overdue,
    disclosure_due,
    first_below,
    money_text,
    quarter_bounds,
    quarter_judged_from,
    quarter_of,
    transfer_is_short,
    transfer_quarter,
)


def entry_line(entry: LedgerEntry, *, reverses_seq: int | None = None) -> dict[str, Any]:
    """The §6 export of one entry; its ``hash`` is ``entry_hash`` of exactly this dict.

    ``estate`` is the estate's id as a string (stable); ``estate_name`` and the optional fields are extras,
    covered by the hash like everything else. ``corrects`` (the disclosed period a correction names) is
    present only on corrections, so entries hashed before it existed keep their hashes."""
    line = {
        "seq": entry.seq,
        "estate": str(entry.estate_id),
        "estate_name": entry.estate_name,
        "ledger": entry.ledger,
        "date": entry.date.isoformat(),
        "direction": entry.direction,
        "amount": money_text(entry.amount),
        "balance": money_text(entry.balance),
        "summary": entry.summary,
        "category": entry.category,
        "counterparty": entry.counterparty,
        "reference": entry.reference,
        "project": entry.project,
        "reverses": reverses_seq,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
    if entry.corrects:
        line["corrects"] = entry.corrects
    return line


def ledger_lines(estate_id: int, ledger: str) -> list[dict[str, Any]]:
    """The whole chain of one estate's ledger in §6 form, in seq order."""
    entries = LedgerEntry.objects.chain(estate_id, ledger).select_related("reverses")
    return [entry_line(e, reverses_seq=e.reverses.seq if e.reverses else None) for e in entries]


def ledger_chains(estate_id: int | None = None) -> list[tuple[int, str]]:
    """Every (estate id, ledger) pair that has entries."""
    rows = LedgerEntry.objects.all()
    if estate_id is not None:
        rows = rows.filter(estate_id=estate_id)
    return list(rows.order_by("estate_id", "ledger").values_list("estate_id", "ledger").distinct())


def ledger_opening(estate_id: int, ledger: str) -> dt.date | None:
    """The date of a ledger's first entry (its opening), or None while it is empty."""
    return (
        LedgerEntry.objects.filter(estate_id=estate_id, ledger=ledger, seq=1)
        .values_list("date", flat=True)
        .first()
    )


def last_disclosed_end(estate_id: int, ledger: str) -> dt.date | None:
    """The end of the latest period of this ledger that has been disclosed, or None."""
    from gongzhi.finance.models import Disclosure

    return (
        Disclosure.objects.filter(estate_id=estate_id, ledger=ledger)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


# ---- Disclosure schedule (docs/DESIGN.md §5) ---------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureState:
    """Where one estate's ledger stands against its disclosure schedule."""

    estate_id: int
    ledger: str
    interval_months: int  # in force (tightened or the legal default)
    legal_interval_months: int
    last_period_end: dt.date | None
    last_posted_on: dt.date | None
    last_place: str
    first_entry: dt.date | None
    due_date: dt.date | None  # None: nothing to disclose yet (no entries, never disclosed)
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def tightened(self) -> bool:
        return self.interval_months < self.legal_interval_months


def disclosure_status(*, estate_ids, today: dt.date | None = None) -> dict[tuple[int, str], DisclosureState]:
    """(estate id, ledger) → its DisclosureState, for every ledger kind of every given estate. Three
    queries whatever the number of estates (schedules, latest disclosures, first entries)."""
    from gongzhi.finance.models import Disclosure, DisclosureSchedule

    today = today or timezone.localdate()
    estate_ids = list(estate_ids)
    intervals = {
        (e, ledger): months
        for e, ledger, months in DisclosureSchedule.objects.filter(estate_id__in=estate_ids).values_list(
            "estate_id", "ledger", "interval_months"
        )
    }
    latest_pk = (
        Disclosure.objects.filter(estate_id=OuterRef("estate_id"), ledger=OuterRef("ledger"))
        .order_by("-period_end", "-pk")
        .values("pk")[:1]
    )
    latest = {
        (row["estate_id"], row["ledger"]): row
        for row in Disclosure.objects.filter(estate_id__in=estate_ids, pk=Subquery(latest_pk)).values(
            "estate_id", "ledger", "period_end", "posted_on", "place"
        )
    }
    first = {
        (e, ledger): day
        for e, ledger, day in LedgerEntry.objects.filter(estate_id__in=estate_ids)
        .order_by()
        .values_list("estate_id", "ledger")
        .annotate(first=Min("date"))
        .values_list("estate_id", "ledger", "first")
    }
    states = {}
    for estate_id in estate_ids:
        for ledger in LEDGER_KINDS:
            key = (estate_id, ledger)
            legal = LEGAL_INTERVAL_MONTHS[ledger]
            months = intervals.get(key, legal)
            last = latest.get(key)
            last_end = last["period_end"] if last else None
            due = disclosure_due(last_period_end=last_end, first_entry=first.get(key), months=months)
            states[key] = DisclosureState(
                estate_id=estate_id,
                ledger=ledger,
                interval_months=months,
                legal_interval_months=legal,
                last_period_end=last_end,
                last_posted_on=last["posted_on"] if last else None,
                last_place=last["place"] if last else "",
                first_entry=first.get(key),
                due_date=due,
                days_overdue=days_overdue(due, today),
            )
    return states


# ---- Money-rule alerts (docs/DESIGN.md §5) -----------------------------------------------------------------


class AlertKind:
    LOW_FUND = "low_fund"
    TRANSFER_SHORT = "transfer_short"
    USE_NO_DECISION = "use_no_decision"
    USE_NO_AUDIT = "use_no_audit"


ALERT_LABELS = {
    AlertKind.LOW_FUND: gettext_lazy("维修资金余额低于初始金额 30%"),
    AlertKind.TRANSFER_SHORT: gettext_lazy("公共收益转入维修资金未过半"),
    AlertKind.USE_NO_DECISION: gettext_lazy("维修资金使用缺业主大会决定"),
    AlertKind.USE_NO_AUDIT: gettext_lazy("维修资金使用缺审价报告"),
}


@dataclass(frozen=True)
class Alert:
    """One breach of a money rule. ``day`` is when it arose (first below 30 %, the quarter's end, the
    use's date); ``due`` the replenish deadline of a low fund."""

    kind: str
    estate_id: int
    ledger: str
    day: dt.date
    detail: str
    amount: Decimal | None = None  # the balance, the quarter's income, the use's amount
    threshold: Decimal | None = None  # 30 % of the initial amount, the required transfer
    actual: Decimal | None = None  # the amount transferred
    entry_id: int | None = None
    seq: int | None = None
    due: dt.date | None = None
    days_overdue: int = 0
    period: str = ""

    @property
    def label(self) -> str:
        return str(ALERT_LABELS[self.kind])

    @property
    def key(self) -> str:
        """Identifies the alert for ``finance_check`` (one notification per alert)."""
        return f"{self.kind}:{self.estate_id}:{self.seq or ''}:{self.period or self.day.isoformat()}"


def _net_initial(rows) -> dict[int, Decimal]:
    initial: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["category"] != CATEGORY_INITIAL:
            continue
        sign = 1 if row["direction"] == "in" else -1
        initial[row["estate_id"]] += sign * row["amount"]
    return initial


def money_alerts(*, estate_ids, today: dt.date | None = None) -> list[Alert]:
    """Every current breach of the §5 money rules in these estates. Four queries whatever the number of
    estates (profiles, fund entries, evidence, public-income entries)."""
    from gongzhi.finance.models import EvidenceKind, FinanceProfile, FundUseEvidence

    today = today or timezone.localdate()
    estate_ids = list(estate_ids)
    profiles = {
        e: (initial, tops_up)
        for e, initial, tops_up in FinanceProfile.objects.filter(estate_id__in=estate_ids).values_list(
            "estate_id", "initial_fund_amount", "income_tops_up_fund"
        )
    }
    fund = list(
        LedgerEntry.objects.filter(estate_id__in=estate_ids, ledger=LedgerKind.MAINTENANCE_FUND)
        .order_by("estate_id", "seq")
        .values(
            "pk",
            "estate_id",
            "seq",
            "date",
            "direction",
            "amount",
            "balance",
            "category",
            "reference",
            "reverses_id",
            "summary",
            "project",
        )
    )
    alerts: list[Alert] = []
    alerts += _low_fund_alerts(fund, profiles, today)
    alerts += _use_alerts(fund, FundUseEvidence, EvidenceKind)
    tops_up = [e for e, (_initial, flag) in profiles.items() if flag]
    if tops_up:
        alerts += _transfer_alerts(tops_up, today)
    alerts.sort(key=lambda a: (a.estate_id, a.kind, a.day, a.seq or 0))
    return alerts


def _low_fund_alerts(fund, profiles, today) -> list[Alert]:
    derived = _net_initial(fund)
    by_estate: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for row in fund:
        by_estate[row["estate_id"]].append((row["date"], row["balance"]))
    alerts = []
    for estate_id, points in by_estate.items():
        explicit = profiles.get(estate_id, (None, False))[0]
        initial = explicit if explicit is not None else derived.get(estate_id, Decimal(0))
        since = first_below(points, initial)
        if since is None:
            continue
        balance = points[-1][1]
        due = since + dt.timedelta(days=REPLENISH_DAYS)
        threshold = (initial * LOW_FUND_PERCENT / 100).quantize(CENTS)
        alerts.append(
            Alert(
                kind=AlertKind.LOW_FUND,
                estate_id=estate_id,
                ledger=LedgerKind.MAINTENANCE_FUND,
                day=since,
                detail=_(
                    "余额 %(balance)s 元，低于初始金额 %(initial)s 元的 30%%（%(threshold)s 元）；"
                    "应于 %(due)s 前续筹"
                )
                % {"balance": balance, "initial": initial, "threshold": threshold, "due": due.isoformat()},
                amount=balance,
                threshold=threshold,
                due=due,
                days_overdue=days_overdue(due, today),
            )
        )
    return alerts


def _use_alerts(fund, evidence_model, kinds) -> list[Alert]:
    reversed_ids = {row["reverses_id"] for row in fund if row["reverses_id"]}
    uses = [
        row
        for row in fund
        if row["direction"] == "out" and row["reverses_id"] is None and row["pk"] not in reversed_ids
    ]
    if not uses:
        return []
    have: dict[int, set[str]] = defaultdict(set)
    for entry_id, kind in evidence_model.objects.filter(entry_id__in=[u["pk"] for u in uses]).values_list(
        "entry_id", "kind"
    ):
        have[entry_id].add(kind)
    alerts = []
    for use in uses:
        what = use["project"] or use["summary"]
        common = {
            "estate_id": use["estate_id"],
            "ledger": LedgerKind.MAINTENANCE_FUND,
            "day": use["date"],
            "amount": use["amount"],
            "entry_id": use["pk"],
            "seq": use["seq"],
        }
        if not use["reference"].strip() and kinds.DECISION not in have[use["pk"]]:
            detail = _("第 %(seq)d 条“%(what)s”没有业主大会决定文号，也未上传决定") % {
                "seq": use["seq"],
                "what": what,
            }
            alerts.append(Alert(kind=AlertKind.USE_NO_DECISION, detail=detail, **common))
        if kinds.PRICE_AUDIT not in have[use["pk"]]:
            detail = _("第 %(seq)d 条“%(what)s”未上传审价报告") % {"seq": use["seq"], "what": what}
            alerts.append(Alert(kind=AlertKind.USE_NO_AUDIT, detail=detail, **common))
    return alerts


def _transfer_alerts(estate_ids, today) -> list[Alert]:
    rows = (
        LedgerEntry.objects.filter(estate_id__in=estate_ids, ledger=LedgerKind.PUBLIC_INCOME)
        .order_by("estate_id", "seq")
        .values_list("estate_id", "date", "direction", "amount", "category", "reverses__date")
    )
    income: dict[tuple[int, tuple[int, int]], Decimal] = defaultdict(Decimal)
    moved: dict[tuple[int, tuple[int, int]], Decimal] = defaultdict(Decimal)
    for estate_id, day, direction, amount, category, reversed_day in rows:
        is_transfer = category == CATEGORY_TRANSFER_OUT
        if reversed_day is None:  # an ordinary entry
            if is_transfer and direction == "out":
                moved[estate_id, transfer_quarter(day)] += amount
            elif direction == "in":
                income[estate_id, quarter_of(day)] += amount
        elif is_transfer and direction == "in":  # undoes a transfer
            moved[estate_id, transfer_quarter(reversed_day)] -= amount
        elif direction == "out" and not is_transfer:  # undoes an income
            income[estate_id, quarter_of(reversed_day)] -= amount
    alerts = []
    for (estate_id, (year, quarter)), total in sorted(income.items()):
        if quarter_judged_from(year, quarter) > today:
            continue
        transferred = moved.get((estate_id, (year, quarter)), Decimal(0))
        if not transfer_is_short(total, transferred):
            continue
        _start, end = quarter_bounds(year, quarter)
        period = f"{year}Q{quarter}"
        share = (transferred * 100 / total).quantize(CENTS)
        alerts.append(
            Alert(
                kind=AlertKind.TRANSFER_SHORT,
                estate_id=estate_id,
                ledger=LedgerKind.PUBLIC_INCOME,
                day=end,
                detail=_(
                    "%(year)d 年第 %(q)d 季度公共收益 %(income)s 元，转入维修资金 %(moved)s 元（%(share)s%%），"
                    "未过半数"
                )
                % {"year": year, "q": quarter, "income": total, "moved": transferred, "share": share},
                amount=total,
                threshold=(total * TRANSFER_PERCENT / 100).quantize(CENTS),
                actual=transferred,
                period=period,
            )
        )
    return alerts
