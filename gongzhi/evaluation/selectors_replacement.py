"""Reads for the replacement after elimination and the company's profile: the tracker of an elimination's
referred estates, the candidate list an owners' committee chooses from (benchmarks first, with their latest
scores and their fees in their other estates), and a company's history across estates. Through the door
(``visible``) except where noted; every read is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import visible
from gongzhi.evaluation import replacement as rules
from gongzhi.evaluation.models import Benchmark, EliminationCampaign, Replacement, ScoreKind, ScoreSnapshot
from gongzhi.evaluation.selectors_benchmarks import live_q
from gongzhi.evaluation.services.benchmarks import latest_closed_campaign
from gongzhi.evaluation.services.replacement import stage_of
from gongzhi.registry.models import Company, Contract

STAGE_COLOURS = {
    rules.REFERRED: "amber",
    rules.VOTING: "amber",
    rules.KEPT: "",
    rules.SELECTING: "amber",
    rules.CHOSEN: "amber",
    rules.CONTRACTED: "green",
    rules.DONE: "green",
}


def _replacements():
    return Replacement.objects.select_related(
        "referral__estate__area", "referral__company", "decision", "chosen_company", "new_contract"
    )


@dataclass
class Tracked:
    """A replacement with its stage on a day, the stage's label and colour, the next step's label and its page
    (the replacement's own fields read through)."""

    replacement: Replacement
    stage: str
    stage_label: str
    colour: str
    next_label: str
    url: str
    may_act: bool = False  # the reader may take the next step (else the tracker says whose step it is)
    street_step: bool = False  # the next step is the street admin's (the new contract), else the committee's

    def __getattr__(self, name: str) -> Any:
        return getattr(self.replacement, name)


def may_take(user, replacement: Replacement, action: str | None) -> bool:
    """Whether ``user`` may take ``action`` on the replacement: the committee's steps (open the vote, record
    its result, choose the company) or the street admin's (record the new contract) — the services' own checks."""
    from gongzhi.evaluation import permissions

    if user is None or action is None:
        return False
    estate = replacement.referral.estate
    sitting = getattr(replacement, "committee_sitting", None)  # read with the list (``_with_sitting``)
    checks = {
        "open_vote": lambda: permissions.may_open_replacement_vote(user, estate, sitting=sitting),
        "record_outcome": lambda: permissions.may_record_replacement_outcome(user, estate, sitting=sitting),
        "choose": lambda: permissions.may_choose_company(user, estate, sitting=sitting),
        "contract": lambda: permissions.may_record_replacement_contract(user, estate.area.street_id),
    }
    return bool(checks[action]())


def describe(replacement: Replacement, today: dt.date, user=None) -> Tracked:
    stage = stage_of(replacement, today)
    action = rules.next_action(stage)
    return Tracked(
        replacement=replacement,
        stage=stage,
        stage_label=str(rules.STAGE_LABELS[stage]),
        colour=STAGE_COLOURS[stage],
        next_label=str(rules.ACTION_LABELS[action]) if action else "",
        url=reverse("evaluation:replacement", args=[replacement.pk]),
        may_act=may_take(user, replacement, action),
        street_step=action == "contract",
    )


def _with_sitting(rows, day: dt.date):
    """Each replacement with whether its estate's owners' committee sits on ``day`` (who takes the committee's
    steps: the street admin only where none sits), in the same query."""
    from django.db.models import Exists, OuterRef

    from gongzhi.registry.models import OwnersCommittee

    sitting = OwnersCommittee.objects.filter(
        estate_id=OuterRef("referral__estate_id"), term_start__lte=day, term_end__gte=day
    )
    return rows.annotate(committee_sitting=Exists(sitting))


def tracker(user, elimination: EliminationCampaign, today: dt.date | None = None) -> list[Tracked]:
    """Each referred estate of the elimination the user may follow, with its stage and next step (one query)."""
    day = today or timezone.localdate()
    rows = _with_sitting(visible(user, _replacements()), day).filter(referral__elimination=elimination)
    return [describe(r, day, user) for r in rows.order_by("referral__estate__name", "pk")]


def replacements_for_committee(user, today: dt.date | None = None) -> list[Tracked]:
    """The open replacements of the estates whose owners' committee the user sits on (its 今日待办)."""
    day = today or timezone.localdate()
    rows = [describe(r, day, user) for r in _with_sitting(visible(user, _replacements()), day).order_by("pk")]
    return [r for r in rows if r.stage not in rules.FINAL_STAGES]


@dataclass
class Candidate:
    """A company the committee may choose, with its title, its latest score and its fees elsewhere."""

    company: Company
    is_benchmark: bool
    snapshot: ScoreSnapshot | None
    fees: list[tuple[str, Decimal]]

    @property
    def pk(self) -> int:
        return self.company.pk

    @property
    def name(self) -> str:
        return self.company.name

    @property
    def fee_low(self) -> Decimal | None:
        return self.fees[0][1] if self.fees else None

    @property
    def fee_high(self) -> Decimal | None:
        return self.fees[-1][1] if self.fees else None


def selection_candidates(replacement: Replacement, today: dt.date | None = None) -> list[Candidate]:
    """The companies the owners' committee chooses from: the street's companies but the dismissed one,
    benchmarks (标杆企业 on ``today``) first, then by their composite score in the street's latest closed
    campaign (best first), then by name; each a ``Candidate`` with ``is_benchmark``, ``snapshot`` (or None) and
    ``fees`` (its fee standards in its other estates, contracts in force). Four queries.

    The caller has passed the door to ``replacement`` (the street's offices or the estate's committee):
    this list is what the committee is shown to choose from — the street's register of companies, its
    published titles and ranking, and the fee standards the estates disclose — so it is read for the
    replacement's street, not through the reader's own reach (which covers only their estate)."""
    day = today or timezone.localdate()
    referral = replacement.referral
    street_id = referral.elimination.street_id
    companies = list(
        Company.objects.filter(street_id=street_id)
        .exclude(pk=referral.company_id)
        .order_by(*pinyin_order(Company, "name"))
    )
    ids = [c.pk for c in companies]
    benchmarks = set(
        Benchmark.objects.filter(street_id=street_id, company_id__in=ids)
        .filter(live_q(day))
        .values_list("company_id", flat=True)
    )
    campaign = latest_closed_campaign(street_id)
    snapshots = {}
    if campaign is not None:
        snapshots = {
            s.company_id: s
            for s in ScoreSnapshot.objects.filter(
                campaign=campaign, kind=ScoreKind.COMPANY, company_id__in=ids
            )
        }
    fees: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for company_id, estate_name, fee in (
        Contract.objects.active(on=day)
        .filter(company_id__in=ids)
        .exclude(estate_id=referral.estate_id)
        .order_by("fee_standard", "estate__name")
        .values_list("company_id", "estate__name", "fee_standard")
    ):
        fees[company_id].append((estate_name, fee))
    rows = [
        Candidate(
            company=c,
            is_benchmark=c.pk in benchmarks,
            snapshot=snapshots.get(c.pk),
            fees=fees.get(c.pk, []),
        )
        for c in companies
    ]
    rows.sort(
        key=lambda c: (not c.is_benchmark, -(c.snapshot.composite if c.snapshot else -1), c.company.name)
    )
    return rows


def company_profile(user, company: Company, today: dt.date | None = None) -> dict:
    """The registry company page's history: contracts past and present (dates, how each ended), its rank
    in each campaign, and whether it holds the benchmark title today. Through the door; five queries."""
    day = today or timezone.localdate()
    contracts = list(
        visible(user, Contract).filter(company=company).select_related("estate").order_by("-start_date", "pk")
    )
    ids = [c.pk for c in contracts]
    ended_by = {
        r.old_contract_id: r
        for r in Replacement.objects.filter(old_contract_id__in=ids).select_related("referral__elimination")
    }
    came_by = {
        r.new_contract_id: r
        for r in Replacement.objects.filter(new_contract_id__in=ids).select_related("referral__company")
    }
    for c in contracts:
        c.came_by = came_by.get(c.pk)
        c.ended_by = ended_by.get(c.pk)
        if c.start_date > day:
            c.status = "future"
        elif c.end_date >= day:
            c.status = "current"
        elif c.ended_by is not None:
            c.status = "replaced"
        else:
            c.status = "expired"
    ranks = list(
        visible(user, ScoreSnapshot)
        .filter(kind=ScoreKind.COMPANY, company=company)
        .select_related("campaign")
        .order_by("-campaign__period_end", "-pk")
    )
    is_benchmark = visible(user, Benchmark).filter(company=company).filter(live_q(day)).exists()
    return {"contracts": contracts, "ranks": ranks, "is_benchmark": is_benchmark, "today": day}
