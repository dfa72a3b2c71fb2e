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
