"""The disclosure book of one estate (公示本; docs/DESIGN.md §4.4; the seed's Yuntai-2 list), assembled once for
the public page, the PDF and the API. Money stays Decimal throughout; only the chart options hold floats.

Period totals of a ledger are taken as posted: ``income`` is the sum of its ``in`` entries in the period and
``expense`` of its ``out`` entries (a reversal counts in the direction it was posted), so that
``opening + income − expense = closing`` exactly, the same balances the public ledger page shows. The
period is a run of the chain in seq order ending at its head (``ledger_periods``), never a filter on dates,
so the book and ``gongzhi ledger verify`` cannot disagree. Income by
source nets reversals out (a reversed parking income is not income)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import charts
from gongzhi.core.masking import mask_phone
from gongzhi.disclosure.models import EstateRules, MajorMatter, RulesKind, Service, ServiceContent
from gongzhi.fees.models import PARKING_KINDS
from gongzhi.fees.rules import month_add, month_start
from gongzhi.fees.selectors import commitment_check, standards_in_force
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.registry.models import Contract, Estate, OwnersCommittee

PERIODS = {6: gettext_lazy("近半年"), 12: gettext_lazy("近一年"), 24: gettext_lazy("近两年")}
DEFAULT_MONTHS = 12
ZERO = Decimal("0.00")


def period_months(value) -> int:
    try:
        months = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return months if months in PERIODS else DEFAULT_MONTHS


@dataclass
class LedgerPeriod:
    ledger: str
    label: str
    opening: Decimal = ZERO
    income: Decimal = ZERO
    expense: Decimal = ZERO
    closing: Decimal = ZERO
    entries: list[dict] = field(default_factory=list)  # in the period, oldest first
    head: dict | None = None  # the chain's latest entry (whole chain, not only the period)
    count: int = 0

    @property
    def uses(self) -> list[dict]:
        return [e for e in self.entries if e["direction"] == Direction.OUT and e["reverses_id"] is None]

    def by_category(self, direction: str) -> list[tuple[str, Decimal]]:
        """Net amounts per category of entries posted in ``direction``, reversals netted out, largest first."""
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for e in self.entries:
            name = e["category"] or _("未分类")
            if e["direction"] == direction and e["reverses_id"] is None:
                totals[name] += e["amount"]
            elif (
                e["direction"] != direction
                and e["reverses_id"] is not None
                and e["reverses_direction"] == direction
            ):
                totals[name] -= e["amount"]
        return sorted(((k, v) for k, v in totals.items() if v > 0), key=lambda kv: -kv[1])

    @property
    def balance_points(self) -> list[tuple[dt.date, Decimal]]:
        """(day, balance) in chain order; an entry posted late with an earlier date is drawn on the day of
        the entry before it, so the line ends at the chain's closing balance."""
        points: dict[dt.date, Decimal] = {}
        day = None
        for e in self.entries:
            day = e["date"] if day is None else max(day, e["date"])
            points[day] = e["balance"]
        return sorted(points.items())


def ledger_periods(estate_id: int, start: dt.date, end: dt.date) -> dict[str, LedgerPeriod]:
    """The three ledgers' period figures, read from each chain in seq order (issue 11): the period runs from
    the first entry dated on or after ``start`` to the chain's head — or, for a book of an earlier day, to
    the last entry before the first one dated after ``end`` (no entry is dated in the future, so nothing
    after it in the chain existed on ``end``). An entry posted late with an earlier date is therefore
    counted where the chain has it, so opening + income − expense = closing = the balance of the entry the
    book ends at, the balance ``ledger verify`` prints. Two queries whatever the number of entries."""
    labels = dict(LedgerKind.choices)
    result = {kind: LedgerPeriod(ledger=kind, label=str(labels[kind])) for kind in LedgerKind.values}
    bounds = (
        LedgerEntry.objects.filter(estate_id=estate_id)
        .order_by()
        .values("ledger")
        .annotate(
            first_in=Min("seq", filter=Q(date__gte=start)),
            first_after=Min("seq", filter=Q(date__gt=end)),
            last=Max("seq"),
        )
    )
    ranges: dict[
        str, tuple[int, int, int | None]
    ] = {}  # ledger → (lowest seq read, last seq, first in period)
    for row in bounds:
        last = row["last"] if row["first_after"] is None else row["first_after"] - 1
        if last < 1:
            continue  # the chain began after ``end``
        first_in = row["first_in"]
        if first_in is not None and first_in > last:
            first_in = None
        ranges[row["ledger"]] = (first_in or last, last, first_in)
    if not ranges:
        return result
    wanted = Q()
    for ledger, (low, high, _first) in ranges.items():
        wanted |= Q(ledger=ledger, seq__gte=max(low, 1), seq__lte=high)
    rows = (
        LedgerEntry.objects.filter(wanted, estate_id=estate_id)
        .order_by("ledger", "seq")
        .values(
            "ledger",
            "seq",
            "date",
            "direction",
            "amount",
            "balance",
            "summary",
            "category",
            "counterparty",
            "reference",
            "project",
            "reverses_id",
            "reverses__direction",
            "reverses__seq",
            "hash",
        )
    )
    for row in rows:
        row["reverses_direction"] = row.pop("reverses__direction")
        period = result[row["ledger"]]
        _low, high, first_in = ranges[row["ledger"]]
        if first_in is not None and row["seq"] >= first_in:
            if not period.entries:
                # Balance before the first entry of the period = its balance undone.
                sign = -1 if row["direction"] == Direction.IN else 1
                period.opening = row["balance"] + sign * row["amount"]
            period.entries.append(row)
            if row["direction"] == Direction.IN:
                period.income += row["amount"]
            else:
                period.expense += row["amount"]
        elif first_in is None:
            period.opening = row["balance"]  # nothing in the period: the balance stands
        if row["seq"] == high:
            period.head = {k: row[k] for k in ("ledger", "seq", "date", "balance", "hash")}
            period.count = row["seq"]
            period.closing = row["balance"]
    for period in result.values():
        if period.head is None:
            period.closing = period.opening
    return result


def _disclosure_states(estate_id: int, today: dt.date) -> list:
    """The finance app's disclosure schedule for this estate, when that app offers it."""
    try:
        from gongzhi.finance.selectors import disclosure_status
    except ImportError:  # the schedule is optional for the book
        return []
    labels = dict(LedgerKind.choices)
    states = disclosure_status(estate_ids=[estate_id], today=today)
    return [
        {"label": labels[kind], "state": states[(estate_id, kind)]}
        for kind in LedgerKind.values
        if (estate_id, kind) in states
    ]


def _committee(estate: Estate, today: dt.date) -> dict | None:
    committees = list(
        OwnersCommittee.objects.filter(estate=estate).prefetch_related("members").order_by("-term_start")
    )
    current = next(
        (c for c in committees if c.term_start <= today <= c.term_end), committees[0] if committees else None
    )
    if current is None:
        return None
    order = {"director": 0, "deputy": 1, "member": 2}
    members = sorted(current.members.all(), key=lambda m: (order.get(m.position, 9), m.name))
    return {
        "term_start": current.term_start,
        "term_end": current.term_end,
        "current": current.term_start <= today <= current.term_end,
        "members": [
            {
                "name": m.name,
                "position": m.get_position_display(),
                "is_party_member": m.is_party_member,
                "is_cross_appointed": m.is_cross_appointed,
                "phone": mask_phone(m.phone),  # personal phones are never shown in full in public
            }
            for m in members
        ],
    }


def book(estate: Estate, *, months: int = DEFAULT_MONTHS, today: dt.date | None = None) -> dict:
    """Everything the book shows for the period of ``months`` months ending today."""
    today = today or timezone.localdate()
    start = month_add(month_start(today), -(months - 1))
    contract = (
        Contract.objects.active(today)
        .filter(estate=estate)
        .select_related("company")
        .order_by("-start_date")
        .first()
    )
    ledgers = ledger_periods(estate.pk, start, today)
    standards = standards_in_force([estate.pk], on=today).get(estate.pk, [])
    services = {s.service: s for s in ServiceContent.objects.filter(estate=estate)}
    rules_all = list(EstateRules.objects.filter(estate=estate).order_by("kind", "-adopted_on"))
    rules = []
    for kind, label in RulesKind.choices:
        versions = [r for r in rules_all if r.kind == kind]
        rules.append(
            {
                "kind": kind,
                "label": label,
                "current": versions[0] if versions else None,
                "versions": len(versions),
            }
        )
    matters = list(
        MajorMatter.objects.filter(estate=estate, date__gte=start, date__lte=today).order_by("-date", "-pk")
    )
    fund, income, fee = (
        ledgers[k] for k in (LedgerKind.MAINTENANCE_FUND, LedgerKind.PUBLIC_INCOME, LedgerKind.PROPERTY_FEE)
    )
    return {
        "estate": estate,
        "today": today,
        "months": months,
        "period_label": PERIODS[months],
        "start": start,
        "end": today,
        "committee": _committee(estate, today),
        "contract": contract,
        "company": contract.company if contract else None,
        "company_phone": mask_phone(contract.company.contact_phone) if contract else "",
        "matters": matters,
        "fund": fund,
        "income": income,
        "income_sources": income.by_category(Direction.IN),
        "fee": fee,
        "fee_income": fee.by_category(Direction.IN),
        "fee_expense": fee.by_category(Direction.OUT),
        "services": [{"key": k, "label": label, "content": services.get(k)} for k, label in Service.choices],
        # the company's commitment checked item by item against the street's 四保 standard for the level its
        # contract names (docs/FEES.md §9): the same check the office page shows, open to every resident
        "service_check": commitment_check(estate, today=today, contract=contract),
        "property_standards": [s for s in standards if s.kind not in PARKING_KINDS],
        "parking_standards": [s for s in standards if s.kind in PARKING_KINDS],
        "rules": rules,
        "disclosures": _disclosure_states(estate.pk, today),
        "ledgers": [fund, income, fee],
    }


def fund_chart(data: dict) -> dict | None:
    """ECharts option: the maintenance-fund balance over the period (display floats only)."""
    fund: LedgerPeriod = data["fund"]
    points = [(data["start"].isoformat(), float(fund.opening))]
    points += [(d.isoformat(), float(b)) for d, b in fund.balance_points]
    points.append((data["end"].isoformat(), float(fund.closing)))  # the axis spans the whole period
    if not fund.entries and not fund.opening:
        return None
    return charts.balance_over_time(points, grid=charts.grid(70, 12, 20, 30), colour="#1f5fa8")


def income_chart(data: dict) -> dict | None:
    sources = data["income_sources"]
    if not sources:
        return None
    return charts.amounts_by_category(
        [s[0] for s in sources],
        [float(s[1]) for s in sources],
        grid=charts.grid(70, 12, 20, 40),
        colour="#e6a23c",
    )
