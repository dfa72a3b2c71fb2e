"""The demo street's fee standards and 24 months of fee collection (docs/DESIGN.md §8).

Standards, each set through ``services.fee_standard_create`` by the street admin on a checked basis
(docs/FEES.md): the residential property fee of each estate is its active contract's fee (≈ 0.8 yuan/m²/month)
— on that contract where the estate's owners' committee was in office when it began, else on the district's
guided price for the contract's service level (售后公房 and estates still under 前期 management); about one
estate in three also shows the earlier, superseded standard (on an older price document); monthly and
temporary parking fees everywhere on the district's parking price document. The price documents are demo
fiction (numbers marked 演示), each listing exactly the estates that use it and a range spanning their fees.
No demo standard rests on an owners' decision: the demo's decisions (voting/demo_data.py, built after this
app) are on the maintenance fund and an e-bike shed, not on fees. Collection: billed = the estate's registered area × the
fee in force that month; rates improve a little over two years, and over the latest 12 months they add up
exactly to the registry's ``Contract.collection_rate`` — the rule ``services.refresh_contract_rate`` keeps
(so the home page, the registry and this app agree). A pure function of (seed, today) and the street."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from random import Random
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.fees.models import (
    FeeBasis,
    FeeKind,
    FeeProposal,
    FeeStandard,
    FeeUnit,
    MonthlyCollection,
    PriceDocument,
)
from gongzhi.fees.rules import ROLLING_MONTHS, month_add, month_start
from gongzhi.fees.services import fee_standard_create, price_document_create
from gongzhi.registry import models as r

MONTHS = 24
CENTS = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def _d(rng: Random, low: str, high: str, places: int = 2) -> Decimal:
    lo, hi = Decimal(low), Decimal(high)
    steps = int((hi - lo) * 10**places)
    return lo + Decimal(rng.randint(0, steps)).scaleb(-places)


def _contract_on(contracts: list[r.Contract], day: dt.date) -> r.Contract | None:
    for c in contracts:
        if c.start_date <= day <= c.end_date:
            return c
    return None


def _floor(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def _ceil(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def _street_admin(street, users):
    from gongzhi.core.scopes import holders_of

    return users.get("demo_admin") or holders_of(Role.STREET_ADMIN, street=street).order_by("pk").first()


def _committee_signed(committees: list[r.OwnersCommittee], contract: r.Contract) -> bool:
    return any(c.term_start <= contract.start_date <= c.term_end for c in committees)


@dataclass
class _Planned:
    """A standard to set through the service once its price document exists."""

    estate: r.Estate
    kind: str
    label: str
    amount: Decimal
    unit: str
    effective_from: dt.date
    basis: str
    contract: r.Contract | None = None
    document: str = ""  # key of the planned price document


def _documents(*, street, admin, planned: list[_Planned]) -> dict[str, PriceDocument]:
    """One demo price document per key, its range spanning the amounts it must cover (rounded outwards),
    issued no later than the first standard that names it, listing exactly the estates that use it."""
    groups: dict[str, list[_Planned]] = {}
    for p in planned:
        if p.document:
            groups.setdefault(p.document, []).append(p)
    result = {}
    for key, rows in sorted(groups.items()):
        title, kind, unit, level, number, step = DOCUMENTS[key]
        amounts = [p.amount for p in rows]
        issued = min(p.effective_from for p in rows)
        result[key] = price_document_create(
            actor=admin,
            street=street,
            issuer="区发展改革委（演示）",
            number=number % {"year": issued.year},
            title=title,
            issued_on=issued.replace(month=1, day=1),
            kind=kind,
            unit=unit,
            level=level,
            low=max(_floor(min(amounts), step), step),
            high=_ceil(max(amounts), step),
            estates=sorted({p.estate.pk: p.estate for p in rows}.values(), key=lambda e: e.pk),
        )
    return result


# key → (title, kind, unit, guidance level, number pattern, rounding step of the range). Demo documents:
# fictional numbers, marked 演示.
DOCUMENTS = {
    **{
        f"residential-{level}": (
            "住宅物业服务分等收费标准（售后公房及前期物业）",
            FeeKind.PROPERTY_RESIDENTIAL,
            FeeUnit.PER_M2_MONTH,
            level,
            "浦价（演示）〔%(year)s〕" + str(10 + i) + "号",
            Decimal("0.05"),
        )
        for i, level in enumerate(("一级", "二级", "三级", "四级", "五级", "未定级"))
    },
    "residential-earlier": (
        "售后公房物业服务收费标准（原标准）",
        FeeKind.PROPERTY_RESIDENTIAL,
        FeeUnit.PER_M2_MONTH,
        "各等级",
        "浦价（演示）〔%(year)s〕8号",
        Decimal("0.05"),
    ),
    "parking-monthly": (
        "住宅小区机动车停放服务收费标准",
        FeeKind.PARKING_MONTHLY,
        FeeUnit.PER_MONTH,
        "地面车位",
        "浦价（演示）〔%(year)s〕21号",
        Decimal("10"),
    ),
    "parking-hourly": (
        "住宅小区机动车停放服务收费标准",
        FeeKind.PARKING_HOURLY,
        FeeUnit.PER_HOUR,
        "临时停放",
        "浦价（演示）〔%(year)s〕21号",
        Decimal("1"),
    ),
    "parking-time": (
        "住宅小区机动车停放服务收费标准",
        FeeKind.PARKING_PER_TIME,
        FeeUnit.PER_TIME,
        "夜间临时停放",
        "浦价（演示）〔%(year)s〕21号",
        Decimal("5"),
    ),
}


def demo_create(*, street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    rng = Random(seed * 7919 + 404)
    estates = list(r.Estate.objects.filter(area__street=street).order_by("pk"))
    areas = dict(
        r.Unit.objects.filter(building__estate__area__street=street)
        .values("building__estate_id")
        .annotate(total=Sum("area"))
        .values_list("building__estate_id", "total")
    )
    households = dict(
        r.Unit.objects.filter(building__estate__area__street=street)
        .values("building__estate_id")
        .annotate(n=Count("pk"))
        .values_list("building__estate_id", "n")
    )
    contracts: dict[int, list[r.Contract]] = {}
    for c in r.Contract.objects.filter(estate__area__street=street).order_by("-start_date", "pk"):
        contracts.setdefault(c.estate_id, []).append(c)
    committees: dict[int, list[r.OwnersCommittee]] = {}
    for committee in r.OwnersCommittee.objects.filter(estate__area__street=street):
        committees.setdefault(committee.estate_id, []).append(committee)
    planned: list[_Planned] = []
    rows: list[MonthlyCollection] = []
    current = month_start(today)
    months = [month_add(current, -k) for k in range(MONTHS, 0, -1)]  # complete months before this one
    window = set(months[-ROLLING_MONTHS:])
    for estate in estates:
        own = contracts.get(estate.pk, [])
        active = _contract_on(own, today)
        old = estate.is_old
        # ---- standards: on the contract the committee signed, else on the district's guided price
        fee = active.fee_standard if active else Decimal("0.80")
        start = active.start_date if active else today - dt.timedelta(days=400)
        if rng.random() < 0.35:
            planned.append(
                _Planned(
                    estate,
                    FeeKind.PROPERTY_RESIDENTIAL,
                    "",
                    max(fee - _d(rng, "0.05", "0.20"), Decimal("0.40")),
                    FeeUnit.PER_M2_MONTH,
                    start - dt.timedelta(days=rng.randint(900, 2400)),
                    FeeBasis.PRICE_BUREAU,
                    document="residential-earlier",
                )
            )
        if active is not None and _committee_signed(committees.get(estate.pk, []), active):
            planned.append(
                _Planned(
                    estate,
                    FeeKind.PROPERTY_RESIDENTIAL,
                    "",
                    fee,
                    FeeUnit.PER_M2_MONTH,
                    start,
                    FeeBasis.CONTRACT,
                    contract=active,
                )
            )
        else:
            level = (active.service_level if active else "") or "未定级"
            planned.append(
                _Planned(
                    estate,
                    FeeKind.PROPERTY_RESIDENTIAL,
                    "",
                    fee,
                    FeeUnit.PER_M2_MONTH,
                    start,
                    FeeBasis.PRICE_BUREAU,
                    document=f"residential-{level}",
                )
            )
        parking_from = today - dt.timedelta(days=rng.randint(200, 1500))
        monthly = Decimal(rng.choice([120, 150, 150, 180, 200]) if old else rng.choice([200, 250, 300]))
        hourly = Decimal(rng.choice(["2.00", "3.00", "3.00", "5.00"]))
        planned += [
            _Planned(
                estate,
                FeeKind.PARKING_MONTHLY,
                "地面车位",
                monthly,
                FeeUnit.PER_MONTH,
                parking_from,
                FeeBasis.PRICE_BUREAU,
                document="parking-monthly",
            ),
            _Planned(
                estate,
                FeeKind.PARKING_HOURLY,
                "首小时后",
                hourly,
                FeeUnit.PER_HOUR,
                parking_from,
                FeeBasis.PRICE_BUREAU,
                document="parking-hourly",
            ),
        ]
        if rng.random() < 0.4:
            planned.append(
                _Planned(
                    estate,
                    FeeKind.PARKING_PER_TIME,
                    "夜间临时停车",
                    Decimal(rng.choice(["5.00", "10.00"])),
                    FeeUnit.PER_TIME,
                    parking_from,
                    FeeBasis.PRICE_BUREAU,
                    document="parking-time",
                )
            )
        # ---- collection
        area = Decimal(areas.get(estate.pk) or Decimal("1000.00"))
        units = households.get(estate.pk) or 0
        base = active.collection_rate if active and active.collection_rate is not None else Decimal("90.00")
        amp = min(Decimal("2.50"), (Decimal(100) - base) / 3)
        drift = _d(rng, "0.00", "6.00")  # how much worse the rate was two years ago
        plan = []
        for index, month in enumerate(months):
            # Before the first recorded contract the estate was managed on similar terms (a renewal).
            contract = _contract_on(own, month.replace(day=15)) or (own[-1] if own else None)
            if contract is None:
                continue
            billed = _q(area * contract.fee_standard)
            if month in window:
                level = base
            else:
                older = contract.collection_rate if contract.collection_rate is not None else base
                level = older - drift * (MONTHS - ROLLING_MONTHS - index) / (MONTHS - ROLLING_MONTHS)
            plan.append([month, billed, level])
        in_window = [p for p in plan if p[0] in window]
        # Zero-sum noise inside the window: pairs of +d / −d, so the window's total rate stays ``base``.
        noise = [Decimal(0)] * len(in_window)
        order = list(range(len(in_window)))
        rng.shuffle(order)
        for a, b in zip(order[0::2], order[1::2], strict=False):
            d = _d(rng, "0.00", str(amp.quantize(CENTS)))
            noise[a], noise[b] = d, -d
        for p, n in zip(in_window, noise, strict=True):
            p[2] = p[2] + n
        for p in plan:
            if p[0] not in window:
                p[2] = p[2] + _d(rng, "-" + str(amp.quantize(CENTS)), str(amp.quantize(CENTS)))
            p[2] = min(max(p[2], Decimal("45.00")), Decimal("100.00"))
        collected = {p[0]: min(_q(p[1] * p[2] / 100), p[1]) for p in plan}
        if in_window and active is not None:
            target = _q(base * sum(p[1] for p in in_window) / 100)
            last = in_window[-1]
            rest = sum(collected[p[0]] for p in in_window[:-1])
            collected[last[0]] = min(max(target - rest, Decimal(0)), last[1])
        for month, billed, _level in plan:
            paid = collected[month]
            rows.append(
                MonthlyCollection(
                    estate=estate,
                    month=month,
                    amount_billed=billed,
                    amount_collected=paid,
                    households_billed=units or None,
                    households_paid=int((Decimal(units) * paid / billed).to_integral_value(ROUND_HALF_UP))
                    if units
                    else None,
                )
            )
    admin = _street_admin(street, users)
    documents = _documents(street=street, admin=admin, planned=planned)
    for p in sorted(planned, key=lambda p: (p.estate.pk, p.kind, p.label, p.effective_from)):
        fee_standard_create(
            actor=admin,
            estate=p.estate,
            kind=p.kind,
            label=p.label,
            amount=p.amount,
            unit=p.unit,
            effective_from=p.effective_from,
            basis=p.basis,
            basis_contract=p.contract,
            basis_document=documents[p.document] if p.document else None,
        )
    MonthlyCollection.objects.bulk_create(rows, batch_size=2000)
    initiatives = _initiatives(street=street, admin=admin, rng=rng, today=today)
    commitments = _commitments(street=street, admin=admin, rng=rng, today=today)
    return {
        "fee_standards": len(planned),
        "fee_documents": len(documents),
        "fee_collections": len(rows),
        "fee_initiatives": initiatives,
        "fee_commitments": commitments,
    }


def _commitments(*, street, admin, rng: Random, today: dt.date) -> int:
    """The street's four-services standard from the platform's defaults, and each estate's published commitment
    item by item: most items at the standard of its contract's level or better, some below, some not promised."""
    from gongzhi.fees.models import StandardItem
    from gongzhi.fees.rules import level_of
    from gongzhi.fees.services import commitments_set, service_standard_load_defaults

    service_standard_load_defaults(actor=admin, street=street)
    items: dict[str, list[StandardItem]] = {}
    for item in StandardItem.objects.filter(street=street).order_by("code"):
        items.setdefault(item.level, []).append(item)
    n = 0
    for contract in (
        r.Contract.objects.active(on=today).filter(estate__area__street=street).select_related("estate__area")
    ):
        level = level_of(contract.service_level)
        if level is None:
            continue
        values: dict[str, str] = {}
        for item in items.get(level, []):
            roll = rng.random()
            if roll < 0.08:
                continue  # not promised
            worse = roll < 0.2
            if item.measure == "response":
                value = item.required * (2 if worse else 1)
            else:
                value = (item.required / 2).quantize(Decimal("0.1")) if worse else item.required
            values[item.code] = f"{value.normalize():f}"
        n += commitments_set(actor=admin, estate=contract.estate, values=values)
    return n


INITIATIVE_COMPANIES = 15  # the seed: 15 companies improved their four services of their own accord
INITIATIVE_DEEDS = (
    ("improved", "保洁由每日一次增至两次，楼道每周湿拖", "业委会确认函；巡查照片"),
    ("improved", "绿化补种并按月修剪，公示养护计划", "养护台账；公示栏照片"),
    ("improved", "门岗 24 小时值守，夜间巡逻每晚两次", "值班记录；监控截图"),
    ("improved", "报修 24 小时内上门，公布报修电话和进度", "报修台账；业主回访记录"),
    ("disclosed", "在公示栏和平台公开四保服务内容、人员和频次", "公示栏照片；平台公示页"),
)


def _initiatives(*, street, admin, rng: Random, today: dt.date) -> int:
    """The seed's 15 companies that improved their four services or disclosed their service items of their own
    accord: one record each before the street asked (or never asked), through the service; two more companies
    acted only after the street asked — recorded, not counted (the page shows the difference)."""
    from gongzhi.fees.services import initiative_record

    companies = list(r.Company.objects.filter(street=street).order_by("pk"))
    if len(companies) < 2:
        return 0
    chosen = rng.sample(companies, min(INITIATIVE_COMPANIES + 2, len(companies)))
    asked = today - dt.timedelta(days=200)  # the street's call to improve the four services (演示)
    n = 0
    for i, company in enumerate(chosen):
        estate = (
            r.Contract.objects.active(on=today)
            .filter(company=company)
            .order_by("pk")
            .values_list("estate", flat=True)
        )
        estate_id = next(iter(estate), None)
        kind, summary, evidence = INITIATIVE_DEEDS[i % len(INITIATIVE_DEEDS)]
        late = i >= INITIATIVE_COMPANIES
        done_on = (
            asked + dt.timedelta(days=rng.randint(10, 90))
            if late
            else asked - dt.timedelta(days=rng.randint(5, 300))
        )
        initiative_record(
            actor=admin,
            company=company,
            estate=r.Estate.objects.get(pk=estate_id) if estate_id else None,
            kind=kind,
            done_on=done_on,
            asked_on=asked if (late or i % 3 == 0) else None,
            summary=summary,
            evidence=evidence + "（演示）",
            today=today,
        )
        n += 1
    return n


def demo_delete(*, street) -> dict[str, int]:
    from gongzhi.fees.models import Initiative, ServiceCommitment, StandardItem

    initiatives, _ = Initiative.objects.filter(company__street=street).delete()
    ServiceCommitment.objects.filter(estate__area__street=street).delete()
    StandardItem.objects.filter(street=street).delete()
    collections, _ = MonthlyCollection.objects.filter(estate__area__street=street).delete()
    proposals, _ = FeeProposal.objects.filter(estate__area__street=street).delete()
    standards = FeeStandard.objects.filter(estate__area__street=street)
    # Superseding standards first: a superseded one is protected while another names it.
    n = 0
    while standards.exists():
        batch = standards.exclude(
            pk__in=FeeStandard.objects.filter(supersedes__isnull=False).values("supersedes_id")
        )
        count, _ = batch.delete()
        if not count:
            break
        n += count
    documents, _ = PriceDocument.objects.filter(street=street).delete()
    return {
        "fee_initiatives": initiatives,
        "fee_collections": collections,
        "fee_standards": n,
        "fee_proposals": proposals,
        "fee_documents": documents,
    }


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    for row in (
        FeeStandard.objects.filter(estate__area__street=street)
        .order_by("estate__area__name", "estate__name", "kind", "label", "effective_from")
        .values_list(
            "estate__name",
            "kind",
            "label",
            "amount",
            "unit",
            "effective_from",
            "basis",
            "basis_reference",
            "basis_contract__start_date",
            "basis_document__number",
            "basis_document__level",
            "basis_document__low",
            "basis_document__high",
        )
    ):
        digest.update(repr(row).encode())
    for row in (
        MonthlyCollection.objects.filter(estate__area__street=street)
        .order_by("estate__area__name", "estate__name", "month")
        .values_list(
            "estate__name",
            "month",
            "amount_billed",
            "amount_collected",
            "households_billed",
            "households_paid",
        )
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


# ---- the seed's fee-adjustment intents (调价意向), after every record their quality gate reads ------------------

INTENT_ESTATES = 13  # the seed: 13 estates have proposed an increase
INTENT_REASONS = (
    "近三年最低工资标准和社保基数上调，保洁、保安人员成本上升；现行标准执行已满五年。",
    "小区设施老化，报修量逐年增加，维修材料和人工成本上升，现行标准难以维持服务。",
    "按业主意见增加夜间巡逻和楼道保洁频次，相应增加人员，拟按成本测算调整标准。",
    "电梯、水泵等共用设备能耗和维保费用上涨，物业费收支连续两年出现缺口。",
)
WITHDRAW_REASON = "业委会要求先完成楼道保洁和绿化整改，服务提升后再提出调价。"
REJECT_REASON = "成本测算中管理费用占比偏高，且近期业主投诉较多，业委会不同意本次调价意向。"


WAGES = {
    "cleaning": Decimal(46000),
    "greening": Decimal(44000),
    "security": Decimal(52000),
    "repair": Decimal(60000),
}
OTHER_SHARES = {
    "materials": Decimal("0.25"),
    "energy": Decimal("0.30"),
    "management": Decimal("0.35"),
    "other_cost": Decimal("0.10"),
}


def _cost_account(
    rng: Random, *, area: Decimal, current: Decimal, rate: Decimal, heads: dict[str, int]
) -> dict:
    """A cost account (yuan a year) that tells why the company asks: the year's cost runs 8–30 % above the
    fee income collected at the current standard; about two thirds of it is the four services' staff, split by
    the headcounts the company publishes (wages by service), the rest materials, energy, management and other
    costs. Headcounts follow from the staff cost (a part-time post is 0.5)."""
    income = _q(current * area * 12)
    collected = income * rate / 100
    total = collected * _d(rng, "1.08", "1.30")
    staff_total = total * _d(rng, "0.60", "0.70")
    weights = {service: WAGES[service] * max(1, heads.get(service, 1)) for service in WAGES}
    weight_sum = sum(weights.values())
    values: dict[str, Any] = {"area": area, "income_basis": income, "collection_basis": rate}
    for service, wage in WAGES.items():
        cost = _q(staff_total * weights[service] / weight_sum)
        values[f"staff_{service}"] = cost
        values[f"heads_{service}"] = max(Decimal("0.5"), (cost / wage).quantize(Decimal("0.1")))
    rest = total - staff_total
    for name, share in OTHER_SHARES.items():
        values[name] = _q(rest * share)
    # the standard at which the collected income covers the cost, rounded up to 5 fen
    values["break_even"] = _ceil(total / (area * 12 * rate / 100), Decimal("0.05"))
    return values


def demo_finish(*, street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    """The seed's 13 intents (13 个小区提出调价意向) in their stages, made through the intent services after the
    evaluation, the disclosures, the rectifications and the price meetings exist: three drafts and two submitted
    ones of the managing company (demo_company), six checked against the quality gate on today's records (先质
    后价: an estate that fails stays at the gate with the unmet conditions as its evidence), one withdrawn by the
    company and one declined by the street; the thirteenth is the showcase committee's own (demo_oc), checked at
    the gate too. On the demo street the gate is mostly closed — latest scores below the street's 80, a
    property-fee account disclosed once a year, one price meeting in the year — which is the seed's point:
    quality first; an intent that passes waits for its price meeting (the meeting and vote steps are exercised
    by tests/browser/test_fee_intent.py).

    The services stamp each step with the real clock and accept only a future effective day, so a demo built
    as of another day (tests of a past day) has no intents rather than a story out of order."""
    from gongzhi.disclosure.models import ServiceContent
    from gongzhi.fees.models import FeeIntent
    from gongzhi.fees.permissions import intent_side
    from gongzhi.fees.services import (
        fee_intent_check_gate,
        fee_intent_create,
        fee_intent_reject,
        fee_intent_submit,
        fee_intent_withdraw,
    )

    if today != timezone.localdate():
        return {"fee_intents": 0}
    rng = Random(seed * 131 + 7)
    admin = _street_admin(street, users)
    company_user, committee_user = users.get("demo_company"), users.get("demo_oc")
    if admin is None or company_user is None:
        return {"fee_intents": 0}
    contracts = {
        c.estate_id: c
        for c in r.Contract.objects.active(on=today)
        .filter(estate__area__street=street)
        .select_related("estate__area")
        .order_by("estate_id")
    }
    areas = dict(
        r.Unit.objects.filter(building__estate__area__street=street)
        .values("building__estate_id")
        .annotate(total=Sum("area"))
        .values_list("building__estate_id", "total")
    )
    heads: dict[int, dict[str, int]] = {}
    for estate_id, service, staffing in ServiceContent.objects.filter(
        estate__area__street=street
    ).values_list("estate_id", "service", "staffing"):
        heads.setdefault(estate_id, {})[service] = staffing
    showcase = next(
        (
            c.estate
            for c in contracts.values()
            if committee_user and intent_side(committee_user, c.estate) == "committee"
        ),
        None,
    )
    theirs = [c.estate for c in contracts.values() if intent_side(company_user, c.estate) == "company"]
    theirs = [e for e in theirs if showcase is None or e.pk != showcase.pk]
    rng.shuffle(theirs)
    picked = theirs[: INTENT_ESTATES - (1 if showcase else 0)]
    now = timezone.now()

    def values_for(estate) -> dict[str, Any]:
        contract = contracts[estate.pk]
        current = contract.fee_standard or Decimal("0.80")
        account = _cost_account(
            rng,
            area=_q(Decimal(areas.get(estate.pk) or 0)) or Decimal("10000.00"),
            current=current,
            rate=contract.collection_rate or Decimal("85.00"),
            heads=heads.get(estate.pk, {}),
        )
        # the company asks for its break-even standard, at least 5 fen more than today's
        proposed = max(account.pop("break_even"), current + Decimal("0.05"))
        return {
            "proposed_amount": proposed,
            "effective_from": month_add(month_start(today), rng.choice((3, 4, 6))),
            "reasons": rng.choice(INTENT_REASONS),
            **account,
        }

    def backdate(intent, days_ago: int, *, submitted: bool) -> None:
        opened = now - dt.timedelta(days=days_ago)
        fields: dict[str, Any] = {"opened_at": opened}
        if submitted:
            fields["submitted_at"] = opened + dt.timedelta(days=2)
        FeeIntent.objects.filter(pk=intent.pk).update(**fields)

    made = 0
    # stages by position: 3 drafts, 2 submitted, then checked at the gate; the last two withdrawn / declined
    for position, estate in enumerate(picked):
        intent = fee_intent_create(actor=company_user, estate=estate, **values_for(estate))
        made += 1
        if position < 3:
            backdate(intent, rng.randint(1, 6), submitted=False)
            continue
        intent = fee_intent_submit(actor=company_user, intent=intent)
        backdate(intent, rng.randint(10, 40), submitted=True)
        if position < 5:
            continue
        fee_intent_check_gate(actor=company_user, intent=intent, today=today)
        if position == len(picked) - 2:
            fee_intent_withdraw(actor=company_user, intent=intent, reason=WITHDRAW_REASON)
        elif position == len(picked) - 1:
            fee_intent_reject(actor=admin, intent=intent, reason=REJECT_REASON)
    if showcase is not None:
        made += _showcase_intent(
            showcase, committee_user, values_for(showcase), today=today, backdate=backdate
        )
    return {"fee_intents": made}


def _showcase_intent(estate, user, values: dict[str, Any], *, today: dt.date, backdate) -> int:
    """The showcase committee's own intent (demo_oc): opened and submitted before the price meeting held in its
    area, then checked at the gate on today's records — it stays there while the records keep the gate closed
    (the committee sees which conditions and why, with links to the evidence)."""
    from gongzhi.fees.services import fee_intent_check_gate, fee_intent_create, fee_intent_submit

    intent = fee_intent_create(actor=user, estate=estate, **values)
    intent = fee_intent_submit(actor=user, intent=intent)
    backdate(intent, 45, submitted=True)
    intent.refresh_from_db()
    fee_intent_check_gate(actor=user, intent=intent, today=today)
    return 1


def demo_finish_delete(*, street) -> dict[str, int]:
    """The intents first on reset: they point at other apps' meetings and decisions."""
    from gongzhi.fees.models import FeeIntent

    intents, _ = FeeIntent.objects.filter(estate__area__street=street).delete()
    return {"fee_intents": intents}
