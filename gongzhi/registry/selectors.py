"""Reads over the registry that pages, the API and exports share. Aggregations run in the
database (one query each), never row by row in Python."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Floor
from django.utils import timezone

from gongzhi.core.scopes import visible
from gongzhi.registry import models as r


def estates_for(user) -> QuerySet:
    return visible(user, r.Estate)


def registry_summary(user) -> dict:
    """Key figures over the estates a user may see."""
    estates = estates_for(user)
    estate_ids = estates.values("pk")
    today = timezone.localdate()
    counts = estates.aggregate(
        estates=Count("pk"),
        old=Count("pk", filter=Q(build_year__lt=r.OLD_ESTATE_BEFORE_YEAR)),
        areas=Count("area", distinct=True),
    )
    units = r.Unit.objects.filter(building__estate_id__in=estate_ids).aggregate(
        units=Count("pk"), area=Sum("area"), owners=Count("owner", distinct=True)
    )
    active = r.Contract.objects.active(today).filter(estate_id__in=estate_ids)
    contracts = active.aggregate(
        companies=Count("company", distinct=True),
        fee_avg=Avg("fee_standard"),
        fee_min=Min("fee_standard"),
        fee_max=Max("fee_standard"),
        rate_avg=Avg("collection_rate"),
        rate_min=Min("collection_rate"),
        rate_max=Max("collection_rate"),
        covered=Count("estate", distinct=True),
    )
    committees = r.OwnersCommittee.objects.filter(estate_id__in=estate_ids)
    current = committees.filter(term_start__lte=today, term_end__gte=today)
    terms = current.aggregate(
        due=Count("pk", filter=Q(term_end__lte=today + dt.timedelta(days=150))),
        with_committee=Count("estate", distinct=True),
    )
    due, with_committee = terms["due"], terms["with_committee"]
    return {
        **counts,
        "units": units["units"] or 0,
        "total_area": units["area"] or Decimal("0"),
        "owners": units["owners"] or 0,
        **{k: v for k, v in contracts.items()},
        "without_contract": counts["estates"] - (contracts["covered"] or 0),
        "committees_due": due,
        "without_committee": counts["estates"] - with_committee,
    }


def collection_rate_histogram(user) -> list[tuple[str, int]]:
    """Estates per collection-rate band (50–59 %, 60–69 % … 90–99 %, 100 %)."""
    estate_ids = estates_for(user).values("pk")
    rows = (
        r.Contract.objects.active()
        .filter(estate_id__in=estate_ids, collection_rate__isnull=False)
        .annotate(band=Floor(F("collection_rate") / 10))
        .values("band")
        .annotate(n=Count("pk"))
        .order_by("band")
    )
    counts = {int(row["band"]): row["n"] for row in rows}
    lowest = min(counts, default=5)
    return [
        (f"{b * 10}–{b * 10 + 9}%" if b < 10 else "100%", counts.get(b, 0))
        for b in range(min(lowest, 5), 11)
        if b < 10 or counts.get(b)
    ]


def companies_by_estates(user, limit: int = 12) -> list[tuple[str, int, int]]:
    """(company, estates under active contract, of which old) for the biggest companies in view."""
    estate_ids = estates_for(user).values("pk")
    rows = (
        r.Contract.objects.active()
        .filter(estate_id__in=estate_ids)
        .values("company__name")
        .annotate(
            n=Count("estate", distinct=True),
            old=Count("estate", distinct=True, filter=Q(estate__build_year__lt=r.OLD_ESTATE_BEFORE_YEAR)),
        )
        .order_by("-n", "company__name")[:limit]
    )
    return [(row["company__name"], row["n"], row["old"]) for row in rows]
