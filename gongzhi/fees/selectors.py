"""Reads of the fee standards and collections: standards in force on a day, each estate's trend and the
street overview (latest rate, 12-month sparkline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from gongzhi.core import charts
from gongzhi.fees.models import (
    FeeKind,
    FeeProposal,
    FeeStandard,
    MonthlyCollection,
    PriceDocument,
    ProposalStatus,
)
from gongzhi.fees.rules import collection_rate, month_add, month_start, percent
from gongzhi.registry.models import Contract

BASIS_RELATED = ("basis_decision", "basis_contract__company", "basis_document")


def standards_in_force(estate_ids, *, on: dt.date | None = None) -> dict[int, list[FeeStandard]]:
    """estate id → the standards in force on ``on`` (the latest ``effective_from`` ≤ ``on`` per item)."""
    day = on or timezone.localdate()
    rows = (
        FeeStandard.objects.filter(estate_id__in=list(estate_ids), effective_from__lte=day)
        .select_related(*BASIS_RELATED)
        .order_by("estate_id", "kind", "label", "-effective_from")
    )
    result: dict[int, list[FeeStandard]] = defaultdict(list)
    seen: set[tuple] = set()
    for row in rows:
        key = (row.estate_id, row.kind, row.label)
        if key in seen:
            continue
        seen.add(key)
        result[row.estate_id].append(row)
    order = {kind: i for i, kind in enumerate(FeeKind.values)}  # property fees first, then parking, other
    for rows_of_estate in result.values():
        rows_of_estate.sort(key=lambda s: (order[s.kind], s.label))
    return result


def standard_history(estate_id: int) -> list[FeeStandard]:
    return list(
        FeeStandard.objects.filter(estate_id=estate_id)
        .select_related("supersedes", *BASIS_RELATED)
        .order_by("kind", "label", "-effective_from")
    )


def collections(estate_id: int, *, months: int | None = None) -> list[MonthlyCollection]:
    """The estate's monthly rows, oldest first (the last ``months`` months up to today if given)."""
    rows = MonthlyCollection.objects.filter(estate_id=estate_id)
    if months:
        rows = rows.filter(month__gte=month_add(month_start(timezone.localdate()), -(months - 1)))
    return list(rows.order_by("month"))


def trend_chart(rows: list[MonthlyCollection]) -> dict | None:
    """An ECharts option: the monthly rate in percent (display only — floats never feed a sum)."""
    if not rows:
        return None
    return charts.option(
        tooltip={"trigger": "axis", "valueFormatter": None},
        grid=charts.grid(44, 12, 24, 30),
        x_axis=charts.category_axis([f"{r.month:%Y-%m}" for r in rows]),
        y_axis=charts.value_axis(min=0, max=100, axisLabel={"formatter": "{value}%"}),
        series=[
            {
                "type": "line",
                "name": "收缴率",
                "data": [float(percent(r.rate) or 0) for r in rows],
                "smooth": False,
            }
        ],
        colours=["#1f5fa8"],
    )


def street_overview(estates, *, today: dt.date | None = None, months: int = 12) -> list[dict]:
    """One row per estate: latest month and its rate, the rolling-year rate, the last ``months`` rates
    (for a sparkline), the managing company. Three queries whatever the number of estates."""
    day = today or timezone.localdate()
    estates = list(estates.select_related("area"))
    ids = [e.pk for e in estates]
    first = month_add(month_start(day), -(months - 1))
    by_estate: dict[int, list[MonthlyCollection]] = defaultdict(list)
    rows = MonthlyCollection.objects.filter(estate_id__in=ids, month__gte=month_add(first, -12)).order_by(
        "month"
    )
    for row in rows:
        by_estate[row.estate_id].append(row)
    companies = dict(
        Contract.objects.active(day)
        .filter(estate_id__in=ids)
        .order_by("estate_id", "-start_date")
        .values_list("estate_id", "company__name")
    )
    company_ids = dict(
        Contract.objects.active(day).filter(estate_id__in=ids).values_list("estate_id", "company_id")
    )
    result = []
    for estate in estates:
        history = by_estate.get(estate.pk, [])
        recent = [r for r in history if r.month >= first]
        latest = history[-1] if history else None
        year = [r for r in history if latest and r.month >= month_add(latest.month, -11)]
        billed = sum((r.amount_billed for r in year), Decimal(0))
        collected = sum((r.amount_collected for r in year), Decimal(0))
        result.append(
            {
                "estate": estate,
                "company": companies.get(estate.pk, ""),
                "company_id": company_ids.get(estate.pk),
                "latest": latest,
                "latest_rate": percent(latest.rate) if latest else None,
                "year_rate": percent(collection_rate(billed, collected)) if year else None,
                "series": [(r.month, percent(r.rate)) for r in recent],
            }
        )
    return result


def estates_for_overview(base, *, area: int | None = None, company: int | None = None):
    qs = base
    if area:
        qs = qs.filter(area_id=area)
    if company:
        qs = qs.filter(pk__in=Contract.objects.active().filter(company_id=company).values("estate_id"))
    return qs


def estate_filters(estates) -> tuple[list, list]:
    """The areas and companies offered as filters on the overview (only those within reach)."""
    from gongzhi.registry.models import Area, Company

    areas = list(
        Area.objects.filter(pk__in=estates.values("area_id")).order_by("name").values_list("pk", "name")
    )
    companies = list(
        Company.objects.filter(
            pk__in=Contract.objects.active().filter(estate__in=estates).values("company_id")
        )
        .order_by("name")
        .values_list("pk", "name")
    )
    return areas, companies


def pending_proposals(estate_id: int) -> list[FeeProposal]:
    """The estate's proposals not yet adopted or withdrawn, newest first."""
    return list(
        FeeProposal.objects.filter(estate_id=estate_id, status=ProposalStatus.PROPOSED).order_by(
            "-proposed_at", "-pk"
        )
    )


def basis_options(user, estate) -> dict[str, list]:
    """What a standard of ``estate`` may name as its basis, as the user sees it through the door: the estate's
    counted decisions, its contracts, the price documents that list it (the rule judges each choice)."""
    from gongzhi.core.scopes import visible
    from gongzhi.voting.models import Decision, DecisionStatus

    decisions = (
        visible(user, Decision)
        .filter(estate=estate)
        .exclude(status__in=[DecisionStatus.DRAFT, DecisionStatus.PUBLISHED])
        .order_by("-closes_at", "-pk")
    )
    contracts = (
        Contract.objects.filter(estate=estate).select_related("company").order_by("-start_date", "-pk")
    )
    documents = PriceDocument.objects.filter(estates=estate).order_by("-issued_on", "-pk")
    return {"decisions": list(decisions), "contracts": list(contracts), "documents": list(documents)}


def price_documents(user, street) -> list[PriceDocument]:
    """The street's price documents through the door, newest first, with the estates each covers."""
    from gongzhi.core.scopes import visible

    return list(
        visible(user, PriceDocument)
        .filter(street=street)
        .prefetch_related("estates")
        .order_by("-issued_on", "-pk")
    )
