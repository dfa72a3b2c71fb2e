"""Demo slates and elections: the seed's 23 owners'-committee elections reviewed by the street, told as one
story with the registry (issue 15).

- ``demo_registry`` (run before the other apps' stories, demo/generator.py): for every committee whose term
  ended this past year (demo/plan.py ``_plan_reelections``, 20 of them) the area enters a slate a month and a
  half before the term ends, the leadership group approves it, the owners elect the committee in an owners'
  vote (matter 3, voting's ballots, tally and objection period) that closes two to four weeks before the term
  ends, and the street admin files the new committee through ``services.committee_install_from_election`` —
  the product's own path: the term starts on the vote's day, the old term ends the day before, the members
  and director come from the slate. A vote that misses its quorum is held again a week later.
- the committees due within 5 months get this year's other slates: one returned for its 40 % party share,
  one waiting for the leadership group, one draft still missing a check (and more submitted ones if more are
  due).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from random import Random

from django.utils import timezone

from gongzhi.demo.names import person_name
from gongzhi.elections import rules, services
from gongzhi.elections.models import Candidate, CandidateCheck, Slate, SlateEvent, SlateStatus
from gongzhi.registry.models import BranchMember, Estate, OwnersCommittee, Unit
from gongzhi.voting.demo_data import _ballots
from gongzhi.voting.models import Decision, DecisionStatus, Matter
from gongzhi.voting.rules import anonymised_ballot_file
from gongzhi.voting.services import freeze_electorate, tally_decision

UPCOMING = (SlateStatus.RETURNED, SlateStatus.SUBMITTED, SlateStatus.DRAFT)
VOTE_TITLE = "选举%(estate)s新一届业主委员会"
VOTE_TEXT = (
    "根据《民法典》第二百七十八条第一款第（三）项，由业主共同决定选举业主委员会。本届业委会任期将于%(end)s届满，"
    "经居民区党组织推荐、街道物业治理领导小组审核，候选人为：%(names)s。拟设委员%(size)d名，任期五年。"
    "本事项须经专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
    "并经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。"
)


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _latest_committees(street) -> list[OwnersCommittee]:
    latest: dict[int, OwnersCommittee] = {}
    for committee in OwnersCommittee.objects.filter(estate__area__street=street).select_related(
        "estate__area"
    ):
        if committee.estate_id not in latest or committee.term_start > latest[committee.estate_id].term_start:
            latest[committee.estate_id] = committee
    return sorted(latest.values(), key=lambda c: (c.term_end, c.estate.name))


def _owners(estates: list[Estate]) -> dict[int, list[tuple[int, int, str]]]:
    rows: dict[int, list[tuple[int, int, str]]] = {}
    for unit_id, estate_id, owner_id, name in (
        Unit.objects.filter(building__estate__in=estates, owner__kind="person")
        .order_by("pk")
        .values_list("pk", "building__estate_id", "owner_id", "owner__name")
    ):
        rows.setdefault(estate_id, []).append((unit_id, owner_id, name))
    return rows


def _slate(rng, estate, *, election_date, status, size, n, party, cross, entered, creator, leader, owners):
    """One slate with its candidates, checks and history, written as rows with their own dates (the review
    services stamp the present moment; the install below goes through the service)."""
    slate = Slate.objects.create(
        estate=estate,
        election_date=election_date,
        planned_size=size,
        status=status,
        created_by=creator,
        created_at=entered,
        submitted_at=entered + dt.timedelta(days=3) if status != SlateStatus.DRAFT else None,
    )
    if status in (SlateStatus.APPROVED, SlateStatus.RETURNED):
        slate.decided_at, slate.decided_by = entered + dt.timedelta(days=6), leader
        slate.decision_comment = (
            "党员占比 40%，未达到街道 55% 的要求，请调整人选后重新报送。"
            if status == SlateStatus.RETURNED
            else "同意。"
        )
        slate.save(update_fields=["decided_at", "decided_by", "decision_comment"])
    picked = rng.sample(owners, min(n, len(owners)))
    names: set[str] = set()
    candidates = []
    for j in range(n):
        unit_id, owner_id, name = picked[j] if j < len(picked) else (None, None, person_name(rng))
        while name in names:
            unit_id, owner_id, name = None, None, person_name(rng)
        names.add(name)
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
    Candidate.objects.bulk_create(candidates)
    signed = entered + dt.timedelta(days=1)
    CandidateCheck.objects.bulk_create(
        [
            CandidateCheck(
                candidate=c,
                kind=kind,
                outcome=rules.CLEAR,
                basis="declared",
                signed_by=creator,
                signed_at=signed,
            )
            for c in candidates
            if not (status == SlateStatus.DRAFT and c is candidates[-1])  # the draft still misses a check
            for kind in rules.CHECK_KINDS
        ]
    )
    events = [SlateEvent(slate=slate, at=entered, actor=creator, action=SlateEvent.Action.CREATE)]
    if slate.submitted_at:
        events.append(
            SlateEvent(slate=slate, at=slate.submitted_at, actor=creator, action=SlateEvent.Action.SUBMIT)
        )
    if slate.decided_at:
        action = SlateEvent.Action.RETURN if status == SlateStatus.RETURNED else SlateEvent.Action.APPROVE
        events.append(
            SlateEvent(
                slate=slate, at=slate.decided_at, actor=leader, action=action, comment=slate.decision_comment
            )
        )
    SlateEvent.objects.bulk_create(events)
    return slate, candidates


def _election_vote(rng, slate, candidates, committee, *, day, attempt):
    """The owners' vote electing the committee (matter 3), closing on ``day`` at 20:00, counted, its result
    published and final after the 7-day objection period."""
    estate = slate.estate
    units = list(
        Unit.objects.filter(building__estate=estate).select_related("building", "owner").order_by("pk")
    )
    title = VOTE_TITLE % {"estate": estate.name} + ("（重新表决）" if attempt else "")
    decision = Decision.objects.create(
        estate=estate,
        title=title,
        matter=Matter.COMMITTEE,
        text=VOTE_TEXT
        % {
            "end": committee.term_end.isoformat(),
            "names": "、".join(c.name for c in candidates),
            "size": slate.planned_size,
        },
        opens_at=_aware(day - dt.timedelta(days=14), 8),
        closes_at=_aware(day, 20),
        objection_days=7,
        created_by=None,
        status=DecisionStatus.DRAFT,
    )
    freeze_electorate(decision, units, rng=rng)
    decision.published_at = decision.opens_at
    decision.status = DecisionStatus.PUBLISHED  # ballots are written only while published
    decision.save()
    _ballots(
        decision,
        rng=rng,
        turnout=0.88 if not attempt else 0.97,
        yes=0.86 if not attempt else 0.93,
        no=0.08,
        paper=0.4,
        skip_unit_id=None,
        start=decision.opens_at,
        end=decision.closes_at,
        collectors=[c.name for c in candidates[:3]],
    )
    decision.result = tally_decision(decision)
    decision.ballot_file = anonymised_ballot_file(decision.result, rng=rng)
    decision.passed = decision.result["passed"]
    decision.closed_at = decision.closes_at
    decision.preliminary_at = decision.closes_at + dt.timedelta(days=1)
    decision.objection_ends_at = decision.preliminary_at + dt.timedelta(days=decision.objection_days)
    decision.finalised_at = decision.objection_ends_at + dt.timedelta(hours=1)
    decision.status = DecisionStatus.FINAL
    decision.save()
    return decision


def _director_joins_branch(estate: Estate, director: Candidate) -> None:
    """The area's joint party branch seats each estate's committee director (the seed's 联合党支部): the new
    director takes the seat the old one held."""
    seat = BranchMember.objects.filter(
        branch__area_id=estate.area_id, organisation="owners_committee", position=f"{estate.name}业委会主任"
    ).first()
    if seat is None or BranchMember.objects.filter(branch_id=seat.branch_id, name=director.name).exists():
        return
    seat.name, seat.is_party_member = director.name, director.is_party_member
    owner = director.owner
    seat.phone = owner.phone if owner is not None else ""
    seat.save(update_fields=["name", "is_party_member", "phone"])


def _shares(rng, n: int) -> tuple[int, int]:
    """Party members and cross-appointed that meet the street's 55 % / 40 % targets."""
    party = min(n, -(-n * 55 // 100) + rng.randint(0, 1))
    cross = min(n, -(-n * 40 // 100) + rng.randint(0, 1))
    return party, cross


def demo_registry(*, street, seed, scale: float = 1.0, today, users) -> dict[str, int]:
    rng = Random(f"elections-{seed}")
    admin, leader, secretary = users["demo_admin"], users["demo_leader"], users["demo_secretary"]
    demo_area = next(
        iter(secretary.grants.filter(role="area_secretary").values_list("area_id", flat=True)), None
    )
    latest = _latest_committees(street)
    ended = [c for c in latest if c.term_end < today]
    due = [c for c in latest if rules.term_state(c.term_end, today) == rules.TERM_DUE]
    owners = _owners([c.estate for c in ended + due])
    installed = votes = 0
    slates = 0
    for i, committee in enumerate(ended):
        estate = committee.estate
        day = committee.term_end - dt.timedelta(days=rng.randint(14, 30))
        size = 7 if i % 4 == 0 else 5
        n = size + (1 if i % 5 == 0 else 0)  # now and then one candidate more than seats (差额选举)
        party, cross = _shares(rng, n)
        creator = secretary if estate.area_id == demo_area else admin
        slate, candidates = _slate(
            rng,
            estate,
            election_date=day,
            status=SlateStatus.APPROVED,
            size=size,
            n=n,
            party=party,
            cross=cross,
            entered=_aware(day - dt.timedelta(days=45), 9),
            creator=creator,
            leader=leader,
            owners=owners.get(estate.pk, []),
        )
        slates += 1
        vote_day = day
        for attempt in range(3):
            vote = _election_vote(rng, slate, candidates, committee, day=vote_day, attempt=attempt)
            votes += 1
            if vote.passed:
                break
            vote_day = min(vote_day + dt.timedelta(days=7), committee.term_end)
        else:
            continue  # the owners did not elect it: the slate stays approved, no committee (a true story too)
        members = candidates[:size]
        director = next((c for c in members if c.is_party_member), members[0])
        deputies = [c.pk for c in members if c is not director][: 1 if size <= 5 else 2]
        filed = timezone.localdate(vote.finalised_at) + dt.timedelta(days=rng.randint(1, 12))
        services.committee_install_from_election(
            actor=admin,
            slate=slate,
            vote=vote,
            members=[c.pk for c in members],
            director=director.pk,
            deputies=deputies,
            now=_aware(min(filed, today), 10),
        )
        installed += 1
        _director_joins_branch(estate, director)
    statuses = [UPCOMING[i] if i < len(UPCOMING) else SlateStatus.SUBMITTED for i in range(len(due))]
    for committee, status in zip(due, statuses, strict=True):
        estate = committee.estate
        day = max(committee.term_end - dt.timedelta(days=rng.randint(10, 25)), today + dt.timedelta(days=7))
        day = min(day, committee.term_end)
        warned = rules.add_months(committee.term_end, -rules.TERM_WARNING_MONTHS)
        entered = _aware(min(max(warned, today - dt.timedelta(days=40)), today - dt.timedelta(days=10)), 9)
        size = 5
        n = 5 if status == SlateStatus.RETURNED else 6
        party, cross = (2, 2) if status == SlateStatus.RETURNED else _shares(rng, n)
        _slate(
            rng,
            estate,
            election_date=day,
            status=status,
            size=size,
            n=n,
            party=party,
            cross=cross,
            entered=entered,
            creator=secretary if estate.area_id == demo_area else admin,
            leader=leader,
            owners=owners.get(estate.pk, []),
        )
        slates += 1
    return {
        "election_slates": slates,
        "election_votes": votes,
        "elected_committees": installed,
        "election_candidates": Candidate.objects.filter(slate__estate__area__street=street).count(),
    }


def demo_create(*, street, seed, scale: float = 1.0, today, users) -> dict[str, int]:
    """Everything of this app is written by ``demo_registry``, before the other apps' stories."""
    return {}


def demo_delete(*, street) -> dict[str, int]:
    slates = Slate.objects.filter(estate__area__street=street)
    Candidate.objects.filter(slate__in=slates).delete()
    SlateEvent.objects.filter(slate__in=slates).delete()
    count, _ = slates.delete()
    # The owners' votes that elected the committees are this part's too (voting's part leaves matter 3 alone).
    election_votes = Decision.objects.filter(estate__area__street=street, matter=Matter.COMMITTEE)
    votes = election_votes.count()
    election_votes.delete()
    from gongzhi.elections.models import ElectionTargets

    ElectionTargets.objects.filter(street=street).delete()
    return {"election_slates": count, "election_votes": votes}


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    rows = Candidate.objects.filter(slate__estate__area__street=street).order_by(
        "slate__estate__name", "name"
    )
    for row in rows.values_list(
        "slate__estate__name",
        "slate__election_date",
        "slate__status",
        "slate__committee__term_start",
        "slate__committee__term_end",
        "name",
        "is_party_member",
        "is_cross_appointed",
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()
