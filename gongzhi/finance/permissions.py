"""Who may post to which ledger (DESIGN.md §4.4): one condition per line."""

from __future__ import annotations

from gongzhi.core.scopes import scope_for
from gongzhi.finance.models import LedgerKind
from gongzhi.registry.models import Contract, Estate

# The owners' committee keeps the owners' money; the company keeps its own fee account.
OWNERS_LEDGERS = frozenset({LedgerKind.MAINTENANCE_FUND, LedgerKind.PUBLIC_INCOME})


def can_post(user, estate: Estate, ledger: str) -> bool:
    scope = scope_for(user)
    if ledger in OWNERS_LEDGERS:
        if estate.pk in scope.oc_estate_ids:
            return True
        return estate.area.street_id in scope.admin_street_ids
    if ledger == LedgerKind.PROPERTY_FEE:
        if not scope.company_ids:
            return False
        managing = Contract.objects.active().filter(estate=estate, company_id__in=scope.company_ids)
        return managing.exists()
    return False


def can_disclose(user, estate: Estate, ledger: str) -> bool:
    """Records a disclosure: whoever keeps the ledger (OC for the owners' ledgers, the managing company for
    the fee account) or the street admin."""
    if estate.area.street_id in scope_for(user).admin_street_ids:
        return True
    return can_post(user, estate, ledger)


def can_set_schedule(user, estate: Estate) -> bool:
    """Tightens a disclosure interval: the street admin only."""
    return estate.area.street_id in scope_for(user).admin_street_ids


def can_edit_profile(user, estate: Estate) -> bool:
    """The estate's finance settings (initial fund amount, public income tops up the fund): the street
    admin or the estate's owners' committee."""
    scope = scope_for(user)
    if estate.pk in scope.oc_estate_ids:
        return True
    return estate.area.street_id in scope.admin_street_ids


def can_attach_evidence(user, estate: Estate) -> bool:
    """Evidence for a fund use: whoever may post to the maintenance fund."""
    return can_post(user, estate, LedgerKind.MAINTENANCE_FUND)


def may_import(user) -> bool:
    """The import page: anyone who may post to some ledger (each row is checked with ``can_post``)."""
    scope = scope_for(user)
    return bool(scope.oc_estate_ids or scope.admin_street_ids or scope.company_ids)
