"""Reads of owners' decisions: who reads the office pages, lists, participation (never the yes/no
split while open; for many decisions at once in two queries), threshold gaps, a preview of the
electorate a draft would freeze, the door-to-door list (扫楼), the roll after close, receipts and the §6
anonymised ballot file.

Permission checks are the caller's (views use ``voting.permissions``); these functions only shape data.
"""

from __future__ import annotations

import math
import secrets
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.scopes import visible
from gongzhi.registry.models import Area, Estate, OwnerKind, Unit
from gongzhi.voting import rules
from gongzhi.voting.models import (
    BALLOT_CHANNEL_RULE,
    Ballot,
    BallotCast,
    Decision,
    DecisionStatus,
    ElectorateOwner,
    ElectorateUnit,
    Matter,
)
from gongzhi.voting.permissions import voters_for_user
from gongzhi.voting.services import normalise_receipt

STATUS_COLOURS = {
    DecisionStatus.DRAFT: "",
    DecisionStatus.PUBLISHED: "blue",
    DecisionStatus.CLOSED: "amber",
    DecisionStatus.PRELIMINARY: "amber",
    DecisionStatus.FINAL: "green",
}


def with_participation(decisions: QuerySet) -> QuerySet:
    """Decisions with the owners who voted and their area read in the same statement (two scalar
    sub-selects per row), for lists that need the figures of every row: ``participation_many`` then
    reads them from the rows instead of querying again."""
    ballots = (
        Ballot.objects.filter(decision_id=OuterRef("pk"))
        .order_by()
        .values("decision_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    areas = (
        ElectorateUnit.objects.filter(decision_id=OuterRef("pk"), voter__ballot__isnull=False)
        .order_by()
        .values("decision_id")
        .annotate(a=Sum("area"))
        .values("a")
    )
    return decisions.annotate(
        voted_owners=Coalesce(Subquery(ballots[:1]), 0),
        voted_area=Subquery(areas[:1], output_field=DecimalField(max_digits=14, decimal_places=2)),
    )


def participation_many(decisions: list[Decision]) -> dict[int, dict[str, Any]]:
    """Participation (area and owners, with percentages against the frozen totals) of many published
    decisions: two grouped queries whatever their number, none when the rows come from
    ``with_participation``. Drafts get nothing."""
    ids = [d.pk for d in decisions if d.status != DecisionStatus.DRAFT]
    if not ids:
        return {}
    if all(hasattr(d, "voted_owners") for d in decisions):
        return {
            d.pk: participation_figures(
                total_area=d.total_area or Decimal(0),
                total_owners=d.total_owners or 0,
                part_area=d.voted_area or Decimal(0),
                part_owners=d.voted_owners,
            )
            for d in decisions
            if d.pk in ids
        }
    owners = dict(
        Ballot.objects.filter(decision_id__in=ids)
        .order_by()
        .values_list("decision_id")
        .annotate(n=Count("pk"))
    )
    areas = dict(
        ElectorateUnit.objects.filter(decision_id__in=ids, voter__ballot__isnull=False)
        .order_by()
        .values_list("decision_id")
        .annotate(a=Sum("area"))
    )
    result = {}
    for d in decisions:
        if d.pk not in ids:
            continue
        result[d.pk] = participation_figures(
            total_area=d.total_area or Decimal(0),
            total_owners=d.total_owners or 0,
            part_area=areas.get(d.pk) or Decimal(0),
            part_owners=owners.get(d.pk, 0),
        )
    return result


def participation_figures(*, total_area, total_owners, part_area, part_owners) -> dict[str, Any]:
    gap = rules.quorum_gap(
        total_area=total_area,
        total_owners=total_owners,
        participating_area=part_area,
        participating_owners=part_owners,
    )
    return {
        "participating_area": rules.area_text(part_area),
        "participating_owners": part_owners,
        "total_area": rules.area_text(total_area),
        "total_owners": total_owners,
        "area_percent": rules.percent_text(part_area, total_area),
        "owners_percent": rules.percent_text(part_owners, total_owners),
        "quorum_met": gap["area_met"] and gap["owners_met"],
        **gap,
    }


def electorate_preview(decision: Decision) -> dict[str, Any]:
    """What publication would freeze now (the grouping of ``rules.electorate_groups``, as at
    ``services.decision_publish``), with the matter's thresholds. For the confirm screen; the
    published figures are the stored ones."""
    units = Unit.objects.filter(building__estate_id=decision.estate_id)
    building_ids = list(decision.buildings.values_list("pk", flat=True))
    if building_ids:
        units = units.filter(building_id__in=building_ids)
    rows = list(units.values("pk", "area", "owner_id", "owner__ref", "owner__kind"))
    owners = rules.electorate_groups(
        (r["pk"], r["owner__ref"] if r["owner_id"] else None, r["owner__kind"] == OwnerKind.DEVELOPER)
        for r in rows
    )
    total_area = sum((r["area"] for r in rows), Decimal(0))
    return {
        **thresholds(decision.matter, total_area=total_area, total_owners=len(owners)),
        "total_units": len(rows),
        "developer_units": sum(1 for r in rows if r["owner__kind"] == OwnerKind.DEVELOPER),
        "unowned_units": sum(1 for r in rows if not r["owner_id"]),
        "multi_unit_owners": len(owners) < len(rows),
    }


def thresholds(matter: int, *, total_area: Decimal, total_owners: int) -> dict[str, Any]:
    """The totals and what the law asks of them for this matter (docs/DESIGN.md §5)."""
    t = rules.thresholds_for(matter)
    return {
        "total_area": rules.area_text(total_area),
        "total_owners": total_owners,
        "quorum": t.quorum_label,
        "approval": t.approval_label,
        "approval_strict": t.approval_strict,
        "quorum_area_needed": rules.area_text(
            Decimal(math.ceil(Fraction(total_area) * t.quorum * 100)) / 100
        ),
        "quorum_owners_needed": math.ceil(Fraction(total_owners) * t.quorum),
    }


def decisions_for(user) -> QuerySet[Decision]:
    """Decisions the user may see through the door (office: drafts too; owners: published only)."""
    return visible(user, Decision).select_related("estate__area").order_by("-opens_at", "-pk")


def decisions_public(estate) -> QuerySet[Decision]:
    """An estate's decisions as the public sees them (no drafts)."""
    return Decision.objects.public().filter(estate=estate).order_by("-opens_at", "-pk")


def decisions_for_owner(user) -> list[dict[str, Any]]:
    """The published decisions of the estates where the user holds a unit, with the user's state:
    ``{"decision", "voter" (ElectorateOwner|None), "ballot" (Ballot|None), "can_vote"}``."""
    rows = []
    for decision in decisions_for(user).exclude(status=DecisionStatus.DRAFT):
        voters = voters_for_user(user, decision)
        voter = voters[0] if len(voters) == 1 else None
        ballot = Ballot.objects.filter(voter=voter).first() if voter else None
        rows.append(
            {
                "decision": decision,
                "voter": voter,
                "ballot": ballot,
                "can_vote": bool(voter)
                and decision.is_open
                and (ballot is None or ballot.channel == "online"),
            }
        )
    return rows


def my_ballot(user, decision: Decision) -> Ballot | None:
    """The user's own current ballot (the one place an owner's choice is read while the vote is open)."""
    voters = voters_for_user(user, decision)
    if len(voters) != 1:
        return None
    return Ballot.objects.filter(voter=voters[0]).first()


def voter_for_user(user, decision: Decision) -> ElectorateOwner | None:
    voters = voters_for_user(user, decision)
    return voters[0] if len(voters) == 1 else None


def decision_totals(decision: Decision) -> dict[str, Any]:
    """The frozen electorate's totals and the thresholds of this matter, with exact and display figures."""
    thresholds = rules.thresholds_for(decision.matter)
    total_area = decision.total_area or Decimal("0")
    total_owners = decision.total_owners or 0
    gap = rules.quorum_gap(
        total_area=total_area,
        total_owners=total_owners,
        participating_area=Decimal(0),
        participating_owners=0,
    )
    return {
        "matter": decision.matter,
        "matter_label": Matter(decision.matter).label,
        "total_area": rules.area_text(total_area),
        "total_owners": total_owners,
        "total_units": decision.total_units or 0,
        "quorum": thresholds.quorum_label,
        "approval": thresholds.approval_label,
        "approval_strict": thresholds.approval_strict,
        "quorum_area_needed": gap["area_needed"],
        "quorum_owners_needed": gap["owners_needed"],
        "quorum_text": _("参与表决的业主专有面积和人数均须达到总数的三分之二以上"),
        "approval_text": (
            _("同意的专有面积和人数均须达到参与表决的四分之三以上")
            if not thresholds.approval_strict
            else _("同意的专有面积和人数均须超过参与表决的半数（恰好一半不通过）")
        ),
        "channel_rule": str(BALLOT_CHANNEL_RULE),
    }


def _participation_row(total_area, total_owners, part_area, part_owners) -> dict[str, Any]:
    gap = rules.quorum_gap(
        total_area=total_area,
        total_owners=total_owners,
        participating_area=part_area,
        participating_owners=part_owners,
    )
    return {
        "total_area": rules.area_text(total_area),
        "total_owners": total_owners,
        "participating_area": rules.area_text(part_area),
        "participating_owners": part_owners,
        "area_percent": rules.percent_text(part_area, total_area),
        "owners_percent": rules.percent_text(part_owners, total_owners),
        "area_ratio": rules.ratio_text(part_area, total_area),
        "owners_ratio": rules.ratio_text(part_owners, total_owners),
        "area_missing": gap["area_missing"],
        "owners_missing": gap["owners_missing"],
        "quorum_area_met": gap["area_met"],
        "quorum_owners_met": gap["owners_met"],
    }


def participation(decision: Decision) -> dict[str, Any]:
    """Live participation against the quorum, overall and by building — never the yes/no split.

    By building: an owner counts once in each building where they hold a unit, with the area of their
    units there, so building rows do not add up to the overall owner count when a buyer spans buildings.
    """
    voted = set(Ballot.objects.filter(decision=decision).values_list("voter_id", flat=True))
    units = list(
        ElectorateUnit.objects.filter(decision=decision)
        .select_related("building")
        .values("voter_id", "area", "building_id", "building__number")
    )
    voter_area: dict[int, Decimal] = defaultdict(Decimal)
    by_building: dict[int, dict[str, Any]] = {}
    for u in units:
        voter_area[u["voter_id"]] += u["area"]
        row = by_building.setdefault(
            u["building_id"],
            {
                "number": u["building__number"],
                "area": Decimal(0),
                "owners": set(),
                "p_area": Decimal(0),
                "p_owners": set(),
            },
        )
        row["area"] += u["area"]
        row["owners"].add(u["voter_id"])
        if u["voter_id"] in voted:
            row["p_area"] += u["area"]
            row["p_owners"].add(u["voter_id"])
    total_area = sum(voter_area.values(), Decimal(0))
    part_area = sum((a for v, a in voter_area.items() if v in voted), Decimal(0))
    overall = _participation_row(total_area, len(voter_area), part_area, len(voted & set(voter_area)))
    buildings = [
        {
            "building_id": building_id,
            "number": row["number"],
            **_participation_row(row["area"], len(row["owners"]), row["p_area"], len(row["p_owners"])),
        }
        for building_id, row in sorted(by_building.items(), key=lambda item: _natural(item[1]["number"]))
    ]
    return {"overall": overall, "buildings": buildings, "ballots": len(voted)}


def _natural(text: str) -> tuple:
    import re

    return tuple(int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", text or ""))


def door_to_door(decision: Decision) -> list[dict[str, Any]]:
    """扫楼: the owners who have not voted, by building and unit, with a phone number from the registry
    (for the committee, who see the estate's personal data)."""
    voted = set(Ballot.objects.filter(decision=decision).values_list("voter_id", flat=True))
    units = (
        ElectorateUnit.objects.filter(decision=decision)
        .exclude(voter_id__in=voted)
        .select_related("voter__owner", "building")
    )
    rows = [
        {
            "building": u.building.number,
            "unit": u.label,
            "area": u.area,
            "voter_id": u.voter_id,
            "owner_name": u.voter.name,
            "phone": u.voter.owner.phone if u.voter.owner_id else "",
            "is_developer": u.voter.is_developer,
            "owner_units": u.voter.unit_count,
        }
        for u in units
    ]
    rows.sort(key=lambda r: (_natural(r["building"]), _natural(r["unit"])))
    return rows


def electorate(decision: Decision) -> QuerySet[ElectorateOwner]:
    """The frozen electorate (for choosing whom a paper/proxy ballot belongs to)."""
    return (
        ElectorateOwner.objects.filter(decision=decision)
        .prefetch_related("units")
        .select_related("ballot")
        .order_by("key")
    )


def decision_roll(decision: Decision) -> list[dict[str, Any]]:
    """After close: who voted and how they voted by channel (not their choice), one row per owner."""
    if not decision.has_result:
        raise ValueError("the roll exists only after the vote is closed")
    rows = []
    for voter in electorate(decision):
        ballot = getattr(voter, "ballot", None)
        rows.append(
            {
                "voter_id": voter.pk,
                "owner_name": voter.name,
                "units": ", ".join(u.label for u in voter.units.all()),
                "area": voter.total_area,
                "unit_count": voter.unit_count,
                "is_developer": voter.is_developer,
                "voted": ballot is not None,
                "channel": ballot.channel if ballot else "",
                "channel_label": ballot.get_channel_display() if ballot else "",
                "cast_at": ballot.cast_at if ballot else None,
                "collector_name": ballot.collector_name if ballot else "",
                "proxy_name": ballot.proxy_name if ballot else "",
                "casts": ballot.casts if ballot else 0,
            }
        )
    return rows


def receipt_lookup(decision: Decision, code: str) -> dict[str, Any]:
    """Look a receipt up: ``status`` is "counted" (this cast is the owner's ballot that counts),
    "replaced" (a later cast of the same owner replaced it) or "unknown". Never names the owner and
    never shows the choice (a receipt that proved a choice would let a vote be bought or coerced)."""
    receipt = normalise_receipt(code)
    cast = BallotCast.objects.filter(decision=decision, receipt=receipt).first() if receipt else None
    if cast is None:
        return {"status": "unknown", "receipt": receipt}
    current = Ballot.objects.filter(voter_id=cast.voter_id).values_list("receipt", flat=True).first()
    return {
        "status": "counted" if current == receipt else "replaced",
        "receipt": receipt,
        "cast_at": cast.cast_at,
        "channel": cast.channel,
        "channel_label": cast.get_channel_display(),
        "final": decision.has_result,
    }


def decision_result(decision: Decision) -> dict[str, Any] | None:
    """The stored tally (exact strings) once closed, with display percentages; None before."""
    if not decision.has_result or not decision.result:
        return None
    result = dict(decision.result)
    total_area = Decimal(result["total_area"])
    part_area = Decimal(result["participating_area"])
    result["participation_area_percent"] = rules.percent_text(part_area, total_area)
    result["participation_owners_percent"] = rules.percent_text(
        result["participating_owners"], result["total_owners"]
    )
    result["agreement_area_percent"] = rules.percent_text(Decimal(result["agreeing_area"]), part_area)
    result["agreement_owners_percent"] = rules.percent_text(
        result["agreeing_owners"], result["participating_owners"]
    )
    return result


def decision_ballot_file(decision: Decision) -> dict[str, Any]:
    """The anonymised ballot file in the §6 tally format, after close only: the one stored at the close
    (``rules.anonymised_ballot_file`` of the counted result — equal shares per option, random ids, so
    it cannot be joined with the roll or the registry); ``gongzhi tally`` on it reproduces the result."""
    if not decision.has_result:
        raise ValueError("the ballot file is published only after the vote is closed")
    if decision.ballot_file:
        return decision.ballot_file
    # A decision closed before the file was stored: the same construction, fresh randomness.
    return rules.anonymised_ballot_file(decision.result, rng=secrets.SystemRandom())


# ---- change marks of the public pages (core/publicpages.py) -------------------------------------------------


def _mark_sql(*, estate_wide: bool) -> str:
    """One statement: the street's recent audited changes, the ballots of the page's published decisions
    (ballots are not audited: secrecy) and how many of them have opened and closed by now."""
    from gongzhi.core.publicpages import street_sum_sql

    tables = {m.__name__: m._meta.db_table for m in (Ballot, Decision, Estate, Area)}
    own = "d.estate_id = e.id" if estate_wide else "d.id = x.id"
    published = f"FROM {tables['Decision']} d WHERE {own} AND d.status <> %s"
    ballots = (
        f"SELECT COUNT(*) FROM {tables['Ballot']} b JOIN {tables['Decision']} d ON d.id = b.decision_id "  # noqa: S608
        f"WHERE {own} AND d.status <> %s"
    )
    place = (
        f"{tables['Estate']} e JOIN {tables['Area']} a ON a.id = e.area_id"
        if estate_wide
        else f"{tables['Decision']} x JOIN {tables['Estate']} e ON e.id = x.estate_id "
        f"JOIN {tables['Area']} a ON a.id = e.area_id"
    )
    where = "e.id = %s" if estate_wide else "x.id = %s AND x.status <> %s"
    return (
        f"SELECT ({street_sum_sql('a.street_id')}), ({ballots}), "  # noqa: S608 (names from the models)
        f"(SELECT COUNT(*) {published} AND d.opens_at <= %s), (SELECT COUNT(*) {published} AND d.closes_at <= %s) "
        f"FROM {place} WHERE {where}"
    )


def public_estate_mark(pk: int) -> tuple | None:
    """An estate's decisions page changes with the street's audited writes, with every ballot and when a
    decision opens or closes."""
    from gongzhi.core.publicpages import mark_row

    now, draft = connection.ops.adapt_datetimefield_value(timezone.now()), DecisionStatus.DRAFT
    return mark_row(_mark_sql(estate_wide=True), [draft, draft, now, draft, now, pk])


def public_decision_mark(pk: int) -> tuple | None:
    """One public decision's page: the street's audited writes, its ballots, whether it has opened and closed."""
    from gongzhi.core.publicpages import mark_row

    now, draft = connection.ops.adapt_datetimefield_value(timezone.now()), DecisionStatus.DRAFT
    return mark_row(_mark_sql(estate_wide=False), [draft, draft, now, draft, now, pk, draft])


def quorum_text(figures: dict, days_left: int) -> str:
    """还差 90 户达到法定人数，剩 9 天 — what is still missing for the ≥ 2/3 quorum (area and owners)."""
    owners = figures["owners_missing"]
    area = Decimal(figures["area_missing"])
    values = {"owners": owners, "area": format(area, ",f"), "days": days_left}
    if figures["quorum_met"]:
        return _("已达到法定人数，剩 %(days)s 天") % values
    if owners and area:
        return _("还差 %(owners)s 户、%(area)s m² 专有面积达到法定人数，剩 %(days)s 天") % values
    if owners:
        return _("还差 %(owners)s 户达到法定人数，剩 %(days)s 天") % values
    return _("还差 %(area)s m² 专有面积达到法定人数，剩 %(days)s 天") % values
