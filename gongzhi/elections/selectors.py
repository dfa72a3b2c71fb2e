"""Reads for slate review: the review of one slate (shares, size, checks, blockers), the year's
slates with their figures in a fixed number of queries, and the committees' term warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.scopes import visible
from gongzhi.elections import rules
from gongzhi.elections.models import Candidate, CandidateCheck, ElectionTargets, Slate
from gongzhi.registry.models import Estate, OwnersCommittee, Unit

SIZE_REASONS = {
    "ok": "",
    "ok_small": "",
    "even": gettext_lazy("委员人数须为单数"),
    "too_small": gettext_lazy("委员人数不得少于 5 人"),
    "three_needs_small_estate": gettext_lazy("3 人业委会仅限建筑面积不足 10,000 m² 的小区"),
}


def targets_for(street_id: int) -> tuple[Decimal, Decimal]:
    row = ElectionTargets.objects.filter(street_id=street_id).first()
    if row is None:
        return rules.DEFAULT_PARTY_TARGET, rules.DEFAULT_CROSS_TARGET
    return row.party_share, row.cross_share


def estate_areas(estate_ids) -> dict[int, Decimal]:
    """Total registered floor area (sum of the units' exclusive areas) per estate, one query."""
    rows = (
        Unit.objects.filter(building__estate_id__in=list(estate_ids))
        .values("building__estate_id")
        .annotate(total=Sum("area"))
    )
    # SQLite sums decimals as floats: back to exact cents (the registry stores two decimal places).
    return {r["building__estate_id"]: Decimal(str(r["total"] or 0)).quantize(Decimal("0.01")) for r in rows}


@dataclass
class Review:
    """Everything the slate page and the list show about one slate."""

    candidate_count: int
    party_count: int
    cross_count: int
    party_share: Fraction | None
    cross_share: Fraction | None
    party_target: Decimal
    cross_target: Decimal
    party_ok: bool
    cross_ok: bool
    estate_area: Decimal
    size: rules.SizeCheck
    enough_candidates: bool
    missing: list[tuple[int, str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # names of candidates with a FOUND check

    @property
    def party_percent(self):
        return rules.percent(self.party_share)

    @property
    def cross_percent(self):
        return rules.percent(self.cross_share)

    @property
    def checks_complete(self) -> bool:
        return not self.missing

    @property
    def size_reason(self) -> str:
        return str(SIZE_REASONS[self.size.reason])

    @property
    def targets_met(self) -> bool:
        return self.party_ok and self.cross_ok

    def blockers(self) -> list[str]:
        """Why the slate cannot be submitted or approved now (law, not targets). Empty: it can."""
        reasons = []
        if not self.size.ok:
            reasons.append(self.size_reason)
        if self.candidate_count == 0:
            reasons.append(_("名单上还没有候选人"))
        elif not self.enough_candidates:
            reasons.append(_("候选人少于拟设委员人数"))
        if self.missing:
            reasons.append(
                _("还有 %(n)d 项资格核查未完成（须台账核对或本人声明并签字）") % {"n": len(self.missing)}
            )
        if self.excluded:
            reasons.append(
                _("以下候选人有第二十条规定的不得担任情形，须从名单中移除：%(names)s")
                % {"names": "、".join(self.excluded)}
            )
        return reasons


def review(slate: Slate, *, candidates=None, estate_area: Decimal | None = None, targets=None) -> Review:
    """The review of one slate; pass prefetched candidates (with their checks) to avoid queries."""
    if candidates is None:
        candidates = list(slate.candidates.prefetch_related("checks"))
    if estate_area is None:
        estate_area = estate_areas([slate.estate_id]).get(slate.estate_id, Decimal("0"))
    party_target, cross_target = targets or targets_for(slate.estate.area.street_id)
    total = len(candidates)
    party = sum(1 for c in candidates if c.is_party_member)
    cross = sum(1 for c in candidates if c.is_cross_appointed)
    recorded = {c.pk: {k.kind for k in c.checks.all()} for c in candidates}
    excluded = [c.name for c in candidates if any(k.outcome == rules.FOUND for k in c.checks.all())]
    party_share, cross_share = rules.share(party, total), rules.share(cross, total)
    return Review(
        candidate_count=total,
        party_count=party,
        cross_count=cross,
        party_share=party_share,
        cross_share=cross_share,
        party_target=party_target,
        cross_target=cross_target,
        party_ok=rules.meets_target(party_share, party_target),
        cross_ok=rules.meets_target(cross_share, cross_target),
        estate_area=estate_area,
        size=rules.size_check(slate.planned_size, estate_area),
        enough_candidates=total >= slate.planned_size,
        missing=rules.missing_checks(recorded, [c.pk for c in candidates]),
        excluded=excluded,
    )


def slates_for(user):
    return visible(user, Slate).select_related("estate__area", "decided_by")


def slate_rows(slates) -> list[tuple[Slate, Review]]:
    """Slates with their reviews: four queries whatever the number of slates."""
    slates = list(
        slates.prefetch_related(Prefetch("candidates", queryset=Candidate.objects.prefetch_related("checks")))
    )
    areas = estate_areas({s.estate_id for s in slates})
    targets = {}
    for street_id in {s.estate.area.street_id for s in slates}:
        targets[street_id] = targets_for(street_id)
    return [
        (
            s,
            review(
                s,
                candidates=list(s.candidates.all()),
                estate_area=areas.get(s.estate_id, Decimal("0")),
                targets=targets[s.estate.area.street_id],
            ),
        )
        for s in slates
    ]


@dataclass(frozen=True)
class TermRow:
    estate: Estate
    committee: OwnersCommittee | None
    state: str  # rules.TERM_* or "none" (no committee on record)
    warn_from: dt.date | None


def term_rows(user, today: dt.date, estates=None) -> list[TermRow]:
    """Each visible estate's latest committee and its art. 28 state; two queries."""
    estates = list(estates if estates is not None else visible(user, Estate).select_related("area"))
    latest: dict[int, OwnersCommittee] = {}
    for committee in OwnersCommittee.objects.filter(estate_id__in=[e.pk for e in estates]).order_by(
        "estate_id", "-term_start"
    ):
        latest.setdefault(committee.estate_id, committee)
    rows = []
    for estate in estates:
        committee = latest.get(estate.pk)
        if committee is None:
            rows.append(TermRow(estate, None, "none", None))
            continue
        rows.append(
            TermRow(
                estate,
                committee,
                rules.term_state(committee.term_end, today),
                rules.add_months(committee.term_end, -rules.TERM_WARNING_MONTHS),
            )
        )
    return rows


def checks_by_kind(candidate: Candidate) -> dict[str, CandidateCheck]:
    return {c.kind: c for c in candidate.checks.all()}
