"""Reads of the fee standards and collections: standards in force on a day, each estate's trend and the
street overview (latest rate, 12-month sparkline)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.branchwork.models import Meeting, MeetingKind
from gongzhi.core import charts
from gongzhi.core.dates import year_month
from gongzhi.core.ordering import pinyin_order
from gongzhi.fees.models import (
    FeeIntent,
    FeeKind,
    FeeProposal,
    FeeStandard,
    GateRule,
    IntentStatus,
    MonthlyCollection,
    PriceDocument,
    ProposalStatus,
)
from gongzhi.fees.rules import (
    COST_LINES,
    INTENT_OPEN_STATES,
    STAFF_LINES,
    CostTotals,
    GateFacts,
    GateSettings,
    LatestEvaluation,
    OpenRectification,
    check_quality_gate,
    collection_rate,
    cost_totals,
    disclosed_months,
    gate_open,
    month_add,
    month_start,
    percent,
)
from gongzhi.registry.models import Contract, Estate

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
        x_axis=charts.category_axis([year_month(r.month) for r in rows]),
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
        # A proposal an intent's price meeting produced is adopted through the intent's owners' decision.
        FeeProposal.objects.filter(
            estate_id=estate_id, status=ProposalStatus.PROPOSED, intent__isnull=True
        ).order_by("-proposed_at", "-pk")
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


# ---- the quality gate (先质后价): its facts gathered from the problems, evaluation, finance and branch apps ----

FOUR_SERVICES = (
    "cleaning",
    "greening",
    "security",
    "repair",
)  # problem category codes of 保洁、保绿、保安、保修
# Not closed (未销项) and on the clock: accepted, in rectification, or submitted but not yet accepted.
GATE_OPEN_PROBLEM_STATUSES = ("assigned", "in_progress", "submitted")


@dataclass
class GateEvidence:
    facts: GateFacts
    links: dict[str, list[tuple[str, str]]]  # condition key → (text, url) pairs to the records


def gate_settings(street_id: int) -> GateSettings:
    """The street's thresholds, or the platform's defaults while it has set none."""
    rule = GateRule.objects.filter(street_id=street_id).first()
    if rule is None:
        return GateSettings()
    return GateSettings(
        min_score=rule.min_score,
        disclosure_months=rule.disclosure_months,
        meeting_within_days=rule.meeting_within_days,
    )


def last_price_meetings(estate_ids, *, today: dt.date) -> dict[int, Meeting]:
    """estate id → its latest price-negotiation meeting (议价会议) held up to ``today`` (not cancelled)."""
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    through = Meeting.estates.through
    rows = (
        through.objects.filter(
            estate_id__in=list(estate_ids),
            meeting__kind=MeetingKind.PRICE,
            meeting__cancelled=False,
            meeting__starts_at__lt=end,
        )
        .select_related("meeting")
        .order_by("estate_id", "-meeting__starts_at", "-meeting_id")
    )
    result: dict[int, Meeting] = {}
    for row in rows:
        result.setdefault(row.estate_id, row.meeting)
    return result


def gate_evidence(estate, *, today: dt.date, months: int) -> GateEvidence:
    """The four facts of the gate for one estate, read from the real records (a fixed number of queries)."""
    from django.urls import reverse

    from gongzhi.evaluation.models import CampaignStatus, ScoreClass, ScoreKind, ScoreSnapshot
    from gongzhi.finance.models import Disclosure, LedgerKind
    from gongzhi.problems.models import Problem

    links: dict[str, list[tuple[str, str]]] = {
        "rectifications": [],
        "evaluation": [],
        "disclosure": [],
        "meeting": [],
    }
    problems = list(
        Problem.objects.filter(
            estate=estate,
            category__code__in=FOUR_SERVICES,
            status__in=GATE_OPEN_PROBLEM_STATUSES,
            deadline__isnull=False,
        )
        .select_related("category")
        .order_by("deadline", "number")
    )
    items = tuple(
        OpenRectification(ref=p.number, title=p.category.name, deadline=p.deadline)
        for p in problems
        if p.deadline is not None
    )
    for p in problems:
        if p.deadline is not None and p.deadline < today:
            links["rectifications"].append((p.number, reverse("problems:detail", args=[p.pk])))
    snapshot = (
        ScoreSnapshot.objects.filter(
            kind=ScoreKind.ESTATE, estate=estate, campaign__status=CampaignStatus.CLOSED
        )
        .select_related("campaign")
        .order_by("-campaign__period_end", "-campaign__closes_on", "-campaign_id")
        .first()
    )
    evaluation = None
    if snapshot is not None:
        evaluation = LatestEvaluation(
            campaign=snapshot.campaign.name,
            score=snapshot.composite.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            class_label=snapshot.get_score_class_display() or "—",
            bottom=snapshot.score_class == ScoreClass.ELIMINATION,
        )
        links["evaluation"].append((snapshot.campaign.name, reverse("evaluation:score", args=[snapshot.pk])))
    current = month_start(today)
    window = [month_add(current, -k) for k in range(months, 0, -1)]
    periods = list(
        Disclosure.objects.filter(
            estate=estate,
            ledger=LedgerKind.PROPERTY_FEE,
            period_end__gte=window[0],
            period_start__lt=current,
        ).values_list("period_start", "period_end")
    )
    disclosed = disclosed_months(periods, window)
    links["disclosure"].append(
        (
            _("物业费收支公示记录"),
            reverse("finance:estate", args=[estate.pk]) + "?ledger=property_fee#disclosure",
        )
    )
    meeting = last_price_meetings([estate.pk], today=today).get(estate.pk)
    if meeting is not None:
        links["meeting"].append((meeting.title, reverse("branchwork:meeting", args=[meeting.pk])))
    facts = GateFacts(
        rectifications=items,
        evaluation=evaluation,
        disclosed_months=disclosed,
        last_price_meeting=timezone.localdate(meeting.starts_at) if meeting else None,
    )
    return GateEvidence(facts=facts, links=links)


def gate_for(estate, *, today: dt.date | None = None) -> dict:
    """The gate of one estate as a page shows it: the thresholds, each condition with its evidence links."""
    day = today or timezone.localdate()
    rule = gate_settings(estate.area.street_id)
    evidence = gate_evidence(estate, today=day, months=rule.disclosure_months)
    conditions = check_quality_gate(evidence.facts, today=day, settings=rule)
    return {
        "today": day,
        "settings": rule,
        "conditions": [{"c": c, "links": evidence.links.get(c.key, [])} for c in conditions],
        "open": gate_open(conditions),
    }


def intents(user, *, estate_ids=None):
    """Intents through the door, newest first, with their estate."""
    from gongzhi.core.scopes import visible

    qs = visible(user, FeeIntent).select_related("estate__area")
    if estate_ids is not None:
        qs = qs.filter(estate_id__in=list(estate_ids))
    return qs.order_by("-opened_at", "-pk")


def intent_detail(intent: FeeIntent) -> dict:
    """The cost account's totals and the gate's history of one intent."""
    return {
        "totals": cost_totals_of(intent),
        "checks": list(intent.gate_checks.order_by("-checked_at", "-pk")[:10]),
    }


def vote_misfit_of(intent: FeeIntent) -> str | None:
    """Why the intent's linked decision can no longer make its standard (``rules.vote_misfit``), or ``None``."""
    from gongzhi.fees.rules import vote_misfit
    from gongzhi.fees.services import decision_facts

    if intent.decision is None:
        return None
    return vote_misfit(decision_facts(intent.decision), estate_id=intent.estate_id)


def cost_totals_of(intent: FeeIntent) -> CostTotals:
    return cost_totals(
        lines={name: getattr(intent, name) for name in COST_LINES},
        headcounts={name: getattr(intent, "heads_" + name.removeprefix("staff_")) for name in STAFF_LINES},
        area=intent.area or Decimal(0),
        income=intent.income_basis or Decimal(0),
        collection_percent=intent.collection_basis or Decimal(0),
        proposed=intent.agreed_amount or intent.proposed_amount,
    )


def price_rhythm(estates, *, today: dt.date | None = None, within_days: int = 365) -> list[dict]:
    """Every estate with its latest price meeting and whether it was held within ``within_days`` up to today
    (the annual rhythm: 建立每年一次议价会议制度). Three queries whatever the number of estates."""
    day = today or timezone.localdate()
    estates = list(estates.select_related("area").order_by(*pinyin_order(Estate, "area__name", "name", "pk")))
    last = last_price_meetings([e.pk for e in estates], today=day)
    open_intents = dict(
        FeeIntent.objects.filter(
            estate_id__in=[e.pk for e in estates], status__in=INTENT_OPEN_STATES
        ).values_list("estate_id", "status")
    )
    rows = []
    for estate in estates:
        meeting = last.get(estate.pk)
        held = timezone.localdate(meeting.starts_at) if meeting else None
        rows.append(
            {
                "estate": estate,
                "meeting": meeting,
                "held": held,
                "due": (held + dt.timedelta(days=within_days)) if held else None,
                "ok": held is not None and held >= day - dt.timedelta(days=within_days),
                "intent_status": IntentStatus(open_intents[estate.pk]).label
                if estate.pk in open_intents
                else "",
            }
        )
    return rows


def price_meeting_options(intent: FeeIntent) -> list[Meeting]:
    """The price meetings that may be this intent's negotiation: of kind 议价会议, about its estate, not
    cancelled, held already and not before the intent was submitted (the service checks the same)."""
    qs = Meeting.objects.filter(
        kind=MeetingKind.PRICE, cancelled=False, estates=intent.estate_id, starts_at__lte=timezone.now()
    )
    if intent.submitted_at:
        start = timezone.localdate(intent.submitted_at)
        qs = qs.filter(starts_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)))
    return list(qs.order_by("-starts_at", "-pk")[:20])


# ---- fee × quality (质价相符) ----------------------------------------------------------------------------


def _residential_fee(standards: list[FeeStandard]) -> FeeStandard | None:
    """The residential property-fee standard an estate is placed by: the lowest of its items in force
    (an estate with 多层 and 高层 rates is placed by what most old-estate households pay)."""
    residential = [s for s in standards if s.kind == FeeKind.PROPERTY_RESIDENTIAL]
    return min(residential, key=lambda s: (s.amount, s.label)) if residential else None


def fee_quality(estates, *, today: dt.date | None = None) -> dict:
    """Each estate's fee in force, the composite score of its latest closed evaluation, its collection
    rate over the last 12 recorded months and its band (``rules.fee_quality_band``), with the street's
    median fee and gate score; a summary per band and per company. A fixed number of queries: the scores
    are read by a subquery, the collection summed in the database."""
    from django.db.models import OuterRef, Subquery, Sum

    from gongzhi.evaluation.models import CampaignStatus, ScoreClass, ScoreKind, ScoreSnapshot
    from gongzhi.fees.rules import BAND_UNPLACED, fee_quality_band, median_fee

    day = today or timezone.localdate()
    latest = ScoreSnapshot.objects.filter(
        kind=ScoreKind.ESTATE, estate=OuterRef("pk"), campaign__status=CampaignStatus.CLOSED
    ).order_by("-campaign__period_end", "-campaign__closes_on", "-campaign_id")
    estates = list(
        estates.select_related("area").annotate(
            score=Subquery(latest.values("composite")[:1]),
            score_class=Subquery(latest.values("score_class")[:1]),
            snapshot_id=Subquery(latest.values("pk")[:1]),
        )
    )
    ids = [e.pk for e in estates]
    in_force = standards_in_force(ids, on=day)
    contracts = {
        estate_id: (company_id, name, fee)
        for estate_id, company_id, name, fee in Contract.objects.active(day)
        .filter(estate_id__in=ids)
        .order_by("estate_id", "start_date")
        .values_list("estate_id", "company_id", "company__name", "fee_standard")
    }
    first = month_add(month_start(day), -12)
    sums = {
        row["estate_id"]: collection_rate(row["billed"], row["collected"])
        for row in MonthlyCollection.objects.filter(
            estate_id__in=ids, month__gte=first, month__lt=month_start(day)
        )
        .order_by()
        .values("estate_id")
        .annotate(billed=Sum("amount_billed"), collected=Sum("amount_collected"))
    }
    settings_by_street = {sid: gate_settings(sid) for sid in {e.area.street_id for e in estates}}
    classes = dict(ScoreClass.choices)
    rows = []
    for estate in estates:
        standard = _residential_fee(in_force.get(estate.pk, []))
        company_id, company, contract_fee = contracts.get(estate.pk, (None, "", None))
        fee = standard.amount.normalize() if standard else contract_fee
        score = (
            Decimal(estate.score).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if estate.score is not None
            else None
        )
        rows.append(
            {
                "estate": estate,
                "company_id": company_id,
                "company": company,
                "fee": fee,
                "fee_from_contract": standard is None and fee is not None,
                "score": score,
                "score_class": classes.get(estate.score_class or "", ""),
                "snapshot_id": estate.snapshot_id,
                "rate": percent(sums.get(estate.pk)),
            }
        )
    medians = {
        street_id: median_fee(r["fee"] for r in rows if r["estate"].area.street_id == street_id)
        for street_id in settings_by_street
    }
    for row in rows:
        street_id = row["estate"].area.street_id
        row["band"] = fee_quality_band(
            row["fee"],
            row["score"],
            median=medians[street_id],
            min_score=settings_by_street[street_id].min_score,
        )
    streets = sorted(settings_by_street)
    median = medians[streets[0]] if len(streets) == 1 else None
    min_score = settings_by_street[streets[0]].min_score if len(streets) == 1 else None
    counts = {band: sum(1 for r in rows if r["band"] == band) for band in BANDS_SHOWN}
    companies: dict[int, dict] = {}
    for row in rows:
        if row["company_id"] is None:
            continue
        entry = companies.setdefault(
            row["company_id"],
            {
                "company_id": row["company_id"],
                "company": row["company"],
                "estates": 0,
                "bands": defaultdict(int),
            },
        )
        entry["estates"] += 1
        entry["bands"][row["band"]] += 1
    company_rows = sorted(
        ({**c, "bands": {band: c["bands"].get(band, 0) for band in BANDS_SHOWN}} for c in companies.values()),
        key=lambda c: (-c["bands"]["overpriced"], -c["bands"]["underpriced"], c["company"]),
    )
    return {
        "rows": rows,
        "median": median,
        "min_score": min_score,
        "counts": counts,
        "companies": company_rows,
        "placed": sum(1 for r in rows if r["band"] != BAND_UNPLACED),
    }


BANDS_SHOWN = ("underpriced", "overpriced", "matched", "unplaced")
BAND_COLOURS = {
    "underpriced": "#1f7a3a",
    "overpriced": "#b42318",
    "matched": "#1f5fa8",
    "unplaced": "#98a2b3",
}


def band_labels() -> dict[str, str]:
    return {
        "underpriced": _("质优价低"),
        "overpriced": _("价高质低"),
        "matched": _("质价相符"),
        "unplaced": _("缺少数据"),
    }


def fee_quality_chart(data: dict) -> dict | None:
    """The scatter: fee (x) against the composite score (y), one series per band, with the street's
    median fee and gate score as reference lines."""
    labels = band_labels()
    series = []
    for band in ("underpriced", "overpriced", "matched"):
        points = [
            [
                float(r["fee"]),
                float(r["score"]),
                float(r["rate"]) if r["rate"] is not None else None,
                r["estate"].name,
            ]
            for r in data["rows"]
            if r["band"] == band
        ]
        series.append(
            {
                "name": labels[band],
                "type": "scatter",
                "symbolSize": 12,
                "symbol": {"underpriced": "triangle", "overpriced": "diamond", "matched": "circle"}[band],
                "itemStyle": {"color": BAND_COLOURS[band]},
                "data": points,
                "encode": {"x": 0, "y": 1, "tooltip": [3, 0, 1, 2]},
            }
        )
    if not any(s["data"] for s in series):
        return None
    lines = []
    if data["median"] is not None:
        lines.append({"xAxis": float(data["median"]), "name": _("街道中位物业费")})
    if data["min_score"] is not None:
        lines.append({"yAxis": float(data["min_score"]), "name": _("门槛得分")})
    if lines:
        series[0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "color": "#667085"},
            "label": {"formatter": "{b}"},
            "data": lines,
        }
    return charts.option(
        x_axis={
            "type": "value",
            "name": _("物业费（元/m²/月）"),
            "scale": True,
            "nameLocation": "middle",
            "nameGap": 28,
        },
        y_axis={"type": "value", "name": _("综合得分"), "scale": True},
        series=series,
        grid=charts.grid(56, 80, 48, 56),
        tooltip={"trigger": "item"},
        legend={"top": 0},
    )


def increase_effects(estates, *, today: dt.date | None = None, months: int = 6) -> list[dict]:
    """Each residential fee increase in force (a standard above the one it superseded): the collection
    rate and the number of problems reported in the ``months`` before and after its effective date (the
    after-window ends today at the latest). Two aggregate queries whatever the number of increases."""
    from django.db.models import Count, F, Q, Sum

    from gongzhi.problems.models import Problem

    day = today or timezone.localdate()
    increases = list(
        FeeStandard.objects.filter(
            estate__in=estates,
            kind=FeeKind.PROPERTY_RESIDENTIAL,
            supersedes__isnull=False,
            amount__gt=F("supersedes__amount"),
            effective_from__lte=day,
        )
        .select_related("estate", "supersedes", "basis_decision")
        .order_by("-effective_from", "estate__name")
    )
    if not increases:
        return []
    sums: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    windows = []
    for i, s in enumerate(increases):
        start = month_start(s.effective_from)
        before = (month_add(start, -months), start)
        after = (start, min(month_add(start, months), month_add(month_start(day), 1)))
        windows.append((before, after))
        for side, (low, high) in (("b", before), ("a", after)):
            where = Q(estate_id=s.estate_id, month__gte=low, month__lt=high)
            sums[f"billed_{side}{i}"] = Sum("amount_billed", filter=where)
            sums[f"collected_{side}{i}"] = Sum("amount_collected", filter=where)
            moment_low = timezone.make_aware(dt.datetime.combine(low, dt.time.min))
            moment_high = timezone.make_aware(dt.datetime.combine(high, dt.time.min))
            counts[f"problems_{side}{i}"] = Count(
                "pk", filter=Q(estate_id=s.estate_id, created_at__gte=moment_low, created_at__lt=moment_high)
            )
    ids = {s.estate_id for s in increases}
    money = MonthlyCollection.objects.filter(estate_id__in=ids).aggregate(**sums)
    problems = Problem.objects.filter(estate_id__in=ids).aggregate(**counts)
    result = []
    for i, s in enumerate(increases):
        (before, after) = windows[i]
        result.append(
            {
                "standard": s,
                "estate": s.estate,
                "old": s.supersedes.amount.normalize(),
                "new": s.amount.normalize(),
                "rate_before": percent(
                    collection_rate(money[f"billed_b{i}"] or 0, money[f"collected_b{i}"] or 0)
                ),
                "rate_after": percent(
                    collection_rate(money[f"billed_a{i}"] or 0, money[f"collected_a{i}"] or 0)
                ),
                "problems_before": problems[f"problems_b{i}"],
                "problems_after": problems[f"problems_a{i}"],
                "after_months": (after[1].year - after[0].year) * 12 + after[1].month - after[0].month,
            }
        )
    return result


def initiatives(user) -> dict:
    """Initiative records the user may read (through the door), newest first, and how many companies show
    initiative (``rules.initiative_count``: a record done before the street asked). Two queries."""
    from gongzhi.core.scopes import visible
    from gongzhi.fees.models import Initiative
    from gongzhi.fees.rules import initiative_count

    rows = list(visible(user, Initiative).select_related("company", "estate").order_by("-done_on", "-pk"))
    return {
        "rows": rows,
        "companies": initiative_count((r.company_id, r.done_on, r.asked_on) for r in rows),
        "records": len(rows),
    }


# ---- the four services standard (四保标准, docs/FEES.md §9) -----------------------------------------------------


def service_standard(street_id: int) -> list[tuple[str, list]]:
    """The street's standard, level by level (一级 … 五级), items by code. One query."""
    from gongzhi.fees.models import StandardItem
    from gongzhi.fees.rules import LEVELS

    by_level: dict[str, list] = {level: [] for level in LEVELS}
    for item in sorted(
        StandardItem.objects.filter(street_id=street_id), key=lambda i: (i.level, *_service_order(i))
    ):
        by_level.setdefault(item.level, []).append(item)
    return [(level, items) for level, items in by_level.items() if items]


def _service_order(item) -> tuple[int, str]:
    """The four services in the order the seed names them (保洁、保绿、保安、保修), then by code."""
    from gongzhi.fees.models import ServiceKind

    return (ServiceKind.values.index(item.service) if item.service in ServiceKind.values else 99, item.code)


def standard_titles(street_id: int) -> dict[str, tuple[int, str, str, str]]:
    """The street's four-services standard items by code: (the service's place among the four, the service's
    label, the item's title, the service's code). A code names one item at every level, so any level's title
    serves. One query."""
    from gongzhi.fees.models import ServiceKind, StandardItem

    order = {value: n for n, value in enumerate(ServiceKind.values)}
    labels = dict(ServiceKind.choices)
    return {
        code: (order.get(service, 99), str(labels.get(service, service)), title, service)
        for code, service, title in StandardItem.objects.filter(street_id=street_id)
        .order_by("code", "level")
        .values_list("code", "service", "title")
    }


def standard_services(street_id: int) -> dict[str, str]:
    """The street's four-services standard item codes and the service each belongs to (BJ-01 → "cleaning"): what
    a survey question or an inspection line may name. One query."""
    from gongzhi.fees.models import StandardItem

    return dict(StandardItem.objects.filter(street_id=street_id).values_list("code", "service").distinct())


_UNREAD = object()


def commitment_check(estate, *, today: dt.date | None = None, contract: Any = _UNREAD) -> dict:
    """The managing company's commitment at ``estate`` checked item by item against the standard of the level its
    contract in force names (``rules.check_commitments``). A fixed number of queries; ``contract``: the contract
    in force when the caller has read it already (None: there is none)."""
    from gongzhi.fees.models import ServiceCommitment, StandardItem
    from gongzhi.fees.rules import check_commitments, level_of
    from gongzhi.registry.models import Contract

    today = today or timezone.localdate()
    if contract is _UNREAD:
        contract = Contract.objects.active(on=today).filter(estate=estate).select_related("company").first()
    level = level_of(contract.service_level) if contract else None
    items = sorted(
        StandardItem.objects.filter(street_id=estate.area.street_id, level=level) if level else [],
        key=_service_order,
    )
    commitments = dict(ServiceCommitment.objects.filter(estate=estate).values_list("code", "value"))
    checks = check_commitments(
        ((i.code, i.title, i.service, i.measure, i.unit, i.required) for i in items), commitments
    )
    counts = {key: sum(1 for c in checks if c.status == key) for key in ("met", "below", "missing")}
    return {
        "contract": contract,
        "level": level,
        "level_text": contract.service_level if contract else "",
        "checks": checks,
        "counts": counts,
        "commitments": commitments,
    }
