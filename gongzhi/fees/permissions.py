"""Who reads and who keeps the fee standards and the monthly collection (DESIGN.md §3, §4.4).

The company keeps its fee account (as ``finance.permissions.can_post`` for the property-fee ledger): staff
of the company under an active contract for the estate. The street admin may keep them too (corrections,
estates without a company). Readers are the office users who see the estate in full."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from gongzhi.core.scopes import scope_for, visible
from gongzhi.registry.models import Contract, Estate


def reads_fees(user) -> bool:
    scope = scope_for(user)
    return scope.is_office and bool(scope.street_ids or scope.estate_ids)


def fee_estates(user):
    """Estates whose fee records this user reads: the street, the area's branch, the OC, the company."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.estate_ids)
    if scope.street_ids:
        condition |= Q(area__street_id__in=scope.street_ids)
    return visible(user, Estate).filter(condition)


def can_keep_fees(user, estate: Estate) -> bool:
    scope = scope_for(user)
    if estate.area.street_id in scope.admin_street_ids:
        return True
    if not scope.company_ids:
        return False
    return Contract.objects.active().filter(estate=estate, company_id__in=scope.company_ids).exists()


def get_fee_estate(user, estate_id: int, *, write: bool = False) -> Estate:
    """The door to one estate's fee pages: not a reader → 403, out of reach → 404, no keeping right → 403."""
    from django.http import Http404

    if not reads_fees(user):
        raise PermissionDenied
    estate = fee_estates(user).select_related("area").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    if write and not can_keep_fees(user, estate):
        raise PermissionDenied
    return estate
