"""How ledger entries hang on the street (read by gongzhi.core.scopes, the one door)."""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scopes import Path, Scope, street_q
from gongzhi.finance.models import LedgerEntry


def _ledger_q(scope: Scope) -> Q:
    # In full: office users of the estate (street, area, its OC, its managing company). Residents
    # read them through the estate's public disclosure page, not through this door.
    return street_q(scope, "estate__area__street_id") | Q(estate_id__in=scope.estate_ids)


SCOPED = {LedgerEntry: Path("estate__area__street_id", _ledger_q)}
