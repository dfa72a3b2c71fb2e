"""Demo slates: this year's 23 owners'-committee elections reviewed by the street (the seed's figure) —
most approved, one returned for missing the 55 % target, one waiting for the leadership, one draft."""

from __future__ import annotations

import datetime as dt
import hashlib
from random import Random

from gongzhi.demo.names import person_name
from gongzhi.elections import rules
from gongzhi.elections.models import Candidate, CandidateCheck, Slate, SlateEvent, SlateStatus
from gongzhi.registry.models import Estate, Unit

SLATES = 23


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def demo_create(*, street, seed, scale: float = 1.0, today, users) -> dict[str, int]:
    rng = Random(f"elections-{seed}")
    estates = list(Estate.objects.filter(area__street=street).order_by("pk"))
    chosen = sorted(rng.sample(estates, min(SLATES, len(estates))), key=lambda e: e.pk)
    secretary_area = (
        users["demo_secretary"].grants.filter(role="area_secretary").values_list("area_id", flat=True)
    )
    demo_area = next(iter(secretary_area), None)
    # Make sure the demo secretary's area has one slate (the secretary sees something of their own).
    if demo_area and not any(e.area_id == demo_area for e in chosen):
        chosen[-1] = next(e for e in estates if e.area_id == demo_area)
    owners_by_estate: dict[int, list[tuple[int, int, str]]] = {}
    for unit_id, estate_id, owner_id, name in (
        Unit.objects.filter(building__estate__in=chosen, owner__isnull=False)
        .order_by("pk")
        .values_list("pk", "building__estate_id", "owner_id", "owner__name")
    ):
        owners_by_estate.setdefault(estate_id, []).append((unit_id, owner_id, name))
    admin, leader, secretary = users["demo_admin"], users["demo_leader"], users["demo_secretary"]
    statuses = [SlateStatus.APPROVED] * (len(chosen) - 3) + [
        SlateStatus.RETURNED,
        SlateStatus.SUBMITTED,
        SlateStatus.DRAFT,
    ]
    slates, plans = [], []
    start = dt.date(today.year, 1, 10)
    span = max((today - start).days, 30)
    for i, (estate, status) in enumerate(zip(chosen, statuses, strict=True)):
        size = 5 if i % 4 or status == SlateStatus.RETURNED else 7
        election_date = start + dt.timedelta(days=int(span * (i + 1) / (len(chosen) + 1)))
        if status in (SlateStatus.SUBMITTED, SlateStatus.DRAFT):
            election_date = min(today + dt.timedelta(days=i - 10), dt.date(today.year, 12, 31))
        entered = _aware(election_date - dt.timedelta(days=25), 9)
        creator = secretary if estate.area_id == demo_area else admin
        slate = Slate(
            estate=estate,
            election_date=election_date,
            planned_size=size,
            status=status,
            created_by=creator,
            created_at=entered,
            submitted_at=entered + dt.timedelta(days=3) if status != SlateStatus.DRAFT else None,
        )
        # Shares that meet the targets (≥ 55 %, ≥ 40 %), except the returned slate: 2 of 5 party members.
        n = size + (1 if i % 5 == 0 else 0)
        party = 2 if status == SlateStatus.RETURNED else -(-n * 55 // 100) + rng.randint(0, 1)
        cross = -(-n * 40 // 100) + rng.randint(0, 1)
        if status == SlateStatus.RETURNED:
            n = 5
        if status in (SlateStatus.APPROVED, SlateStatus.RETURNED):
            slate.decided_at, slate.decided_by = entered + dt.timedelta(days=6), leader
            slate.decision_comment = (
                "党员占比 40%,未达到街道 55% 的要求,请调整人选后重新报送。"
                if status == SlateStatus.RETURNED
                else "同意。"
            )
        slates.append(slate)
        plans.append((n, min(party, n), min(cross, n), entered, creator))
    Slate.objects.bulk_create(slates)
    candidates, events = [], []
    for slate, (n, party, cross, entered, creator) in zip(slates, plans, strict=True):
        pool = owners_by_estate.get(slate.estate_id, [])
        picked = rng.sample(pool, min(n, len(pool)))
        for j in range(n):
            unit_id, owner_id, name = picked[j] if j < len(picked) else (None, None, person_name(rng))
            candidates.append(
                Candidate(
                    slate=slate,
                    name=name,
                    owner_id=owner_id,
                    unit_id=unit_id,
                    is_party_member=j < party,
                    is_cross_appointed=j >= n - cross,
                )
            )
        events.append(SlateEvent(slate=slate, at=entered, actor=creator, action=SlateEvent.Action.CREATE))
        if slate.submitted_at:
            events.append(
                SlateEvent(slate=slate, at=slate.submitted_at, actor=creator, action=SlateEvent.Action.SUBMIT)
            )
        if slate.decided_at:
            action = (
                SlateEvent.Action.RETURN
                if slate.status == SlateStatus.RETURNED
                else SlateEvent.Action.APPROVE
            )
            events.append(
                SlateEvent(
                    slate=slate,
                    at=slate.decided_at,
                    actor=leader,
                    action=action,
                    comment=slate.decision_comment,
                )
            )
    # Candidate names must be unique per slate; generated names may repeat an owner's name.
    seen: set[tuple[int, str]] = set()
    for c in candidates:
        while (c.slate.pk, c.name) in seen:
            c.name = person_name(rng)
        seen.add((c.slate.pk, c.name))
    Candidate.objects.bulk_create(candidates)
    checks = []
    for c, slate in ((c, c.slate) for c in candidates):
        if slate.status == SlateStatus.DRAFT and c is candidates[-1]:
            continue  # the draft still misses a check: it cannot be submitted yet
        signer = slate.created_by
        for kind in rules.CHECK_KINDS:
            if slate.status == SlateStatus.DRAFT and c is candidates[-1]:
                continue
            checks.append(
                CandidateCheck(
                    candidate=c,
                    kind=kind,
                    outcome=rules.CLEAR,
                    basis="declared",
                    signed_by=signer,
                    signed_at=_aware(slate.election_date, 8) - dt.timedelta(days=24),
                )
            )
    CandidateCheck.objects.bulk_create(checks)
    SlateEvent.objects.bulk_create(events)
    return {
        "election_slates": len(slates),
        "election_candidates": len(candidates),
        "candidate_checks": len(checks),
    }


def demo_delete(*, street) -> dict[str, int]:
    slates = Slate.objects.filter(estate__area__street=street)
    Candidate.objects.filter(slate__in=slates).delete()
    SlateEvent.objects.filter(slate__in=slates).delete()
    count, _ = slates.delete()
    from gongzhi.elections.models import ElectionTargets

    ElectionTargets.objects.filter(street=street).delete()
    return {"election_slates": count}


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    rows = Candidate.objects.filter(slate__estate__area__street=street).order_by(
        "slate__estate__name", "name"
    )
    for row in rows.values_list(
        "slate__estate__name",
        "slate__election_date",
        "slate__status",
        "name",
        "is_party_member",
        "is_cross_appointed",
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()
