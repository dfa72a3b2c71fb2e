"""The demo street's owners' decisions (演示表决; docs/DESIGN.md §4.5, §8).

In the estate of the demo owners' committee (where demo_owner lives):

- a CLOSED decision with its final result: using the maintenance fund to re-waterproof the roofs of
  the older half of the buildings (matter 5; decided by those buildings' owners only, Shanghai
  art. 69), voted two months before the demo's "today", a realistic turnout with paper ballots,
  counted, its preliminary result published for 7 days and then finalised;
- an OPEN decision around "today": an e-bike charging shed on common land (matter 8, 3/4 needed),
  partial participation, some paper ballots; demo_owner has not voted yet and can.

Everything is a pure function of (seed, today) and the loaded street, written with bulk inserts; the
receipts and pseudonyms are seeded too (demo data only — real ones come from ``secrets``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.ordering import natural_key
from gongzhi.registry import models as r
from gongzhi.voting.models import (
    Ballot,
    BallotCast,
    Channel,
    Decision,
    DecisionStatus,
    ElectorateOwner,
    ElectorateUnit,
    Matter,
)
from gongzhi.voting.rules import anonymised_ballot_file
from gongzhi.voting.sealing import seal
from gongzhi.voting.services import freeze_electorate, new_receipt, tally_decision

CLOSED_TITLE = "动用专项维修资金实施屋面防水翻修（%(first)s楼至%(last)s楼）"
CLOSED_TEXT = (
    "拟动用相关楼栋专项维修资金，对%(first)s楼至%(last)s楼屋面防水层进行翻修，预算约 %(budget)s 万元，按专有面积分摊。"
    "施工单位经公开比选确定，工期约 60 天，质保 5 年。请各位业主在表决期内表明意见。"
)
OPEN_TITLE = "利用小区共有场地增设电动自行车集中充电车棚"
OPEN_TEXT = (
    "拟在小区北侧绿化带边的共有场地建设电动自行车集中充电车棚一座（约 60 个车位，带智能充电和烟感报警），"
    "由物业服务企业运营，收益扣除成本后全部计入公共收益。本事项属于改变共有部分用途，"
    "须经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意。"
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


ROOF_COST_PER_M2 = Decimal("36")  # yuan per m² of the buildings' exclusive area: 13,404 m² → about 48万
ROOF_ADVANCE_SHARE = Decimal("0.30")  # paid on signing the works contract, the rest on completion
ROOF_CONTRACTOR = "江岸防水工程有限公司"


@dataclass(frozen=True)
class RoofVote:
    """The closed roof vote of the showcase estate, as every part of the demo tells it: the vote
    (this module), its payment in the maintenance-fund ledger (finance/demo_data.py, which runs first and
    numbers the decision among the estate's decisions of the year) and the disclosure book's record of it
    (disclosure/demo_data.py, from the ledger): one estate, one set of buildings, one decision number."""

    estate: r.Estate
    buildings: list[r.Building]
    area: Decimal  # the buildings' exclusive area, m²
    opens_at: dt.datetime
    closes_at: dt.datetime

    @property
    def budget_wan(self) -> int:
        """The budget in 万元, as the vote's text rounds it (at least 1)."""
        return max(1, round(self.area * ROOF_COST_PER_M2 / 10000))

    @property
    def advance(self) -> Decimal:
        return (self.budget_wan * 10000 * ROOF_ADVANCE_SHARE).quantize(Decimal("0.01"))

    @property
    def names(self) -> dict[str, str]:
        return {
            "first": self.buildings[0].number,
            "last": self.buildings[-1].number,
            "budget": str(self.budget_wan),
        }

    @property
    def project(self) -> str:
        return f"{self.buildings[0].number}楼至{self.buildings[-1].number}楼屋面防水翻修"

    @property
    def finalised_at(self) -> dt.datetime:
        # closed → preliminary result the next day → 7 days' objections → final an hour later
        return self.closes_at + dt.timedelta(days=1 + 7, hours=1)

    @property
    def paid_on(self) -> dt.date:
        """The advance is paid when the works contract is signed, ten days after the final result."""
        return timezone.localdate(self.finalised_at) + dt.timedelta(days=10)


def roof_vote(street, users, today: dt.date) -> RoofVote | None:
    """The roof vote of the demo owners' committee's estate (the older half of its buildings, in natural
    order: 1号 … 14号), or None on a street without that committee."""
    estate, _unit = _demo_estate_and_owner_unit(street, users)
    if estate is None:
        return None
    buildings = sorted(
        r.Building.objects.filter(estate=estate, units__isnull=False).distinct(),
        key=lambda b: natural_key(b.number),
    )
    if not buildings:
        return None
    roofs = buildings[: max(1, (len(buildings) + 1) // 2)]
    area = r.Unit.objects.filter(building__in=roofs).aggregate(total=Sum("area"))["total"] or Decimal("0")
    return RoofVote(
        estate=estate,
        buildings=roofs,
        area=Decimal(area),
        opens_at=_at(today - dt.timedelta(days=62), 8),
        closes_at=_at(today - dt.timedelta(days=48), 20),
    )


def _demo_estate_and_owner_unit(street, users) -> tuple[r.Estate | None, int | None]:
    oc = users.get("demo_oc")
    owner = users.get("demo_owner")
    grant = (
        RoleGrant.objects.filter(user=oc, role=Role.OC_MEMBER).select_related("estate").first()
        if oc
        else None
    )
    unit_id = (
        RoleGrant.objects.filter(user=owner, role=Role.OWNER).values_list("unit_id", flat=True).first()
        if owner
        else None
    )
    return (grant.estate if grant else None), unit_id


def _ballots(
    decision: Decision,
    *,
    rng: random.Random,
    turnout: float,
    yes: float,
    no: float,
    paper: float,
    skip_unit_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    collectors: list[str],
) -> int:
    voters = list(ElectorateOwner.objects.filter(decision=decision).order_by("key"))
    skip = set()
    if skip_unit_id is not None:
        skip = set(
            ElectorateUnit.objects.filter(decision=decision, unit_id=skip_unit_id).values_list(
                "voter_id", flat=True
            )
        )
    span = (end - start).total_seconds()
    ballots, casts = [], []
    changed_any = False
    for voter in voters:
        if voter.pk in skip or rng.random() >= turnout:
            continue
        draw = rng.random()
        choice = "yes" if draw < yes else "no" if draw < yes + no else "abstain"
        # At least one paper ballot, so even a small demo estate shows door-to-door collection.
        channel = Channel.PAPER if rng.random() < paper or not ballots else Channel.ONLINE
        collector = rng.choice(collectors) if channel == Channel.PAPER else ""
        # A few owners changed their vote online (at least one, so the demo shows a replaced receipt).
        changed = channel == Channel.ONLINE and (rng.random() < 0.06 or not changed_any)
        changed_any = changed_any or changed
        moments = sorted(
            start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(2 if changed else 1)
        )
        receipts = [new_receipt(rng) for _ in moments]
        sealed = seal(decision_id=decision.pk, voter_id=voter.pk, receipt=receipts[-1], choice=choice)
        if changed:
            earlier = rng.choice([c for c in ("yes", "no", "abstain") if c != choice])
            casts.append(
                BallotCast(
                    decision=decision,
                    voter=voter,
                    seal=seal(
                        decision_id=decision.pk, voter_id=voter.pk, receipt=receipts[0], choice=earlier
                    ),
                    channel=channel,
                    cast_at=moments[0],
                    receipt=receipts[0],
                )
            )
        casts.append(
            BallotCast(
                decision=decision,
                voter=voter,
                seal=sealed,
                channel=channel,
                collector_name=collector,
                cast_at=moments[-1],
                receipt=receipts[-1],
            )
        )
        ballots.append(
            Ballot(
                decision=decision,
                voter=voter,
                seal=sealed,
                channel=channel,
                collector_name=collector,
                cast_at=moments[-1],
                receipt=receipts[-1],
                casts=len(moments),
            )
        )
    BallotCast.objects.bulk_create(casts, batch_size=2000)
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    return len(ballots)


def demo_create(
    *, street, seed: int, scale: float = 1.0, today: dt.date, users: dict[str, Any]
) -> dict[str, int]:
    estate, owner_unit_id = _demo_estate_and_owner_unit(street, users)
    if estate is None:
        return {"voting_decisions": 0, "voting_ballots": 0}
    rng = random.Random(f"voting-{seed}-{today.isoformat()}")
    units = list(
        r.Unit.objects.filter(building__estate=estate)
        .select_related("building", "owner")
        .order_by("building__number", "number", "pk")
    )
    committee = r.OwnersCommittee.objects.filter(estate=estate).order_by("-term_start").first()
    collectors = (
        list(
            r.CommitteeMember.objects.filter(committee=committee)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if committee
        else []
    ) or ["楼组长"]
    oc_user = users.get("demo_oc")

    roof = roof_vote(street, users, today)
    if roof is None:
        return {"voting_decisions": 0, "voting_ballots": 0}
    roof_buildings, names, closed_opens = roof.buildings, roof.names, roof.opens_at
    closed = Decision.objects.create(
        estate=estate,
        title=CLOSED_TITLE % names,
        matter=5,
        text=CLOSED_TEXT % names,
        opens_at=closed_opens,
        closes_at=roof.closes_at,
        objection_days=7,
        created_by=oc_user,
        status=DecisionStatus.DRAFT,
    )
    closed.buildings.set(roof_buildings)
    roof_ids = {b.pk for b in roof_buildings}
    freeze_electorate(closed, [u for u in units if u.building_id in roof_ids], rng=rng)
    closed.published_at = closed_opens
    closed.status = DecisionStatus.PUBLISHED  # ballots are written only while published (migration 0002)
    closed.save()
    ballots = _ballots(
        closed,
        rng=rng,
        turnout=0.86,
        yes=0.74,
        no=0.18,
        paper=0.35,
        skip_unit_id=None,
        start=closed.opens_at,
        end=closed.closes_at,
        collectors=collectors,
    )
    closed.result = tally_decision(closed)
    closed.ballot_file = anonymised_ballot_file(closed.result, rng=rng)
    closed.passed = closed.result["passed"]
    closed.closed_at = closed.closes_at
    closed.preliminary_at = closed.closes_at + dt.timedelta(days=1)
    closed.objection_ends_at = closed.preliminary_at + dt.timedelta(days=closed.objection_days)
    closed.finalised_at = closed.objection_ends_at + dt.timedelta(hours=1)  # = roof.finalised_at
    closed.status = DecisionStatus.FINAL
    closed.save()

    open_opens = _at(today - dt.timedelta(days=5), 8)
    current = Decision.objects.create(
        estate=estate,
        title=OPEN_TITLE,
        matter=8,
        text=OPEN_TEXT,
        opens_at=open_opens,
        closes_at=_at(today + dt.timedelta(days=9), 20),
        objection_days=7,
        created_by=oc_user,
        status=DecisionStatus.DRAFT,
    )
    freeze_electorate(current, units, rng=rng)
    current.published_at = open_opens
    current.status = DecisionStatus.PUBLISHED
    current.save()
    ballots += _ballots(
        current,
        rng=rng,
        turnout=0.46,
        yes=0.70,
        no=0.17,
        paper=0.2,
        skip_unit_id=owner_unit_id,  # demo_owner votes themselves
        start=open_opens,
        end=min(_at(today, 8), current.closes_at),
        collectors=collectors,
    )
    return {"voting_decisions": 2, "voting_ballots": ballots}


def demo_delete(*, street) -> dict[str, int]:
    """The street's decisions with their electorates, ballots and cast logs (cascade) — this part's own:
    the owners' votes electing committees (matter 3) are the elections part's (elections/demo_data.py)."""
    decisions = (
        Decision.objects.filter(estate__area__street=street)
        .exclude(matter=Matter.COMMITTEE)
        # and the replacements' votes to dismiss and hire are the evaluation part's (evaluation/demo_data.py)
        .exclude(
            pk__in=apps.get_model("evaluation", "Replacement")
            .objects.filter(decision__isnull=False)
            .values("decision_id")
        )
    )
    casts = BallotCast.objects.filter(decision__in=decisions).count()
    ballots = Ballot.objects.filter(decision__in=decisions).count()
    count = decisions.count()
    decisions.delete()
    return {"voting.Decision": count, "voting.Ballot": ballots, "voting.BallotCast": casts}


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    decisions = (
        Decision.objects.filter(estate__area__street=street)
        .exclude(matter=Matter.COMMITTEE)
        .order_by("opens_at", "title")
    )
    for d in decisions.values_list(
        "estate__name",
        "title",
        "matter",
        "status",
        "opens_at",
        "closes_at",
        "total_area",
        "total_owners",
        "passed",
    ):
        digest.update(repr(d).encode())
    # The choice opened from its seal (the seal itself depends on row ids, which a rebuild changes).
    for ballot in (
        Ballot.objects.filter(decision__estate__area__street=street)
        .exclude(decision__matter=Matter.COMMITTEE)
        .select_related("decision", "voter")
        .order_by("decision__opens_at", "voter__key")
    ):
        row = (
            ballot.decision.title,
            ballot.voter.key,
            ballot.voter.pseudonym,
            ballot.choice,
            ballot.channel,
            ballot.cast_at,
            ballot.receipt,
        )
        digest.update(repr(row).encode())
    return digest.hexdigest()
