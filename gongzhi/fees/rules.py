"""Pure rules of fee standards and collection: exact Decimal arithmetic, no ORM, no floats."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.core import legal
from gongzhi.core.dates import plain_date, year_month
from gongzhi.core.errors import UserError

HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.01")  # percent shown with two decimals
MAX_STANDARD_PLACES = 4
ROLLING_MONTHS = 12  # the registry's "collection rate" is that of the latest fee year (12 months)


class FeeError(UserError):
    """Bad input to a fee write; ``message`` is plain Chinese for the user."""


def collection_rate(billed: Decimal, collected: Decimal) -> Decimal | None:
    """collected / billed as an exact Decimal fraction (0.8523…), or None when nothing was billed."""
    if not billed:
        return None
    return Decimal(collected) / Decimal(billed)


def percent(rate: Decimal | None) -> Decimal | None:
    """A rate fraction as a percent with two decimals, rounded half up (0.85235 → 85.24)."""
    if rate is None:
        return None
    return (rate * HUNDRED).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def percent_text(rate: Decimal | None) -> str:
    value = percent(rate)
    return "—" if value is None else f"{value}%"


def rolling_rate(rows: Iterable[tuple[dt.date, Decimal, Decimal]]) -> Decimal | None:
    """Σcollected / Σbilled over the ``ROLLING_MONTHS`` months ending at the latest month given.

    ``rows`` are (month, billed, collected); months outside that window are ignored."""
    rows = sorted(rows, key=lambda r: r[0])
    if not rows:
        return None
    first = month_add(rows[-1][0], -(ROLLING_MONTHS - 1))
    window = [r for r in rows if r[0] >= first]
    return collection_rate(sum((r[1] for r in window), Decimal(0)), sum((r[2] for r in window), Decimal(0)))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*0?1)?\s*$")


def parse_month(value: object) -> dt.date:
    """2024-03, 2024/3, 2024年3月, or a date (its month)."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or ""))
    if not match:
        raise FeeError(_("“%(value)s”不是月份，请填写如 2024-03 的年月。") % {"value": value or ""})
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise FeeError(_("“%(value)s”不是有效的月份。") % {"value": value})
    return dt.date(year, month, 1)


def parse_money(value: object, *, label: str, places: int = 2, allow_zero: bool = True) -> Decimal:
    """A non-negative amount with at most ``places`` decimals; text, int or Decimal (never a float)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise FeeError(_("请填写%(label)s。") % {"label": label})
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FeeError(_("%(label)s“%(value)s”不是数字。") % {"label": label, "value": value}) from None
    if not number.is_finite():
        raise FeeError(_("%(label)s“%(value)s”不是数字。") % {"label": label, "value": value})
    if number < 0:
        raise FeeError(_("%(label)s不能为负数。") % {"label": label})
    if number == 0 and not allow_zero:
        raise FeeError(_("%(label)s必须大于 0。") % {"label": label})
    # The size first: quantize raises InvalidOperation on 1e30 (more digits than the context holds).
    if number >= Decimal(10) ** 12:
        raise FeeError(_("%(label)s过大。") % {"label": label})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise FeeError(_("%(label)s最多 %(places)d 位小数。") % {"label": label, "places": places})
    return number.quantize(Decimal(1).scaleb(-places))


# More households than any estate has; also far inside the database's integer column.
MAX_HOUSEHOLDS = 1_000_000


def check_collection(
    *,
    month: dt.date,
    billed: Decimal,
    collected: Decimal,
    households_billed: int | None,
    households_paid: int | None,
    today: dt.date,
) -> None:
    """The rules of one month's collection; raises ``FeeError`` naming the first one broken."""
    if month > month_start(today):
        raise FeeError(_("月份 %(month)s 还没有到，不能登记。") % {"month": year_month(month)})
    if billed <= 0:
        raise FeeError(_("应收金额必须大于 0。"))
    if collected > billed:
        raise FeeError(
            _("实收金额 %(collected)s 元超过应收金额 %(billed)s 元。")
            % {"collected": collected, "billed": billed}
        )
    for label, count in ((_("应缴户数"), households_billed), (_("已缴户数"), households_paid)):
        if count is not None and not 0 <= count <= MAX_HOUSEHOLDS:
            raise FeeError(
                _("%(label)s必须是 0 到 %(max)d 之间的整数。") % {"label": label, "max": MAX_HOUSEHOLDS}
            )
    if households_billed is not None and households_paid is not None and households_paid > households_billed:
        raise FeeError(
            _("已缴户数 %(paid)d 超过应缴户数 %(billed)d。")
            % {"paid": households_paid, "billed": households_billed}
        )
    if (households_billed is None) != (households_paid is None):
        raise FeeError(_("应缴户数和已缴户数要么都填，要么都不填。"))


# The window of a standard's start date: not before 1990 (no property-fee standard of the platform's estates
# predates Shanghai's first residential property rules, 1997 — EARLIEST_DATE in core/validators.py) and not
# more than two years ahead (a price decided at the annual negotiation takes effect within that).
STANDARD_YEARS_AHEAD = 2


def standard_date_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last ``effective_from`` a new fee standard may have, seen on ``today``."""
    from gongzhi.core.validators import EARLIEST_DATE, add_years

    return EARLIEST_DATE, add_years(today, STANDARD_YEARS_AHEAD)


# ---- the basis of a fee standard (质价相符: no fee change without a basis the platform can check) ----------

# Which matter of Civil Code art. 278 an owners' decision on a fee must be counted under (docs/FEES.md):
# - a property-service fee is a term of the property-service contract (Civil Code art. 938: 服务费用的标准和
#   收取办法), the contract the owners conclude when they hire the company — matter (4), 选聘和解聘物业服务企业
#   或者其他管理人 (also 《物业管理条例》 art. 11 (4));
# - a parking fee on the owners' common roads and ground (Civil Code art. 275 para. 2) prices a business run
#   on common parts — matter (8), 改变共有部分的用途或者利用共有部分从事经营活动, with its 3/4 approval;
# - any other charge — matter (9), 有关共有和共同管理权利的其他重大事项.
PROPERTY_FEE_KINDS = frozenset({"property_residential", "property_non_residential"})
PARKING_FEE_KINDS = frozenset({"parking_monthly", "parking_hourly", "parking_per_time"})
MATTER_FOR_PROPERTY_FEES = 4
MATTER_FOR_PARKING_FEES = 8
MATTER_FOR_OTHER_FEES = 9


def fee_matter(kind: str) -> int:
    """The art. 278 matter an owners' decision on a fee of ``kind`` falls under (see the table above)."""
    if kind in PROPERTY_FEE_KINDS:
        return MATTER_FOR_PROPERTY_FEES
    if kind in PARKING_FEE_KINDS:
        return MATTER_FOR_PARKING_FEES
    return MATTER_FOR_OTHER_FEES


@dataclass(frozen=True)
class DecisionFacts:
    """What the fee rule needs to know of a ``voting.Decision``."""

    estate_id: int
    title: str
    matter: int
    counted: bool  # closed and counted: status closed, preliminary or final, with a stored result
    passed: bool | None
    whole_estate: bool  # decided by the owners of the whole estate, not of some buildings
    closed_on: dt.date | None


@dataclass(frozen=True)
class ContractFacts:
    """What the fee rule needs to know of a ``registry.Contract`` and who signed it."""

    estate_id: int
    start: dt.date
    end: dt.date
    fee_standard: Decimal
    committee_in_office: bool  # the estate had an owners' committee in office on the contract's start day


@dataclass(frozen=True)
class DocumentFacts:
    """What the fee rule needs to know of a government price document (``PriceDocument``)."""

    number: str
    covers_estate: bool  # the estate is listed as under this document's government-guided pricing
    kind: str
    unit: str
    issued_on: dt.date
    low: Decimal
    high: Decimal


def check_fee_basis(
    *,
    estate_id: int,
    kind: str,
    unit: str,
    amount: Decimal,
    effective_from: dt.date,
    basis: str,
    decision: DecisionFacts | None = None,
    contract: ContractFacts | None = None,
    document: DocumentFacts | None = None,
) -> None:
    """A fee standard stands only on a recorded basis the platform can check; raises ``FeeError`` naming the
    first condition broken (docs/FEES.md §1).

    - ``owners_assembly``: a passed owners' decision of this estate (all its owners), counted, closed no later
      than the start day, of the art. 278 matter the fee falls under (``fee_matter``). Civil Code arts. 278,
      280 (a decision binds the owners); 《物业管理条例》 art. 11–12.
    - ``contract``: the property-service contract of this estate that the owners' committee signed on the
      owners' behalf (Civil Code art. 939; 《物业管理条例》 art. 15 (2)), in force on the start day; only the
      residential property fee it states, and exactly that amount.
    - ``price_bureau``: a government price document that lists this estate under government-guided pricing
      (售后公房 and similar; 《物业服务收费管理办法》 arts. 6–7: a base price and its permitted range by service
      level), for this kind and unit, issued no later than the start day, and the amount inside the range
      (bounds included).
    """
    links = {"owners_assembly": decision, "contract": contract, "price_bureau": document}
    if basis not in links:
        raise FeeError(_("未知的依据“%(value)s”。") % {"value": basis})
    if links[basis] is None:
        raise FeeError(
            {
                "owners_assembly": _("依据为业主共同决定时，必须选择本小区已通过的业主表决事项。"),
                "contract": _("依据为物业服务合同时，必须选择本小区业委会签订的物业服务合同。"),
                "price_bureau": _("依据为政府价格文件时，必须选择覆盖本小区的价格文件。"),
            }[basis]
        )
    if any(link is not None for name, link in links.items() if name != basis):
        raise FeeError(_("一项收费标准只能有一种依据。"))
    if decision is not None:
        _check_decision(decision, estate_id=estate_id, kind=kind, effective_from=effective_from)
    if contract is not None:
        _check_contract(
            contract, estate_id=estate_id, kind=kind, amount=amount, effective_from=effective_from
        )
    if document is not None:
        _check_document(document, kind=kind, unit=unit, amount=amount, effective_from=effective_from)


def _check_decision(decision: DecisionFacts, *, estate_id: int, kind: str, effective_from: dt.date) -> None:
    if decision.estate_id != estate_id:
        raise FeeError(_("所选表决事项不是本小区的。"))
    if not decision.whole_estate:
        raise FeeError(_("所选表决事项只由部分楼栋的业主表决，不能作为全小区收费标准的依据。"))
    if not decision.counted:
        raise FeeError(_("表决事项“%(title)s”尚未截止计票。") % {"title": decision.title})
    if decision.passed is not True:
        raise FeeError(_("表决事项“%(title)s”未获通过，不能作为依据。") % {"title": decision.title})
    if decision.closed_on is not None and decision.closed_on > effective_from:
        raise FeeError(_("执行日期不能早于表决截止计票的日期。"))
    needed = fee_matter(kind)
    if decision.matter != needed:
        raise FeeError(
            _("表决事项“%(title)s”属于%(have)s事项；这项收费须由%(need)s事项决定。")
            % {
                "title": decision.title,
                "have": legal.civil_code_278_item(decision.matter),
                "need": legal.civil_code_278_item(needed),
            }
        )


def _check_contract(
    contract: ContractFacts, *, estate_id: int, kind: str, amount: Decimal, effective_from: dt.date
) -> None:
    if contract.estate_id != estate_id:
        raise FeeError(_("所选物业服务合同不是本小区的。"))
    if kind != "property_residential":
        raise FeeError(_("物业服务合同只载明住宅物业费；其他收费须有业主共同决定或政府价格文件作依据。"))
    if not contract.committee_in_office:
        raise FeeError(_("合同开始时本小区没有在任的业委会，不能视为业委会受业主委托签订的合同。"))
    if not contract.start <= effective_from <= contract.end:
        raise FeeError(
            _("执行日期不在合同期（%(start)s 至 %(end)s）内。")
            % {"start": f"{contract.start:%Y-%m-%d}", "end": f"{contract.end:%Y-%m-%d}"}
        )
    if amount != contract.fee_standard:
        raise FeeError(
            _("合同约定的物业费是 %(fee)s 元/m²/月，与填写的标准 %(amount)s 不符。")
            % {"fee": contract.fee_standard, "amount": amount}
        )


def _check_document(
    document: DocumentFacts, *, kind: str, unit: str, amount: Decimal, effective_from: dt.date
) -> None:
    if not document.covers_estate:
        raise FeeError(_("价格文件%(number)s未将本小区列为政府指导价小区。") % {"number": document.number})
    if document.kind != kind or document.unit != unit:
        raise FeeError(_("价格文件%(number)s规定的不是这项收费。") % {"number": document.number})
    if document.issued_on > effective_from:
        raise FeeError(_("执行日期不能早于价格文件的发布日期。"))
    if not document.low <= amount <= document.high:
        raise FeeError(
            _("标准 %(amount)s 不在价格文件%(number)s规定的 %(low)s–%(high)s 范围内。")
            % {"amount": amount, "number": document.number, "low": document.low, "high": document.high}
        )


# ---- the quality gate (先质后价): quality first, then price -------------------------------------------------


@dataclass(frozen=True)
class GateSettings:
    """The street's thresholds for the quality gate (docs/FEES.md §4); the defaults are the platform's proposal.

    ``min_score``: the latest composite evaluation score (0–100) must be at least this (bound included);
    ``disclosure_months``: the property-fee income and spending must be disclosed for each of this many
    complete months before the current one; ``meeting_within_days``: the annual price meeting must have been
    held within this many days up to today (bound included)."""

    min_score: Decimal = Decimal(80)
    disclosure_months: int = 12
    meeting_within_days: int = 365


@dataclass(frozen=True)
class OpenRectification:
    """An open rectification item of the four services (保洁、保绿、保安、保修) with its deadline."""

    ref: str  # what the evidence shows, e.g. the problem's number
    title: str
    deadline: dt.date


@dataclass(frozen=True)
class LatestEvaluation:
    campaign: str
    score: Decimal
    class_label: str
    bottom: bool  # in the bottom class (末位候选) of that ranking


@dataclass(frozen=True)
class GateFacts:
    rectifications: tuple[OpenRectification, ...]
    evaluation: LatestEvaluation | None
    disclosed_months: frozenset[
        dt.date
    ]  # first days of the months whose fee income and spending are disclosed
    last_price_meeting: dt.date | None


@dataclass(frozen=True)
class GateCondition:
    key: str
    label: str
    met: bool
    evidence: str


def check_quality_gate(
    facts: GateFacts, *, today: dt.date, settings: GateSettings | None = None
) -> list[GateCondition]:
    """The four conditions of the quality gate (先质后价), each met or not with its evidence; the gate is open only
    when all are met (``gate_open``). The legal hook is DESIGN.md §5: under a lump-sum fee model a fee change
    needs the income and expense statement posted beforehand (《上海市住宅物业管理规定》); the thresholds are
    the street's policy (seed: 先质后价, 常态公示物业费收支, 每年一次议价会议)."""
    rule = settings or GateSettings()
    return [
        _gate_rectifications(facts.rectifications, today),
        _gate_evaluation(facts.evaluation, rule),
        _gate_disclosure(facts.disclosed_months, today, rule),
        _gate_meeting(facts.last_price_meeting, today, rule),
    ]


def gate_open(conditions: list[GateCondition]) -> bool:
    return all(c.met for c in conditions)


def _gate_rectifications(items: tuple[OpenRectification, ...], today: dt.date) -> GateCondition:
    late = sorted((i for i in items if i.deadline < today), key=lambda i: (i.deadline, i.ref))
    label = _("没有逾期未销项的四保整改问题")
    if not late:
        return GateCondition("rectifications", label, True, _("四保整改问题均在整改期限内或已销项。"))
    listed = "；".join(
        _("%(ref)s %(title)s（期限 %(day)s）")
        % {"ref": i.ref, "title": i.title, "day": plain_date(i.deadline)}
        for i in late
    )
    return GateCondition(
        "rectifications",
        label,
        False,
        _("%(n)d 项四保整改问题逾期未销项：%(items)s。") % {"n": len(late), "items": listed},
    )


def _gate_evaluation(evaluation: LatestEvaluation | None, rule: GateSettings) -> GateCondition:
    label = _("最近一次测评不在末档且不低于 %(score)s 分") % {"score": rule.min_score}
    if evaluation is None:
        return GateCondition("evaluation", label, False, _("还没有测评结果。"))
    text = _("%(campaign)s：%(score)s 分，%(cls)s。") % {
        "campaign": evaluation.campaign,
        "score": evaluation.score,
        "cls": evaluation.class_label,
    }
    met = not evaluation.bottom and evaluation.score >= rule.min_score
    return GateCondition("evaluation", label, met, text)


def _gate_disclosure(disclosed: frozenset[dt.date], today: dt.date, rule: GateSettings) -> GateCondition:
    label = _("物业费收支已连续公示 %(n)d 个月") % {"n": rule.disclosure_months}
    current = month_start(today)
    needed = [month_add(current, -k) for k in range(rule.disclosure_months, 0, -1)]
    missing = [m for m in needed if m not in disclosed]
    if not missing:
        return GateCondition(
            "disclosure",
            label,
            True,
            _("%(first)s 至 %(last)s 各月均已公示。")
            % {"first": year_month(needed[0]), "last": year_month(needed[-1])},
        )
    return GateCondition(
        "disclosure",
        label,
        False,
        _("未公示的月份：%(months)s。") % {"months": "、".join(year_month(m) for m in missing)},
    )


def _gate_meeting(held: dt.date | None, today: dt.date, rule: GateSettings) -> GateCondition:
    label = _("近 %(days)d 天内召开过年度议价会议") % {"days": rule.meeting_within_days}
    if held is None:
        return GateCondition("meeting", label, False, _("没有议价会议记录。"))
    met = today - dt.timedelta(days=rule.meeting_within_days) <= held <= today
    return GateCondition("meeting", label, met, _("最近一次议价会议：%(day)s。") % {"day": plain_date(held)})


def disclosed_months(
    periods: Iterable[tuple[dt.date, dt.date]], months: Iterable[dt.date]
) -> frozenset[dt.date]:
    """Of ``months`` (first days), those whose every day lies inside the union of the disclosed ``periods``
    (start, end — both included). Two periods that meet (one ends on the 15th, the next starts on the 16th)
    cover the month together; a gap of one day leaves it undisclosed."""
    merged: list[list[dt.date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    covered = set()
    for month in months:
        last = month_add(month, 1) - dt.timedelta(days=1)
        if any(start <= month and last <= end for start, end in merged):
            covered.add(month)
    return frozenset(covered)


# ---- the fee-adjustment intent (调价意向) and the company's cost account ----------------------------------

# The lines of the cost account, in the order the account prints them. The four services' staff first (the
# seed's 四保: 保洁、保绿、保安、保修), then materials, energy, management and other costs. Amounts are
# yuan per year; the headcounts are people (decimals allowed: a part-time post is 0.5).
STAFF_LINES = ("staff_cleaning", "staff_greening", "staff_security", "staff_repair")
OTHER_LINES = ("materials", "energy", "management", "other_cost")
COST_LINES = STAFF_LINES + OTHER_LINES
YUAN = Decimal("0.01")
STANDARD_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class CostTotals:
    staff: Decimal  # Σ the four services' staff costs, yuan a year
    total: Decimal  # Σ every line, yuan a year
    headcount: Decimal
    collected: Decimal  # the fee income it is based on × the collection rate, yuan a year
    balance: Decimal  # collected − total (negative: a shortfall)
    cost_per_m2_month: Decimal | None  # total ÷ charged area ÷ 12
    break_even: Decimal | None  # the standard at which the collected income covers the cost
    proposed_income: Decimal | None  # the proposed standard × area × 12 × collection rate


def cost_totals(
    *,
    lines: dict[str, Decimal],
    headcounts: dict[str, Decimal],
    area: Decimal,
    income: Decimal,
    collection_percent: Decimal,
    proposed: Decimal | None,
) -> CostTotals:
    """The totals of a company's cost account (all exact Decimal; yuan rounded half up to the fen, standards
    to 0.0001 yuan/m²/month). ``income`` is the annual fee income billed at the current standard,
    ``collection_percent`` the collection rate (0–100) it is based on, ``area`` the charged area in m².

    Known answer: staff 300 000 + other 100 000 = 400 000 a year over 40 000 m² is 0.8333 yuan/m²/month;
    at 80 % collection the break-even standard is 400 000 ÷ (40 000 × 12 × 0.8) = 1.0417."""
    total = sum((lines.get(name, Decimal(0)) for name in COST_LINES), Decimal(0))
    staff = sum((lines.get(name, Decimal(0)) for name in STAFF_LINES), Decimal(0))
    heads = sum((headcounts.get(name, Decimal(0)) for name in STAFF_LINES), Decimal(0))
    rate = collection_percent / HUNDRED
    collected = (income * rate).quantize(YUAN, rounding=ROUND_HALF_UP)
    per_m2 = break_even = proposed_income = None
    if area > 0:
        per_m2 = (total / area / 12).quantize(STANDARD_PLACES, rounding=ROUND_HALF_UP)
        if rate > 0:
            break_even = (total / (area * 12 * rate)).quantize(STANDARD_PLACES, rounding=ROUND_HALF_UP)
        if proposed is not None:
            proposed_income = (proposed * area * 12 * rate).quantize(YUAN, rounding=ROUND_HALF_UP)
    return CostTotals(
        staff=staff.quantize(YUAN),
        total=total.quantize(YUAN),
        headcount=heads,
        collected=collected,
        balance=(collected - total).quantize(YUAN),
        cost_per_m2_month=per_m2,
        break_even=break_even,
        proposed_income=proposed_income,
    )


def check_cost_account(
    *, lines: dict[str, Decimal], area: Decimal | None, income: Decimal | None, collection: Decimal | None
) -> None:
    """A cost account is complete enough to submit: a charged area, the fee income and collection rate it is
    based on (0 < rate ≤ 100), and at least one cost line. 《物业服务收费管理办法》 art. 11: the cost of a
    property service consists of staff, upkeep of common parts, greening, cleaning, security, energy, office
    and management costs — the lines this account asks for."""
    if area is None or area <= 0:
        raise FeeError(_("请填写收费面积（m²）。"))
    if income is None or income <= 0:
        raise FeeError(_("请填写测算所依据的年度物业费应收收入。"))
    if collection is None or not 0 < collection <= HUNDRED:
        raise FeeError(_("测算所依据的收缴率必须大于 0%，不超过 100%。"))
    if not any(lines.get(name) for name in COST_LINES):
        raise FeeError(_("成本测算至少要有一项成本。"))


# The steps of an intent (docs/FEES.md §5): action → (the states it may start from, the state it leads to).
# 草稿 → 已提交 → 质量门槛 → 议价会议 → 业主表决 → 已生效 / 未通过; withdrawn (已撤回) from any open state.
INTENT_OPEN_STATES = ("draft", "submitted", "gate", "meeting", "vote")
INTENT_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "submitted"),
    "gate_failed": (("submitted", "gate"), "gate"),
    "gate_passed": (("submitted", "gate"), "meeting"),
    "agreed": (("meeting",), "meeting"),  # the meeting's outcome; the committee then opens the vote
    "no_agreement": (("meeting",), "rejected"),
    "vote": (("meeting",), "vote"),
    "passed": (("vote",), "effective"),
    "failed": (("vote",), "rejected"),
    # the linked decision no longer fits (matter or buildings changed before the count): back to the meeting's
    # agreed outcome, the decision unlinked, so that a new vote of the right matter can be opened
    "release_vote": (("vote",), "meeting"),
    "reject": (("submitted", "gate", "meeting"), "rejected"),
    "withdraw": (INTENT_OPEN_STATES, "withdrawn"),
}


def intent_next(status: str, action: str) -> str:
    """The state an intent in ``status`` moves to by ``action``; ``FeeError`` when the step is not allowed."""
    if action not in INTENT_TRANSITIONS:
        raise FeeError(_("未知的操作“%(value)s”。") % {"value": action})
    sources, target = INTENT_TRANSITIONS[action]
    if status not in sources:
        raise FeeError(_("调价意向当前的状态不能进行这一步。"))
    return target


def vote_misfit(facts: DecisionFacts, *, estate_id: int) -> str | None:
    """Why the owners' decision linked to an intent can no longer make its standard, or ``None`` while it still
    fits: it must stay of this estate, of the whole estate and of art. 278 matter (4) (a draft's matter and
    buildings can be changed in the voting app after the intent opened it; docs/FEES.md §5). The intent then
    does not wait for a count that could never make the standard: it is released back to the price meeting
    (before the count) or closed as 未通过 (after it)."""
    expected = MATTER_FOR_PROPERTY_FEES
    if facts.estate_id != estate_id:
        return _("表决事项不是本小区的。")
    if facts.matter != expected:
        return _(
            "表决事项已被改为《民法典》第二百七十八条第一款第（%(matter)s）项，"
            "调整物业费须按第（%(expected)s）项表决。"
        ) % {"matter": facts.matter, "expected": expected}
    if not facts.whole_estate:
        return _("表决范围已被改为部分楼栋，调整物业费须由全体业主共同决定。")
    return None


def effective_day(proposed: dt.date, counted_on: dt.date) -> dt.date:
    """The day a passed decision's standard takes effect: the day the meeting proposed, or — when the count
    came later — the first day of the month after the count (a fee never applies before the owners decided:
    Civil Code art. 280; ``check_fee_basis`` refuses a start before the count)."""
    if counted_on <= proposed:
        return proposed
    return month_add(month_start(counted_on), 1)


# ---- fee × quality (质价相符) ------------------------------------------------------------------------------
#
# Where an estate stands, from two numbers the street already keeps: its residential property fee in force
# (元/m²/月) and the composite score of its latest closed evaluation (0–100). Quality is "good" at or above
# the street's gate score (GateRule.min_score, the same line the quality gate of 先质后价 draws, default
# 80); the fee is "high" at or above the median fee of the street's estates that have one. The four cells:
#   good quality, fee below the median   → 质优价低: a candidate for an increase (the seed's 先质后价);
#   poor quality, fee at/above the median → 价高质低: rectify before anything else;
#   the two others                        → 质价相符.
# An estate without a score or without a fee is not placed.

BAND_UNDERPRICED = "underpriced"
BAND_OVERPRICED = "overpriced"
BAND_MATCHED = "matched"
BAND_UNPLACED = "unplaced"
BANDS = (BAND_UNDERPRICED, BAND_OVERPRICED, BAND_MATCHED, BAND_UNPLACED)


def median_fee(fees: Iterable[Decimal | None]) -> Decimal | None:
    """The median of the fees given (None ignored), exact: the mean of the two middle ones for an even
    count; None when there is none."""
    known = sorted(fee for fee in fees if fee is not None)
    if not known:
        return None
    middle = len(known) // 2
    if len(known) % 2:
        return known[middle]
    return (known[middle - 1] + known[middle]) / 2


def fee_quality_band(
    fee: Decimal | None, score: Decimal | None, *, median: Decimal | None, min_score: Decimal
) -> str:
    """The band of one estate (see above). Bounds as the gate words them: a score equal to ``min_score``
    is good quality (不低于); a fee equal to the median is at the median, not below it."""
    if fee is None or score is None or median is None:
        return BAND_UNPLACED
    good = score >= min_score
    cheap = fee < median
    if good and cheap:
        return BAND_UNDERPRICED
    if not good and not cheap:
        return BAND_OVERPRICED
    return BAND_MATCHED


# ---- initiative (主动提升, docs/FEES.md §10) --------------------------------------------------------------------


def is_initiative(done_on: dt.date, asked_on: dt.date | None) -> bool:
    """Of the company's own accord: done before the street asked (the day it asked is already asked), or never
    asked at all."""
    return asked_on is None or done_on < asked_on


def initiative_problem(
    *, done_on: dt.date | None, asked_on: dt.date | None, evidence: str, summary: str, today: dt.date
) -> str | None:
    """Why an initiative record is refused, in plain Chinese, or ``None``."""
    if not (summary or "").strip():
        return _("请写明企业做了什么。")
    if not (evidence or "").strip():
        return _("请写明佐证（如公示照片、服务记录、业委会确认）。")
    if done_on is None:
        return _("请填写日期。")
    if done_on > today:
        return _("日期不能晚于今天。")
    if asked_on is not None and asked_on > today:
        return _("街道提出要求的日期不能晚于今天。")
    return None


def initiative_count(rows: Iterable[tuple[int, dt.date, dt.date | None]]) -> int:
    """How many companies show initiative: distinct companies with at least one record that counts."""
    return len({company for company, done_on, asked_on in rows if is_initiative(done_on, asked_on)})


# ---- the four services standard by service level (四保标准, docs/FEES.md §9) ------------------------------------
#
# The model is Shanghai's grading of residential property services in five levels (《上海市住宅物业服务分等收费
# 管理暂行办法》 and its 住宅物业服务分等标准, 2005: 一级 the highest, 五级 the lowest, each service with its
# content, frequency, staffing and response). The figures below are the platform's DEFAULTS written in that
# structure — a paraphrase for a street to start from, not the official text: the street checks them against
# the current text and edits them (docs/FEES.md §9 says so).

LEVELS = ("一级", "二级", "三级", "四级", "五级")
LOWER_IS_BETTER = frozenset({"response"})

# code, service, title, measure, unit, requirement at 一级 … 五级
DEFAULT_STANDARD: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("BJ-01", "cleaning", "楼道清扫", "frequency", "次/周", ("7", "7", "5", "3", "2")),
    ("BJ-02", "cleaning", "生活垃圾清运", "frequency", "次/日", ("2", "2", "1", "1", "1")),
    ("BJ-03", "cleaning", "保洁员配置", "staffing", "人/万m²", ("2", "1.5", "1.2", "1", "0.8")),
    ("LH-01", "greening", "绿化修剪", "frequency", "次/年", ("12", "8", "6", "4", "2")),
    ("LH-02", "greening", "病虫害防治", "frequency", "次/年", ("4", "3", "2", "2", "1")),
    ("BA-01", "security", "门岗值守", "frequency", "小时/日", ("24", "24", "24", "16", "12")),
    ("BA-02", "security", "夜间巡逻", "frequency", "次/夜", ("4", "3", "2", "1", "1")),
    ("BA-03", "security", "保安员配置", "staffing", "人/门岗", ("3", "3", "2", "2", "1")),
    ("BX-01", "repair", "报修上门响应", "response", "小时", ("1", "2", "12", "24", "24")),
    ("BX-02", "repair", "急修到场", "response", "小时", ("0.5", "0.5", "1", "2", "2")),
)


@dataclass(frozen=True)
class CommitmentCheck:
    code: str
    title: str
    service: str
    unit: str
    required: Decimal
    value: Decimal | None
    status: str  # "met" | "below" | "missing"


def commitment_status(measure: str, required: Decimal, value: Decimal | None) -> str:
    """One item: no commitment → missing; a response time at or under the requirement, a frequency or staffing
    at or over it → met (the bound included); otherwise below standard."""
    if value is None:
        return "missing"
    if measure in LOWER_IS_BETTER:
        return "met" if value <= required else "below"
    return "met" if value >= required else "below"


def check_commitments(
    items: Iterable[tuple[str, str, str, str, str, Decimal]], commitments: dict[str, Decimal]
) -> list[CommitmentCheck]:
    """The company's commitment checked against the standard of the estate's level, item by item. ``items`` are
    (code, title, service, measure, unit, required)."""
    return [
        CommitmentCheck(
            code,
            title,
            service,
            unit,
            required,
            commitments.get(code),
            commitment_status(measure, required, commitments.get(code)),
        )
        for code, title, service, measure, unit, required in items
    ]


def level_of(text: str) -> str | None:
    """The service level a contract names (its free text, e.g. “三级” or “三级资质”), or ``None``."""
    text = (text or "").strip()
    return next((level for level in LEVELS if text.startswith(level)), None)
