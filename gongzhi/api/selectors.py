"""Read querysets for the API. Every one starts from ``visible(user, Model)`` — the one door —
and adds only filters, annotations and prefetches, so a list never shows a row the user may not
see and executes the same number of queries whatever its length.

The per-row figures (unit count, total area, owner count, company in force, a company's
estates) are the registry pages' own annotations (``registry/resources.py``), so the API and
the pages never disagree on a number.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from gongzhi.core.scopes import Scope, owners_named_for, visible
from gongzhi.registry import models as r
from gongzhi.registry.models import OLD_ESTATE_BEFORE_YEAR


def _ordered(qs: QuerySet) -> QuerySet:
    """The model's own ordering, then the id: pages must not overlap or skip rows."""
    return qs.order_by(*qs.model._meta.ordering, "pk")


def _in_estate(qs: QuerySet, estate_path: str, *, area=None, estate=None) -> QuerySet:
    if estate is not None:
        qs = qs.filter(**{f"{estate_path}_id": estate})
    if area is not None:
        qs = qs.filter(**{f"{estate_path}__area_id": area})
    return qs


# ---- streets, areas ----------------------------------------------------------------------------


def streets(user, *, q=None) -> QuerySet:
    qs = visible(user, r.Street).select_related("district")
    if q:
        qs = qs.filter(name__icontains=q)
    return _ordered(qs)


def areas(user, *, street=None, q=None) -> QuerySet:
    qs = visible(user, r.Area)
    if street is not None:
        qs = qs.filter(street_id=street)
    if q:
        qs = qs.filter(name__icontains=q)
    return _ordered(qs.select_related("street"))


# ---- estates, buildings, units, owners --------------------------------------------------------------


def _active_contracts():
    return r.Contract.objects.active()


def estates(user, *, area=None, company=None, is_old=None, q=None) -> QuerySet:
    qs = visible(user, r.Estate)
    if area is not None:
        qs = qs.filter(area_id=area)
    if company is not None:
        qs = qs.filter(pk__in=_active_contracts().filter(company_id=company).values("estate_id"))
    if is_old is True:
        qs = qs.filter(build_year__lt=OLD_ESTATE_BEFORE_YEAR)
    elif is_old is False:
        qs = qs.filter(build_year__gte=OLD_ESTATE_BEFORE_YEAR)
    if q:
        qs = qs.filter(name__icontains=q)
    return _ordered(qs)


def buildings(user, *, area=None, estate=None, q=None) -> QuerySet:
    qs = _in_estate(visible(user, r.Building), "estate", area=area, estate=estate)
    if q:
        qs = qs.filter(number__icontains=q)
    return _ordered(qs.select_related("estate"))


def units(user, *, area=None, estate=None, building=None, owner=None, q=None) -> QuerySet:
    qs = _in_estate(visible(user, r.Unit), "building__estate", area=area, estate=estate)
    if building is not None:
        qs = qs.filter(building_id=building)
    if owner is not None:
        qs = qs.filter(owner_id=owner)
    if q:
        qs = qs.filter(number__icontains=q)
    return _ordered(qs.select_related("building__estate", "owner"))


def owners(user, *, area=None, estate=None, q=None) -> QuerySet:
    qs = visible(user, r.Owner)
    if estate is not None or area is not None:
        held = _in_estate(r.Unit.objects.all(), "building__estate", area=area, estate=estate)
        qs = qs.filter(pk__in=held.values("owner_id"))
    if q:
        # Searching by name must not reveal a masked name: only where the user reads names.
        by_name = Q(name__icontains=q) & Q(pk__in=owners_named_for(user).values("pk"))
        qs = qs.filter(Q(ref__icontains=q) | by_name)
    units_seen = (
        visible(user, r.Unit).select_related("building__estate").order_by("building__estate__name", "pk")
    )
    return _ordered(qs.prefetch_related(Prefetch("units", queryset=units_seen, to_attr="visible_units")))


# ---- companies, contracts -------------------------------------------------------------------------


def companies(user, *, area=None, estate=None, q=None) -> QuerySet:
    qs = visible(user, r.Company)
    if estate is not None or area is not None:
        serving = _in_estate(_active_contracts(), "estate", area=area, estate=estate)
        qs = qs.filter(pk__in=serving.values("company_id"))
    if q:
        qs = qs.filter(name__icontains=q)
    return _ordered(qs)


def contracts(user, *, area=None, estate=None, company=None, active=None) -> QuerySet:
    qs = _in_estate(visible(user, r.Contract), "estate", area=area, estate=estate)
    if company is not None:
        qs = qs.filter(company_id=company)
    if active is not None:
        in_force = _active_contracts().values("pk")
        qs = qs.filter(pk__in=in_force) if active else qs.exclude(pk__in=in_force)
    return _ordered(qs.select_related("estate", "company"))


# ---- committees and branches ----------------------------------------------------------------------


def owners_committees(user, *, area=None, estate=None) -> QuerySet:
    qs = _in_estate(visible(user, r.OwnersCommittee), "estate", area=area, estate=estate)
    members = visible(user, r.CommitteeMember).order_by("position", "name", "pk")
    return _ordered(
        qs.select_related("estate").prefetch_related(
            Prefetch("members", queryset=members, to_attr="visible_members")
        )
    )


def residents_committees(user, *, area=None, q=None) -> QuerySet:
    qs = visible(user, r.ResidentsCommittee)
    if area is not None:
        qs = qs.filter(area_id=area)
    if q:
        qs = qs.filter(name__icontains=q)
    return _ordered(qs.select_related("area"))


def branches(user, *, area=None, q=None) -> QuerySet:
    qs = visible(user, r.Branch)
    if area is not None:
        qs = qs.filter(area_id=area)
    if q:
        qs = qs.filter(name__icontains=q)
    members = visible(user, r.BranchMember).order_by("membership", "name", "pk")
    return _ordered(
        qs.select_related("area").prefetch_related(
            Prefetch("members", queryset=members, to_attr="visible_members")
        )
    )


# ---- who reads names and phones -------------------------------------------------------------------


def sees_owner_personal_data(scope: Scope, owner: r.Owner, estate_ids) -> bool:
    """An owner's name and phone: the street's admin, or whoever reads personal data in an
    estate where this owner holds a unit (the OC, the area's branch)."""
    if scope.is_street_admin(owner.street_id):
        return True
    return any(scope.sees_personal_data(estate_id) for estate_id in estate_ids)


def sees_branch_personal_data(scope: Scope, area: r.Area) -> bool:
    """Branch members' phones: the street's admin and the area's own branch (secretary, members).
    Kept to these two on purpose: one estate's OC does not read the whole area's branch."""
    return scope.is_street_admin(area.street_id) or scope.in_branch(area.pk)
