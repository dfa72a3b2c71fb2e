"""The demo street's ledgers (演示账本; docs/DESIGN.md §4.4, §5, §6, §8): the finance ``demo_data``
plug-in (``demo_create``, ``demo_delete``, ``demo_fingerprint``; see gongzhi.core.plugins).

``demo_create`` writes two years of the three ledgers of every estate of the demo street —
maintenance fund, public income, property fee — ending when the demo's "today" begins, as a pure
function of (seed, today) and the loaded street (registry areas and contracts), in two bulk inserts.
Each row is what ``services.ledger_post`` / ``ledger_reverse`` would have left behind: seq 1, 2, …,
``prev_hash`` the previous ``hash`` (64 zeros first), ``hash`` = ``rules.entry_hash`` of
``selectors.entry_line``, balances never negative — so ``gongzhi ledger verify --database`` passes.

What the history holds, on purpose:

- The fund opens with a first deposit per m² of the estate's registered area (category
  ``CATEGORY_INITIAL``: the "initial amount" of the 30 % rule), earns interest every 21 December,
  pays a few repairs a year (project, contractor, owners' decision number) and receives the public
  income transferred in some estates. A few repairs carry no decision number, and in a few estates
  (``LOW_FUND_SHARE``) a late large repair leaves less than 30 % of the initial amount — what the
  alerts of §5 are there to find.
- Public income: parking monthly, advertising quarterly, venue rental in some estates; out go small
  community expenses and, where the owners decided so, more than half of each quarter's income to the
  fund (the same amount on the same day in both ledgers).
- The property fee account: monthly fee income ≈ area × fee standard × collection rate of the contract
  in force that month; staff, cleaning and security monthly, greening and repair quarterly.
- A couple of mistakes corrected by reversing entries that name the entry and the reason.

No ``posted_by`` (the demo logins did not post them) and no audit row per entry: the demo street's one
import audit row covers the ledgers. ``posted_at`` is when the demo was loaded, as for any import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from django.db import transaction
from django.db.models import Sum

from gongzhi.finance.maintenance import purge_demo_ledgers
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.finance.rules import (
    CATEGORY_INITIAL as RULES_CATEGORY_INITIAL,
)
from gongzhi.finance.rules import (
    CATEGORY_TRANSFER_IN,
    CATEGORY_TRANSFER_OUT,
    CENTS,
    GENESIS,
    LEGAL_INTERVAL_MONTHS,
    add_months,
    entry_hash,
    money_text,
    next_balance,
    quarter_of,
    transfer_quarter,
)
from gongzhi.finance.selectors import entry_line
from gongzhi.registry import models as r
from gongzhi.voting.demo_data import ROOF_CONTRACTOR, roof_vote

__all__ = [
    "CATEGORY_INITIAL",
    "CATEGORY_REPAIR",
    "CATEGORY_TRANSFER",
    "LOW_FUND_SHARE",
    "MONTHS",
    "demo_create",
    "demo_delete",
    "demo_fingerprint",
]

MONTHS = 24  # two years of history before "today"
LOW_FUND_SHARE = Decimal("0.30")  # §5: a fund below 30 % of its initial amount must be replenished
LOW_FUND_ESTATES = 6  # estates whose fund ends below that line
MISSING_DECISION_ESTATES = 5  # estates with at least one repair paid without an owners' decision
SHORT_TRANSFER_ORDINALS = (2, 5)  # these topping-up estates (in order) move too little in two quarters
OVERDUE_ESTATES = 7  # estates with a ledger whose disclosure is overdue
MISSING_AUDIT_SHARE = Decimal("0.08")  # fund uses without a price-audit report
FUND, INCOME, FEE = LedgerKind.MAINTENANCE_FUND, LedgerKind.PUBLIC_INCOME, LedgerKind.PROPERTY_FEE
IN, OUT = Direction.IN, Direction.OUT

# Categories of the demo entries (data, like every other text of the demo street).
CATEGORY_INITIAL = RULES_CATEGORY_INITIAL  # "首期归集"
CATEGORY_INTEREST = "利息"
CATEGORY_REPAIR = "维修使用"
CATEGORY_TRANSFER = CATEGORY_TRANSFER_IN  # "公共收益转入"

# fmt: off
REPAIRS = (  # project, share of the initial amount (per mille, low–high)
    ("{b}号楼屋面防水维修", 20, 60), ("{b}号楼外墙渗漏修缮", 30, 80), ("{b}号楼电梯主要部件更换", 40, 90),
    ("小区消防设施维修", 15, 45), ("雨污水管道疏通改造", 15, 50), ("二次供水水箱清洗更换", 10, 35),
    ("{b}号楼楼道照明及电路改造", 8, 25), ("小区道路破损修补", 15, 40), ("{b}号楼单元门禁更换", 8, 20),
    ("{b}号楼落水管更换", 6, 18),
)
BIG_REPAIRS = ("{b}号楼电梯整体更新", "小区外墙综合整治", "多层住宅屋面平改坡")
CONTRACTORS = (
    "春江建筑修缮工程有限公司", "江岸防水工程有限公司", "恒升电梯工程有限公司", "安泰消防设备安装有限公司",
    "清源管道工程有限公司", "明远水务设备有限公司", "宏远建设工程有限公司", "立信电气安装有限公司",
)
COMMUNITY_EXPENSES = (  # summary, counterparty, yuan low–high
    ("重阳节慰问小区高龄老人", "", 800, 3000), ("业委会办公用品及打印费", "", 200, 900),
    ("公共收益年度审计费", "春江会计师事务所", 2000, 6000), ("春节小区环境布置", "", 500, 2500),
    ("业主大会会议场地及资料费", "", 300, 1500),
)
ADVERTISERS = ("江城传媒广告有限公司", "楼宇视界广告有限公司", "申畅数字媒体有限公司")
TENANTS = ("快递柜场地租赁", "通信基站场地租赁", "便民菜站场地租赁", "自动售水机场地租赁")
# fmt: on


@dataclass
class _Plan:
    """One entry before it is chained: ``amount`` may be decided when the balance is known."""

    date: dt.date
    order: int  # tie-break within a day
    direction: str
    summary: str
    amount: Decimal | None = None
    decide: Callable[[_Walk], Decimal | None] | None = None  # returns None to drop the entry
    category: str = ""
    counterparty: str = ""
    reference: str = ""
    project: str = ""
    reverses: _Plan | None = None
    reason: str = ""  # of a reversing entry
    kept: bool = False  # set by _walk
    entry: LedgerEntry | None = field(default=None, repr=False)


@dataclass
class _Walk:
    balance: Decimal = Decimal("0.00")
    since_transfer: Decimal = Decimal("0.00")  # public income received since the last transfer
    # public income by the quarter it is dated in, net of reversals (what the transfer rule reads)
    quarter_income: dict = field(default_factory=dict)


def _cents(rng: Random, low: int, high: int) -> Decimal:
    """A random amount in yuan between low and high, to the cent (no floats)."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _permille(rng: Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 1000


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENTS)


def _months(today: dt.date) -> list[dt.date]:
    """First days of the MONTHS months before today's month, then today's month."""
    year, month = today.year, today.month
    firsts = []
    for back in range(MONTHS, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        firsts.append(dt.date(y, m + 1, 1))
    return firsts


def _previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def _walk(plans: list[_Plan]) -> list[_Plan]:
    """Sort by date, decide the amounts in order (balances never negative), drop what is void."""
    plans.sort(key=lambda p: (p.date, p.order))
    state = _Walk()
    kept = []
    for plan in plans:
        amount = plan.decide(state) if plan.decide is not None else plan.amount
        if amount is None or amount <= 0:
            continue
        amount = _q(amount)
        if plan.direction == OUT and amount > state.balance:
            continue
        plan.amount, plan.kept = amount, True
        state.balance = next_balance(state.balance, plan.direction, amount)
        if plan.category == CATEGORY_TRANSFER_OUT:
            state.since_transfer = Decimal("0.00")
        elif plan.direction == IN and plan.reverses is None:
            state.since_transfer += amount
            quarter = quarter_of(plan.date)
            state.quarter_income[quarter] = state.quarter_income.get(quarter, Decimal(0)) + amount
        elif plan.direction == OUT and plan.reverses is not None:  # an income undone
            quarter = quarter_of(plan.reverses.date)
            state.quarter_income[quarter] = state.quarter_income.get(quarter, Decimal(0)) - amount
        kept.append(plan)
    return kept


def _spend(amount: Decimal, floor: Decimal = Decimal("0.00")) -> Callable[[_Walk], Decimal | None]:
    """An expense of about ``amount``, cut down so the balance stays at or above ``floor``."""

    def decide(state: _Walk) -> Decimal | None:
        room = state.balance - floor
        if room < amount / 4:
            return None
        return min(amount, _q(room))

    return decide


def _reversal(plans: list[_Plan], original: _Plan, when: dt.date, reason: str) -> None:
    """Plan the reversing entry of ``original`` (same amount, opposite direction, same extras)."""
    plans.append(
        _Plan(
            date=when,
            order=90,
            direction=OUT if original.direction == IN else IN,
            summary="",
            decide=lambda _state: original.amount if original.kept else None,
            category=original.category,
            counterparty=original.counterparty,
            reference=original.reference,
            project=original.project,
            reverses=original,
            reason=reason,
        )
    )


@dataclass
class _Estate:
    estate: r.Estate
    area: Decimal
    contracts: list[r.Contract]
    buildings: list[str]


def _contract_on(place: _Estate, day: dt.date) -> r.Contract | None:
    for contract in place.contracts:  # newest first
        if contract.start_date <= day <= contract.end_date:
            return contract
    earlier = [c for c in place.contracts if c.start_date <= day]
    return earlier[0] if earlier else (place.contracts[-1] if place.contracts else None)


def _income_plans(
    rng: Random,
    place: _Estate,
    months: list[dt.date],
    today: dt.date,
    transfers: bool,
    duplicate: bool,
    short: bool = False,
) -> list[_Plan]:
    area = place.area
    transfer_count = 0
    plans: list[_Plan] = []
    parking_rate = _permille(rng, 40, 160)  # yuan per m² of the estate and month
    ad_rate = _permille(rng, 15, 50)
    tenant = rng.choice(TENANTS) if rng.random() < 0.6 else None
    tenant_rent = _cents(rng, 1500, 6000)
    advertiser = rng.choice(ADVERTISERS)
    parking = []
    for first in months[1:]:
        last = _previous_month(first)
        label = f"{last.year}年{last.month}月"
        plan = _Plan(
            first.replace(day=10),
            10,
            IN,
            f"{label}停车管理收益",
            amount=_q(area * parking_rate * _permille(rng, 850, 1150)),
            category="停车收益",
        )
        plans.append(plan)
        parking.append(plan)
        if first.month in (1, 4, 7, 10):
            quarter = f"{last.year}年第{(last.month - 1) // 3 + 1}季度"
            plans.append(
                _Plan(
                    first.replace(day=15),
                    20,
                    IN,
                    f"{quarter}电梯及道闸广告收益",
                    amount=_q(area * ad_rate * 3 * _permille(rng, 900, 1100)),
                    category="广告收益",
                    counterparty=advertiser,
                )
            )
            if tenant is not None:
                plans.append(
                    _Plan(
                        first.replace(day=16),
                        30,
                        IN,
                        f"{quarter}{tenant}收入",
                        amount=tenant_rent,
                        category="场地租赁收益",
                    )
                )
            if transfers:
                share = _permille(rng, 550, 750)
                transfer_count += 1
                if short and transfer_count in (3, 6):  # two quarters moved too little: the §5 alert
                    share = _permille(rng, 300, 480)
                settles = transfer_quarter(first.replace(day=20))
                plans.append(
                    _Plan(
                        first.replace(day=20),
                        40,
                        OUT,
                        f"按业主大会决定将{quarter}公共收益的 {share * 100:.1f}% 转入专项维修资金",
                        # the quarter just ended (rules.transfer_quarter), as the §5 alert reads it
                        decide=lambda state, share=share, settles=settles: _q(
                            min(
                                state.quarter_income.get(settles, Decimal(0)) * share,
                                state.balance,
                            )
                        ),
                        category=CATEGORY_TRANSFER_OUT,
                        reference=f"业主大会决议 {months[0].year}-{rng.randint(1, 3):02d}号",
                    )
                )
        if rng.random() < 0.25:
            summary, counterparty, low, high = rng.choice(COMMUNITY_EXPENSES)
            plans.append(
                _Plan(
                    first.replace(day=rng.randint(3, 27)),
                    50,
                    OUT,
                    summary,
                    decide=_spend(_cents(rng, low, high)),
                    category="社区公益支出",
                    counterparty=counterparty,
                )
            )
    if duplicate and len(parking) > 8:
        original = parking[len(parking) // 2]
        copy = _Plan(
            original.date, 11, IN, original.summary, amount=original.amount, category=original.category
        )
        plans.append(copy)
        _reversal(plans, copy, original.date + dt.timedelta(days=3), "同一笔停车收益重复登记")
    return [p for p in plans if p.date < today]


FEE_SHARES = (  # what the fee income pays for: summary, category, per mille of a month's income, quarterly
    ("保洁服务支出（人工、耗材、垃圾清运）", "保洁", (150, 210), False),
    ("秩序维护服务支出（门岗、巡逻、监控）", "秩序维护", (170, 240), False),
    ("管理服务人员工资及社保", "人员费用", (280, 360), False),
    ("绿化养护支出（修剪、补种、病虫害防治）", "绿化", (50, 80), True),
    ("共用部位及设施设备日常维修养护", "维修养护", (60, 110), True),
)


def _fee_plans(
    rng: Random, place: _Estate, months: list[dt.date], today: dt.date, mistake: bool
) -> list[_Plan]:
    plans: list[_Plan] = []
    wrong_month = months[len(months) // 2]
    for first in months[1:]:
        last = _previous_month(first)
        contract = _contract_on(place, last)
        if contract is None:
            continue
        rate = (contract.collection_rate if contract.collection_rate is not None else Decimal("90")) / 100
        income = _q(place.area * contract.fee_standard * rate * _permille(rng, 970, 1030))
        label = f"{last.year}年{last.month}月"
        plans.append(
            _Plan(
                first.replace(day=5),
                10,
                IN,
                f"{label}物业费收入(收缴率 {money_text(contract.collection_rate or Decimal('90'))}%)",
                amount=income,
                category="物业费收入",
                counterparty=contract.company.name,
            )
        )
        for order, (summary, category, (low, high), quarterly) in enumerate(FEE_SHARES, start=20):
            if quarterly and first.month not in (1, 4, 7, 10):
                continue
            months_paid = 3 if quarterly else 1
            amount = _q(income * _permille(rng, low, high) * months_paid)
            plan = _Plan(
                first.replace(day=25),
                order,
                OUT,
                f"{label}{summary}",
                decide=_spend(amount),
                category=category,
            )
            plans.append(plan)
            if mistake and first == wrong_month and category == "保洁":
                plan.decide = _spend(amount * 10)  # a zero too many, corrected three days later
                _reversal(plans, plan, plan.date + dt.timedelta(days=3), "金额多录一位，已按发票金额重新登记")
                plans.append(
                    _Plan(
                        plan.date + dt.timedelta(days=3),
                        95,
                        OUT,
                        f"{label}{summary}(更正后重新登记)",
                        decide=_spend(amount),
                        category=category,
                    )
                )
    return [p for p in plans if p.date < today]


def _fund_plans(
    rng: Random,
    place: _Estate,
    months: list[dt.date],
    today: dt.date,
    transfers: list[_Plan],
    low: bool,
    missing_decision: bool,
    roof=None,
) -> list[_Plan]:
    start = months[0]
    rate = Decimal(rng.choice((40, 45, 50, 60, 80, 100, 120)))
    initial = _q(place.area * rate)
    floor = _q(initial * Decimal("0.35"))  # an ordinary estate stays well above the 30 % line
    plans = [
        _Plan(
            start,
            0,
            IN,
            f"首期专项维修资金归集(建筑面积 {money_text(place.area)} m² × {rate} 元/m²)",
            amount=initial,
            category=CATEGORY_INITIAL,
            counterparty="区住房维修资金管理中心",
        )
    ]
    for plan in transfers:
        plans.append(
            _Plan(
                plan.date,
                40,
                IN,
                "公共收益转入专项维修资金",
                amount=plan.amount,
                category=CATEGORY_TRANSFER,
                reference=plan.reference,
            )
        )
    for year in range(start.year, today.year + 1):
        day = dt.date(year, 12, 21)
        if start < day < today:
            plans.append(
                _Plan(
                    day,
                    60,
                    IN,
                    f"{year}年度专项维修资金存款利息",
                    decide=lambda state: _q(state.balance * _permille(rng, 13, 18)),
                    category=CATEGORY_INTEREST,
                    counterparty="开户银行",
                )
            )
    # registry numbers read "1号"; the project names add "号楼" themselves
    buildings = [b.removesuffix("号") for b in place.buildings] or ["1"]
    decisions: dict[int, int] = {}
    repairs: list[_Plan] = []
    repair_months = [
        first
        for year in range(0, len(months) - 1, 12)
        for first in sorted(
            rng.sample(
                months[1 + year : 13 + year], min(rng.randint(2, 4), len(months[1 + year : 13 + year]))
            )
        )
    ]  # two to four repairs a year
    for first in repair_months:
        template, low_pm, high_pm = rng.choice(REPAIRS)
        project = template.format(b=rng.choice(buildings))
        day = first.replace(day=rng.randint(1, 28))
        decisions[day.year] = decisions.get(day.year, rng.randint(0, 2)) + 1
        reference = f"业主大会决议 {day.year}-{decisions[day.year]:02d}号"
        if rng.random() < 0.05:
            reference = ""
        plan = _Plan(
            day,
            50,
            OUT,
            f"{project}工程款",
            decide=_spend(_q(initial * _permille(rng, low_pm, high_pm)), floor),
            category=CATEGORY_REPAIR,
            counterparty=rng.choice(CONTRACTORS),
            reference=reference,
            project=project,
        )
        plans.append(plan)
        repairs.append(plan)
    if missing_decision:
        # One building for the summary and the project (the draws keep their order: the demo stays put).
        day = months[-4].replace(day=rng.randint(1, 28))
        pump = f"{rng.choice(buildings)}号楼水泵房设备抢修"
        decide = _spend(_q(initial * _permille(rng, 8, 20)), floor)
        contractor = rng.choice(CONTRACTORS)
        rng.choice(buildings)  # once the project's own building
        plan = _Plan(
            day,
            51,
            OUT,
            f"{pump}工程款",
            decide=decide,
            category=CATEGORY_REPAIR,
            counterparty=contractor,
            project=pump,
        )
        plans.append(plan)
    if low:
        target = _permille(rng, 120, 250)
        project = rng.choice(BIG_REPAIRS).format(b=rng.choice(buildings))
        day = today - dt.timedelta(days=rng.randint(20, 60))
        year = day.year
        decisions[year] = decisions.get(year, rng.randint(0, 2)) + 1
        plans.append(
            _Plan(
                day,
                55,
                OUT,
                f"{project}工程款",
                decide=lambda state: state.balance - _q(initial * target),
                category=CATEGORY_REPAIR,
                counterparty=rng.choice(CONTRACTORS),
                reference=f"业主大会决议 {year}-{decisions[year]:02d}号",
                project=project,
            )
        )
    if roof is not None and roof.paid_on < today:
        # The showcase estate's roof vote (voting/demo_data.py): the advance on the works contract, citing
        # the decision by its number among the estate's decisions of the year.
        year = roof.paid_on.year
        decisions[year] = decisions.get(year, 0) + 1
        plans.append(
            _Plan(
                roof.paid_on,
                52,
                OUT,
                f"{roof.project}工程预付款（合同价的30%）",
                decide=lambda state: roof.advance if state.balance - roof.advance >= floor else None,
                category=CATEGORY_REPAIR,
                counterparty=ROOF_CONTRACTOR,
                reference=f"业主大会决议 {year}-{decisions[year]:02d}号",
                project=roof.project,
            )
        )
    return [p for p in plans if p.date < today]


def _chain(estate: r.Estate, ledger: str, plans: list[_Plan]) -> list[LedgerEntry]:
    """The LedgerEntry rows of one walked ledger, hashed exactly as ``services._append`` hashes."""
    entries = []
    prev_hash, balance = GENESIS, Decimal("0.00")
    for seq, plan in enumerate(plans, start=1):
        balance = next_balance(balance, plan.direction, plan.amount)
        summary = plan.summary
        reverses_seq = None
        if plan.reverses is not None:
            reverses_seq = plan.reverses.entry.seq
            summary = f"冲正第 {reverses_seq} 条：{plan.reason}"[:200]
        entry = LedgerEntry(
            estate_id=estate.pk,
            estate_name=estate.name,
            ledger=ledger,
            seq=seq,
            date=plan.date,
            direction=plan.direction,
            amount=plan.amount,
            balance=balance,
            summary=summary,
            category=plan.category,
            counterparty=plan.counterparty,
            reference=plan.reference,
            project=plan.project,
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry_line(entry, reverses_seq=reverses_seq))
        plan.entry = entry
        prev_hash = entry.hash
        entries.append(entry)
    return entries


def _places(street: r.Street) -> list[_Estate]:
    estates = list(r.Estate.objects.filter(area__street=street).order_by("pk"))
    areas = dict(
        r.Unit.objects.filter(building__estate__area__street=street)
        .values("building__estate_id")
        .annotate(total=Sum("area"))
        .values_list("building__estate_id", "total")
    )
    contracts: dict[int, list[r.Contract]] = {}
    for contract in (
        r.Contract.objects.filter(estate__area__street=street)
        .select_related("company")
        .order_by("-start_date", "pk")
    ):
        contracts.setdefault(contract.estate_id, []).append(contract)
    buildings: dict[int, list[str]] = {}
    for estate_id, number in (
        r.Building.objects.filter(estate__area__street=street)
        .order_by("pk")
        .values_list("estate_id", "number")
    ):
        buildings.setdefault(estate_id, []).append(number)
    return [
        _Estate(
            estate,
            _q(Decimal(areas.get(estate.pk) or Decimal("1000.00"))),
            contracts.get(estate.pk, []),
            buildings.get(estate.pk, []),
        )
        for estate in estates
    ]


@transaction.atomic
def demo_create(*, street: r.Street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    """Write the three ledgers of every estate of the (demo) street; returns row counts."""
    rng = Random(seed * 104729 + 17)  # its own stream: the registry's and the problems' do not move
    roof = roof_vote(street, users, today)
    places = _places(street)
    months = _months(today)
    picks = list(range(len(places)))
    rng.shuffle(picks)
    low = set(picks[:LOW_FUND_ESTATES])
    missing = set(picks[LOW_FUND_ESTATES : LOW_FUND_ESTATES + MISSING_DECISION_ESTATES])
    duplicates = set(picks[-2:])
    mistakes = set(picks[-4:-2])
    plain: list[LedgerEntry] = []
    reversing: list[tuple[LedgerEntry, _Plan]] = []
    topping_up: list[int] = []
    for index, place in enumerate(places):
        transfers = index not in low and rng.random() < 0.4
        if transfers:
            topping_up.append(place.estate.pk)
        short = transfers and len(topping_up) in SHORT_TRANSFER_ORDINALS
        income = _walk(_income_plans(rng, place, months, today, transfers, index in duplicates, short))
        fee = _walk(_fee_plans(rng, place, months, today, index in mistakes))
        moved = [p for p in income if p.category == CATEGORY_TRANSFER_OUT]
        fund = _walk(
            _fund_plans(
                rng,
                place,
                months,
                today,
                moved,
                index in low,
                index in missing,
                roof if roof is not None and roof.estate.pk == place.estate.pk else None,
            )
        )
        for ledger, plans in ((FUND, fund), (INCOME, income), (FEE, fee)):
            for entry, plan in zip(_chain(place.estate, ledger, plans), plans, strict=True):
                if plan.reverses is None:
                    plain.append(entry)
                else:
                    reversing.append((entry, plan))
    LedgerEntry.objects.bulk_create(plain, batch_size=2000)
    for entry, plan in reversing:
        entry.reverses = plan.reverses.entry  # has its primary key now
    LedgerEntry.objects.bulk_create([entry for entry, _plan in reversing])
    counts = {"ledger_entries": len(plain) + len(reversing)}
    counts.update(
        _demo_rules_create(street=street, seed=seed, today=today, places=places, topping_up=topping_up)
    )
    return counts


# ---- disclosures, profiles and fund-use evidence (the §5 rules around the ledgers) --------------------

DEMO_EVIDENCE_FILE = "finance/demo/演示-审价报告.pdf"
# A one-page PDF, written once to the media storage and shared by every demo evidence row.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 760 Td (Demo evidence) Tj ET\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PLACES = ("board", "board", "online", "assembly")


def _period_ends(first: dt.date, months: int, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar-aligned disclosure periods (half-years, quarters, years) from the first entry to today."""
    periods = []
    start = first
    end_month = ((first.month - 1) // months + 1) * months  # the period's last month
    end = add_months(dt.date(first.year, 1, 1), end_month) - dt.timedelta(days=1)
    while end < today:
        periods.append((start, end))
        start = end + dt.timedelta(days=1)
        end = add_months(start, months) - dt.timedelta(days=1)
    return periods


def _demo_rules_create(
    *, street, seed: int, today: dt.date, places: list, topping_up: list[int]
) -> dict[str, int]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from gongzhi.finance.models import Disclosure, EvidenceKind, FinanceProfile, FundUseEvidence

    rng = Random(seed * 7919 + 3)  # its own stream: the ledgers above do not move
    estate_ids = [p.estate.pk for p in places]
    profiles = [FinanceProfile(estate_id=e, income_tops_up_fund=True) for e in topping_up]
    others = [e for e in estate_ids if e not in set(topping_up)]
    if others:  # one estate decided to top up the fund but never transferred anything
        profiles.append(FinanceProfile(estate_id=rng.choice(others), income_tops_up_fund=True))
    FinanceProfile.objects.bulk_create(profiles)

    first_dates = dict(
        LedgerEntry.objects.filter(estate_id__in=estate_ids, seq=1).values_list("estate_id", "date")
    )
    late = set(rng.sample(estate_ids, min(OVERDUE_ESTATES, len(estate_ids))))
    never = rng.choice(estate_ids) if estate_ids else None
    disclosures = []
    for estate_id in estate_ids:
        first = first_dates.get(estate_id)
        if first is None:
            continue
        late_ledger = rng.choice(LedgerKind.values) if estate_id in late else None
        for ledger in LedgerKind.values:
            if estate_id == never and ledger == FEE:
                continue  # the company has never posted its fee account here
            periods = _period_ends(first, LEGAL_INTERVAL_MONTHS[ledger], today)
            if ledger == late_ledger:
                periods = periods[: -rng.randint(1, 2) if ledger != FEE else -1]
            for start, end in periods:
                posted = end + dt.timedelta(days=rng.randint(5, 25))
                if posted >= today:
                    continue
                disclosures.append(
                    Disclosure(
                        estate_id=estate_id,
                        ledger=ledger,
                        period_start=start,
                        period_end=end,
                        posted_on=posted,
                        place=rng.choice(PLACES),
                        note="小区公示栏张贴，同步发布于业主微信群" if rng.random() < 0.3 else "",
                    )
                )
    Disclosure.objects.bulk_create(disclosures, batch_size=2000)

    if not default_storage.exists(DEMO_EVIDENCE_FILE):
        default_storage.save(DEMO_EVIDENCE_FILE, ContentFile(DEMO_PDF))
    digest = hashlib.sha256(DEMO_PDF).hexdigest()
    fund = LedgerEntry.objects.filter(estate_id__in=estate_ids, ledger=FUND)
    reversed_ids = set(fund.exclude(reverses=None).values_list("reverses_id", flat=True))
    uses = fund.filter(direction=OUT, reverses=None).exclude(pk__in=reversed_ids).order_by("pk")
    evidence = []
    for entry_id, reference in uses.values_list("pk", "reference"):
        common = {
            "entry_id": entry_id,
            "content_type": "application/pdf",
            "size": len(DEMO_PDF),
            "sha256": digest,
        }
        if Decimal(rng.randint(0, 999)) / 1000 >= MISSING_AUDIT_SHARE:
            evidence.append(FundUseEvidence(kind=EvidenceKind.PRICE_AUDIT, file=DEMO_EVIDENCE_FILE, **common))
        if not reference and rng.random() < 0.3:
            evidence.append(FundUseEvidence(kind=EvidenceKind.DECISION, file=DEMO_EVIDENCE_FILE, **common))
        elif reference and rng.random() < 0.5:
            evidence.append(FundUseEvidence(kind=EvidenceKind.ACCEPTANCE, file=DEMO_EVIDENCE_FILE, **common))
    FundUseEvidence.objects.bulk_create(evidence, batch_size=2000)
    return {
        "finance_profiles": len(profiles),
        "disclosures": len(disclosures),
        "fund_use_evidence": len(evidence),
    }


def _rules_fingerprint_rows(street: r.Street) -> list:
    from gongzhi.finance.models import Disclosure, FinanceProfile, FundUseEvidence

    return [
        sorted(
            FinanceProfile.objects.filter(estate__area__street_id=street.pk).values_list(
                "estate__name", "initial_fund_amount", "income_tops_up_fund"
            )
        ),
        sorted(
            Disclosure.objects.filter(estate__area__street_id=street.pk).values_list(
                "estate__name", "ledger", "period_start", "period_end", "posted_on", "place", "note"
            )
        ),
        sorted(
            FundUseEvidence.objects.filter(entry__estate__area__street_id=street.pk).values_list(
                "entry__estate__name", "entry__seq", "kind", "sha256"
            )
        ),
    ]


def demo_delete(*, street: r.Street) -> dict[str, int]:
    """Purge the demo street's ledgers (only a demo street's may be: the database keeps them append-only)."""
    ledgers = purge_demo_ledgers(street)
    return {"finance.LedgerEntry": ledgers} if ledgers else {}


def demo_fingerprint(street: r.Street) -> str:
    """SHA-256 over the street's ledger entries by natural keys (no ids, so no hashes, which cover the
    estate id): same seed and day → same fingerprint."""
    rows = LedgerEntry.objects.filter(estate__area__street_id=street.pk).values_list(
        "estate__name",
        "estate_name",
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
        "reverses__seq",
    )
    digest = hashlib.sha256()
    digest.update(repr(_rules_fingerprint_rows(street)).encode())
    digest.update(
        repr(
            sorted(
                tuple(money_text(v) if isinstance(v, Decimal) else ("" if v is None else str(v)) for v in row)
                for row in rows
            )
        ).encode()
    )
    return digest.hexdigest()
