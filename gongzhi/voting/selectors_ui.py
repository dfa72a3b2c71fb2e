"""Reads the voting pages need beyond ``voting.selectors``: who reads the office pages at all, which
estates a user may draft for, participation of many decisions at once (for lists, in two queries) and
a preview of the electorate a draft would freeze at publication. Never the yes/no split while open."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.core.scopes import scope_for, visible
from gongzhi.registry.models import Estate, OwnerKind, OwnersCommittee, Unit
from gongzhi.voting import rules
from gongzhi.voting.models import Ballot, Decision, DecisionStatus, ElectorateUnit

STATUS_COLOURS = {
    DecisionStatus.DRAFT: "",
    DecisionStatus.PUBLISHED: "blue",
    DecisionStatus.CLOSED: "amber",
    DecisionStatus.PRELIMINARY: "amber",
    DecisionStatus.FINAL: "green",
}


def reads_votes(user) -> bool:
    """Office pages of decisions: the street, the area branches and the owners' committees (the
    managing company and evaluators have no part in an owners' vote)."""
    scope = scope_for(user)
    return bool(scope.street_ids or scope.area_ids or scope.oc_estate_ids)


def office_estates(user) -> QuerySet[Estate]:
    """Estates whose decisions this user reads in the office."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.oc_estate_ids) | Q(area_id__in=scope.area_ids)
    if scope.street_ids:
        condition |= Q(area__street_id__in=scope.street_ids)
    return visible(user, Estate).filter(condition)


def managed_estate_ids(user, estate_ids=None) -> set[int]:
    """Estates where the user drafts and runs decisions (``permissions.can_manage`` for many estates in
    two queries): their owners' committee, or the street admin where no committee sits today."""
    scope = scope_for(user)
    managed = set(scope.oc_estate_ids)
    if scope.admin_street_ids:
        street = Estate.objects.filter(area__street_id__in=scope.admin_street_ids)
        if estate_ids is not None:
            street = street.filter(pk__in=estate_ids)
        today = timezone.localdate()
        sitting = OwnersCommittee.objects.filter(term_start__lte=today, term_end__gte=today).values(
            "estate_id"
        )
        managed |= set(street.exclude(pk__in=sitting).values_list("pk", flat=True))
    return managed if estate_ids is None else managed & set(estate_ids)


def office_decisions(user) -> QuerySet[Decision]:
    scope = scope_for(user)
    condition = Q(estate_id__in=scope.oc_estate_ids) | Q(estate__area_id__in=scope.area_ids)
    if scope.street_ids:
        condition |= Q(estate__area__street_id__in=scope.street_ids)
    return visible(user, Decision).filter(condition).select_related("estate__area")


def participation_many(decisions: list[Decision]) -> dict[int, dict[str, Any]]:
    """Participation (area and owners, with percentages against the frozen totals) of many published
    decisions: two grouped queries whatever their number. Drafts get nothing."""
    ids = [d.pk for d in decisions if d.status != DecisionStatus.DRAFT]
    if not ids:
        return {}
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
    """What publication would freeze now (the same grouping as ``services.decision_publish``: one
    owner per buyer, the developer's units as one owner, an unowned unit as its own owner), with the
    matter's thresholds. For the confirm screen; the published figures are the stored ones."""
    units = Unit.objects.filter(building__estate_id=decision.estate_id)
    building_ids = list(decision.buildings.values_list("pk", flat=True))
    if building_ids:
        units = units.filter(building_id__in=building_ids)
    rows = list(units.values("pk", "area", "owner_id", "owner__ref", "owner__kind"))
    # One owner per buyer; the developer's units as ONE owner however many developer records
    # (SPC interpretation art. 9); an unowned unit on its own.
    owners = {
        ("developer",)
        if r["owner__kind"] == OwnerKind.DEVELOPER
        else ("owner", r["owner__ref"])
        if r["owner_id"]
        else ("unit", r["pk"])
        for r in rows
    }
    total_area = sum((r["area"] for r in rows), Decimal(0))
    return {
        **thresholds(decision.matter, total_area=total_area, total_owners=len(owners)),
        "total_units": len(rows),
        "developer_units": sum(1 for r in rows if r["owner__kind"] == OwnerKind.DEVELOPER),
        "unowned_units": sum(1 for r in rows if not r["owner_id"]),
        "multi_unit_owners": len(owners) < len(rows),
    }


def thresholds(matter: int, *, total_area: Decimal, total_owners: int) -> dict[str, Any]:
    """The totals and what the law asks of them for this matter (DESIGN.md §5)."""
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
