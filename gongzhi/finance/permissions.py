"""Who reads the ledgers and who may post to which (docs/DESIGN.md §4.4): one condition per line."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.scopes import estates_in_full, get_for_user, scope_for, serves_as_company
from gongzhi.finance.models import LedgerKind
from gongzhi.registry.models import Estate

# The owners' committee keeps the owners' money; the company keeps its own fee account.
OWNERS_LEDGERS = frozenset({LedgerKind.MAINTENANCE_FUND, LedgerKind.PUBLIC_INCOME})


def reads_ledgers(user) -> bool:
    """The office ledger pages: office users who see some estate in full."""
    return scope_for(user).reads_in_full()


def require_reader(user) -> None:
    if not reads_ledgers(user):
        raise PermissionDenied


def ledger_estates(user):
    """Estates whose ledgers this user reads in full (the same reach as ``visible(user, LedgerEntry)``)."""
    return estates_in_full(user)


def get_ledger_estate(user, estate_id: int) -> Estate:
    """One estate's office ledger pages: not a reader → 403, out of reach → 404."""
    require_reader(user)
    return get_for_user(user, ledger_estates(user).select_related("area"), estate_id)


def can_post(user, estate: Estate, ledger: str) -> bool:
    scope = scope_for(user)
    if ledger in OWNERS_LEDGERS:
        if scope.on_committee(estate.pk):
            return True
        return scope.is_street_admin(estate.area.street_id)
    if ledger == LedgerKind.PROPERTY_FEE:
        return serves_as_company(user, estate)
    return False


def can_disclose(user, estate: Estate, ledger: str) -> bool:
    """Records a disclosure: whoever keeps the ledger (OC for the owners' ledgers, the managing company for
    the fee account) or the street admin."""
    if scope_for(user).is_street_admin(estate.area.street_id):
        return True
    return can_post(user, estate, ledger)


def can_set_schedule(user, estate: Estate) -> bool:
    """Tightens a disclosure interval: the street admin only."""
    return scope_for(user).is_street_admin(estate.area.street_id)


def can_edit_profile(user, estate: Estate) -> bool:
    """The estate's finance settings (initial fund amount, public income tops up the fund): the street
    admin or the estate's owners' committee."""
    scope = scope_for(user)
    if scope.on_committee(estate.pk):
        return True
    return scope.is_street_admin(estate.area.street_id)


def can_attach_evidence(user, estate: Estate) -> bool:
    """Evidence for a fund use: whoever may post to the maintenance fund."""
    return can_post(user, estate, LedgerKind.MAINTENANCE_FUND)


def may_import(user) -> bool:
    """The import page: anyone who may post to some ledger (each row is checked with ``can_post``)."""
    scope = scope_for(user)
    return scope.on_committee() or scope.is_street_admin() or scope.is_company_staff()


def checks_chains(user) -> bool:
    """The street admin sees a check of every chain of their street on the ledger list."""
    return scope_for(user).is_street_admin()
