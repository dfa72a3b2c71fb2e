"""How the registry's rows hang on the street (read by gongzhi.core.scopes, the one door).

Streets, areas and estates are read by whoever reaches something in them; units and owners only
by those who see the estate in full (an evaluator or a resident sees no other household: an
owner sees their own unit); companies by the street, their staff and whoever reads an estate
they are contracted for. A district by its district roles and whoever reads one of its streets;
the district roles read every street of the district (``Scope.district_street_ids``, read only).
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scopes import Path, Scope, by_area, by_estate, street_q
from gongzhi.registry import models as r


def _area_q(scope: Scope) -> Q:
    return (
        street_q(scope, "street_id")
        | Q(pk__in=scope.area_ids)
        | Q(pk__in=r.Estate.objects.filter(pk__in=scope.all_estate_ids).values("area_id"))
    )


def _street_q(scope: Scope) -> Q:
    return Q(pk__in=scope.read_street_ids) | Q(
        pk__in=r.Area.objects.filter(_area_q(scope)).values("street_id")
    )


def _district_q(scope: Scope) -> Q:
    # A district is read by its district roles and by whoever reads a street in it (its name).
    return Q(pk__in=scope.district_ids) | Q(
        pk__in=r.Street.objects.filter(_street_q(scope)).values("district_id")
    )


def _estate_q(scope: Scope) -> Q:
    return street_q(scope, "area__street_id") | Q(pk__in=scope.all_estate_ids)


def _unit_q(scope: Scope) -> Q:
    # Evaluators and residents do not see other households; an owner sees their own unit.
    return (
        street_q(scope, "building__estate__area__street_id")
        | Q(building__estate_id__in=scope.estate_ids)
        | Q(pk__in=scope.unit_ids)
    )


def _owner_q(scope: Scope) -> Q:
    """The owners of the streets read whole, and the owners of the units in the other estates read in
    full (an owners' committee's, a company's) and of one's own units. An owner is registered in the
    street of their units (the unit form and the import look the owner up there; the invariant
    registry.owners_in_their_street checks the data), so a street read whole needs no unit branch: left
    out, the list is one index range on (street, ref) instead of a scan of every owner of the city that
    the OR with a sub-select forces on PostgreSQL (docs/SCALING.md, 城市规模实测)."""
    condition = street_q(scope, "street_id")
    if scope.estate_ids_beyond_streets or scope.unit_ids:
        units = r.Unit.objects.filter(
            Q(building__estate_id__in=scope.estate_ids_beyond_streets) | Q(pk__in=scope.unit_ids)
        )
        condition |= Q(pk__in=units.values("owner_id"))
    return condition


def _company_q(scope: Scope) -> Q:
    contracted = r.Contract.objects.filter(estate_id__in=scope.all_estate_ids).values("company_id")
    return street_q(scope, "street_id") | Q(pk__in=scope.company_ids) | Q(pk__in=contracted)


def _company_group_q(scope: Scope) -> Q:
    # A group by the street and by whoever reads one of its companies.
    return street_q(scope, "street_id") | Q(
        pk__in=r.Company.objects.filter(_company_q(scope)).values("group_id")
    )


SCOPED = {
    r.District: Path("", _district_q),  # above the street: no street path
    r.Street: Path("pk", _street_q),
    r.Area: Path("street_id", _area_q),
    r.Estate: Path("area__street_id", _estate_q),
    r.Building: by_estate("estate"),
    r.Unit: Path("building__estate__area__street_id", _unit_q),
    r.Owner: Path("street_id", _owner_q),
    r.Company: Path("street_id", _company_q),
    r.CompanyGroup: Path("street_id", _company_group_q),
    r.Contract: by_estate("estate"),
    r.OwnersCommittee: by_estate("estate"),
    r.CommitteeMember: by_estate("committee__estate"),
    r.ResidentsCommittee: by_area("area"),
    r.Branch: by_area("area"),
    r.BranchMember: by_area("branch__area"),
}
