"""The demo street's fee standards and 24 months of fee collection (docs/DESIGN.md §8).

Standards: the residential property fee of each estate is its active contract's fee (≈ 0.8 yuan/m²/month;
about one estate in three also shows the earlier, superseded standard), a non-residential fee in some,
monthly and temporary parking fees everywhere. Collection: billed = the estate's registered area × the
fee in force that month; rates improve a little over two years, and over the latest 12 months they add up
exactly to the registry's ``Contract.collection_rate`` — the rule ``services.refresh_contract_rate`` keeps
(so the home page, the registry and this app agree). A pure function of (seed, today) and the street."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from django.db.models import Count, Sum

from gongzhi.fees.models import FeeBasis, FeeKind, FeeStandard, FeeUnit, MonthlyCollection
from gongzhi.fees.rules import ROLLING_MONTHS, month_add, month_start
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
    standards: list[FeeStandard] = []
    superseding: list[tuple[FeeStandard, FeeStandard]] = []
    rows: list[MonthlyCollection] = []
    current = month_start(today)
    months = [month_add(current, -k) for k in range(MONTHS, 0, -1)]  # complete months before this one
    window = set(months[-ROLLING_MONTHS:])
    for estate in estates:
        own = contracts.get(estate.pk, [])
        active = _contract_on(own, today)
        old = estate.is_old
        # ---- standards
        fee = active.fee_standard if active else Decimal("0.80")
        start = active.start_date if active else today - dt.timedelta(days=400)
        residential = FeeStandard(
            estate=estate,
            kind=FeeKind.PROPERTY_RESIDENTIAL,
            amount=fee,
            unit=FeeUnit.PER_M2_MONTH,
            effective_from=start,
            basis=FeeBasis.CONTRACT,
            basis_reference=f"物业服务合同({start.year})",
        )
        if rng.random() < 0.35:
            earlier = FeeStandard(
                estate=estate,
                kind=FeeKind.PROPERTY_RESIDENTIAL,
                amount=max(fee - _d(rng, "0.05", "0.20"), Decimal("0.40")),
                unit=FeeUnit.PER_M2_MONTH,
                effective_from=start - dt.timedelta(days=rng.randint(900, 2400)),
                basis=FeeBasis.PRICE_BUREAU,
                basis_reference=f"沪价房〔{start.year - rng.randint(4, 9)}〕{rng.randint(10, 99)}号",
            )
            standards.append(earlier)
            superseding.append((residential, earlier))
        standards.append(residential)
        if rng.random() < 0.3:
            standards.append(
                FeeStandard(
                    estate=estate,
                    kind=FeeKind.PROPERTY_NON_RESIDENTIAL,
                    label="沿街商铺",
                    amount=_d(rng, "1.50", "3.00"),
                    unit=FeeUnit.PER_M2_MONTH,
                    effective_from=start,
                    basis=FeeBasis.CONTRACT,
                )
            )
        parking_from = today - dt.timedelta(days=rng.randint(200, 1500))
        decision = f"业主大会决定〔{parking_from.year}〕{rng.randint(1, 9)}号"
        standards += [
            FeeStandard(
                estate=estate,
                kind=FeeKind.PARKING_MONTHLY,
                label="地面车位",
                amount=Decimal(rng.choice([120, 150, 150, 180, 200]) if old else rng.choice([200, 250, 300])),
                unit=FeeUnit.PER_MONTH,
                effective_from=parking_from,
                basis=FeeBasis.OWNERS_ASSEMBLY,
                basis_reference=decision,
            ),
            FeeStandard(
                estate=estate,
                kind=FeeKind.PARKING_HOURLY,
                label="首小时后",
                amount=Decimal(rng.choice(["2.00", "3.00", "3.00", "5.00"])),
                unit=FeeUnit.PER_HOUR,
                effective_from=parking_from,
                basis=FeeBasis.PRICE_BUREAU,
            ),
        ]
        if rng.random() < 0.4:
            standards.append(
                FeeStandard(
                    estate=estate,
                    kind=FeeKind.PARKING_PER_TIME,
                    label="夜间临时停车",
                    amount=Decimal(rng.choice(["5.00", "10.00"])),
                    unit=FeeUnit.PER_TIME,
                    effective_from=parking_from,
                    basis=FeeBasis.OWNERS_ASSEMBLY,
                    basis_reference=decision,
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
    FeeStandard.objects.bulk_create([s for s in standards if all(s is not new for new, _e in superseding)])
    for new, earlier in superseding:
        new.supersedes = earlier  # the earlier one has its primary key now
    FeeStandard.objects.bulk_create([new for new, _e in superseding])
    MonthlyCollection.objects.bulk_create(rows, batch_size=2000)
    return {"fee_standards": len(standards), "fee_collections": len(rows)}


def demo_delete(*, street) -> dict[str, int]:
    collections, _ = MonthlyCollection.objects.filter(estate__area__street=street).delete()
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
    return {"fee_collections": collections, "fee_standards": n}


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    for row in (
        FeeStandard.objects.filter(estate__area__street=street)
        .order_by("estate__area__name", "estate__name", "kind", "label", "effective_from")
        .values_list(
            "estate__name", "kind", "label", "amount", "unit", "effective_from", "basis", "basis_reference"
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
