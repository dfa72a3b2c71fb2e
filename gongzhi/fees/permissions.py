"""Who reads and who keeps the fee standards and the monthly collection (docs/DESIGN.md §3, §4.4, docs/FEES.md).

The company keeps its fee account (as ``finance.permissions.can_post`` for the property-fee ledger): staff
of the company under an active contract for the estate record the monthly collection. The street admin may
keep them too (corrections, estates without a company). Readers are the office users who see the estate in
full. A fee STANDARD is set only by the estate's owners' committee or the street admin, on a checked basis
(``rules.check_fee_basis``); the company may only propose one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from gongzhi.core.scopes import estates_as_company, estates_in_full, scope_for, serves_as_company
from gongzhi.registry.models import Estate


def reads_fees(user) -> bool:
    return scope_for(user).reads_in_full()


def fee_estates(user):
    """Estates whose fee records this user reads: the street, the area's branch, the OC, the company."""
    return estates_in_full(user)


def keeps_any_fees(user) -> bool:
    """Keeps some estate's fee records: a street admin or a company's staff."""
    scope = scope_for(user)
    return scope.is_street_admin() or scope.is_company_staff()


def kept_estates(user):
    """Estates whose fee records this user keeps: the admin's street, the company's managed estates."""
    scope = scope_for(user)
    condition = Q(area__street_id__in=scope.admin_street_ids) | Q(
        pk__in=estates_as_company(user).values("pk")
    )
    return fee_estates(user).filter(condition)


def can_keep_fees(user, estate: Estate) -> bool:
    if scope_for(user).is_street_admin(estate.area.street_id):
        return True
    return serves_as_company(user, estate)


def can_set_fees(user, estate: Estate) -> bool:
    """Sets a fee standard (on a checked basis): the estate's owners' committee or the street admin."""
    scope = scope_for(user)
    if scope.is_street_admin(estate.area.street_id):
        return True
    return scope.on_committee(estate.pk)


def can_propose_fees(user, estate: Estate) -> bool:
    """Proposes a standard: the managing company's staff, and whoever may set one."""
    if serves_as_company(user, estate):
        return True
    return can_set_fees(user, estate)


def can_record_price_documents(user, street_id: int) -> bool:
    """Records government price documents and the estates under guided pricing: the street admin."""
    return scope_for(user).is_street_admin(street_id)


def get_fee_estate(user, estate_id: int, *, write: bool = False) -> Estate:
    """The door to one estate's fee pages: not a reader → 403, out of reach → 404, no keeping right → 403."""
    if not reads_fees(user):
        raise PermissionDenied
    estate = fee_estates(user).select_related("area").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    if write and not can_keep_fees(user, estate):
        raise PermissionDenied
    return estate


# ---- the fee-adjustment intent (调价意向) and the quality gate ------------------------------------------------


def intent_side(user, estate: Estate) -> str | None:
    """Which side this user speaks for on an estate's intent: the managing company, the owners' committee or
    the street admin; None for everyone else (IntentSide values)."""
    if serves_as_company(user, estate):
        return "company"
    scope = scope_for(user)
    if scope.on_committee(estate.pk):
        return "committee"
    if scope.is_street_admin(estate.area.street_id):
        return "street"
    return None


def can_open_intent(user, estate: Estate) -> bool:
    """Opens a fee-adjustment intent: the owners' committee, the managing company or the street admin."""
    return intent_side(user, estate) is not None


def can_edit_intent(user, intent) -> bool:
    """Edits, submits and withdraws an intent: the side that opened it (the company its own; the committee and
    the street admin theirs)."""
    side = intent_side(user, intent.estate)
    if side is None:
        return False
    if intent.opened_as == "company":
        return side == "company"
    return side in {"committee", "street"}


def can_check_gate(user, intent) -> bool:
    """Runs the quality gate for an intent: either side."""
    return intent_side(user, intent.estate) is not None


def can_decide_intent(user, intent) -> bool:
    """Records the price meeting's outcome, rejects, concludes after the owners' decision: the owners'
    committee or the street admin (``can_set_fees``), never the company."""
    return can_set_fees(user, intent.estate)


def can_edit_gate_rule(user, street_id: int) -> bool:
    """Sets the street's quality-gate thresholds: the street admin."""
    return scope_for(user).is_street_admin(street_id)
