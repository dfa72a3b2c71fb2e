"""Who keeps which part of the disclosure book (docs/DESIGN.md §3): the owners' committee and the street admin
keep major matters and the owners' rules; the managing company (and the street admin) the four services.
Readers of the office pages are the office users who see the estate in full (as for the fees)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core.scopes import scope_for, serves_as_company
from gongzhi.fees.permissions import fee_estates, reads_fees
from gongzhi.registry.models import Estate


def can_edit_book(user, estate: Estate) -> bool:
    scope = scope_for(user)
    if scope.on_committee(estate.pk):
        return True
    return scope.is_street_admin(estate.area.street_id)


def can_edit_services(user, estate: Estate) -> bool:
    if scope_for(user).is_street_admin(estate.area.street_id):
        return True
    return serves_as_company(user, estate)


def book_estates(user):
    return fee_estates(user)


def get_book_estate(user, estate_id: int, *, edit: str | None = None) -> Estate:
    """Not a reader → 403; out of reach → 404; ``edit`` = "book" or "services" without that right → 403."""
    if not reads_fees(user):
        raise PermissionDenied
    estate = book_estates(user).select_related("area").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    if edit == "book" and not can_edit_book(user, estate):
        raise PermissionDenied
    if edit == "services" and not can_edit_services(user, estate):
        raise PermissionDenied
    return estate
