"""Reads for the benchmarks (标杆企业): the live titles with their latest score, the candidate list of the
latest closed campaign, and the set of companies to badge on the evaluation pages. Through the one door
(``visible``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.scopes import visible
from gongzhi.evaluation.models import Benchmark, ScoreClass, ScoreKind, ScoreSnapshot
from gongzhi.evaluation.services.benchmarks import is_elimination_candidate, latest_closed_campaign


def live_q(day: dt.date) -> Q:
    """Rows holding the title on ``day`` — the query form of ``rules.is_benchmark_on`` (a revocation
    takes effect the day it is made)."""
    start_of_day = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    return Q(starts_on__lte=day, ends_on__gte=day) & (
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=start_of_day + dt.timedelta(days=1))
    )


def benchmark_company_ids(user, day: dt.date | None = None) -> set[int]:
    """The companies the user may see badged 标杆企业 today."""
    day = day or timezone.localdate()
    return set(visible(user, Benchmark).filter(live_q(day)).values_list("company_id", flat=True))


def benchmarks_page(user, street_id: int, day: dt.date | None = None) -> dict:
    """The live benchmarks (with their latest score and rank), the past ones, and the candidates: the top
    class of the latest closed campaign, minus those already named and any elimination candidate."""
    day = day or timezone.localdate()
    campaign = latest_closed_campaign(street_id)
    snapshots: dict[int, ScoreSnapshot] = {}
    if campaign is not None:
        snapshots = {
            s.company_id: s
            for s in visible(user, ScoreSnapshot)
            .filter(campaign=campaign, kind=ScoreKind.COMPANY)
            .select_related("company")
        }
    rows = list(
        visible(user, Benchmark)
        .filter(street_id=street_id)
        .select_related("company", "named_by", "revoked_by")
        .order_by("-starts_on", "pk")
    )
    live_ids = {b.pk for b in visible(user, Benchmark).filter(street_id=street_id).filter(live_q(day))}
    for b in rows:
        b.snapshot = snapshots.get(b.company_id)
    live = [b for b in rows if b.pk in live_ids]
    live_companies = {b.company_id for b in live}
    candidates = [
        s
        for s in sorted(snapshots.values(), key=lambda s: (s.rank, s.pk))
        if s.score_class == ScoreClass.BENCHMARK
        and s.company_id not in live_companies
        and not is_elimination_candidate(s.company_id, street_id)
    ]
    return {
        "campaign": campaign,
        "live": live,
        "past": [b for b in rows if b.pk not in live_ids],
        "candidates": candidates,
        "today": day,
    }
