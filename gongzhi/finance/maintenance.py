"""The one sanctioned way around the append-only ledgers: deleting a *demo* street's entries (and, first,
the finance rows that point at them: evidence, disclosures, profiles, schedules, notices).

Posted entries are never changed or deleted (docs/DESIGN.md §4.4, §6): the model, its QuerySet and the
database triggers of migration 0002 all refuse. Resetting the invented demo street (§8) must still
remove its ledgers, so ``purge_demo_ledgers`` — and nothing else — lifts the triggers for the span of
one DELETE inside the caller's transaction and puts them back before returning: on SQLite it drops
and recreates them with the migration's own SQL, on PostgreSQL it disables and re-enables the trigger
(other sessions wait on the table lock meanwhile, so none of their writes slips through). It refuses
for any street that is not marked ``is_demo`` in the database.
"""

from __future__ import annotations

import importlib

from django.db import connection, transaction

from gongzhi.finance.models import LedgerEntry
from gongzhi.registry.models import Estate, Street

# The trigger SQL lives in the migration; import it so the triggers recreated here are the same.
_TRIGGERS = importlib.import_module("gongzhi.finance.migrations.0002_append_only_triggers")
TABLE = _TRIGGERS.TABLE
TRIGGER_SQL = _TRIGGERS.SQL
PG_TRIGGER = f"{TABLE}_append_only"


class NotADemoStreet(ValueError):
    """``purge_demo_ledgers`` was called for a street that is not a demo street."""


def _purge_demo_rules(estate_ids: list[int]) -> None:
    """The demo street's disclosures, profiles, schedules, notices and fund-use evidence (ordinary rows:
    no trigger guards them; the evidence must go before the entries it points at)."""
    from gongzhi.finance.models import (
        Disclosure,
        DisclosureSchedule,
        FinanceNotice,
        FinanceProfile,
        FundUseEvidence,
    )

    FundUseEvidence.objects.filter(entry__estate_id__in=estate_ids).delete()
    for model in (Disclosure, DisclosureSchedule, FinanceProfile, FinanceNotice):
        model.objects.filter(estate_id__in=estate_ids).delete()


@transaction.atomic
def purge_demo_ledgers(street: Street) -> int:
    """Delete every ledger entry of the demo ``street``'s estates; returns how many were deleted."""
    if not Street.objects.filter(pk=street.pk, is_demo=True).exists():
        raise NotADemoStreet(f"street {street.pk} is not a demo street; its ledgers are append-only")
    estate_ids = list(Estate.objects.filter(area__street_id=street.pk).values_list("pk", flat=True))
    _purge_demo_rules(estate_ids)
    if not estate_ids or not LedgerEntry.objects.filter(estate_id__in=estate_ids).exists():
        return 0
    vendor = connection.vendor
    if vendor not in TRIGGER_SQL:
        raise NotImplementedError(f"no append-only triggers for {vendor}")
    table = connection.ops.quote_name(TABLE)
    placeholders = ", ".join(["%s"] * len(estate_ids))
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {connection.ops.quote_name(PG_TRIGGER)}")
        else:
            for statement in TRIGGER_SQL[vendor]["drop"]:
                cursor.execute(statement)
        cursor.execute(f"DELETE FROM {table} WHERE estate_id IN ({placeholders})", estate_ids)  # noqa: S608
        deleted = cursor.rowcount
        if vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {connection.ops.quote_name(PG_TRIGGER)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are INITIALLY DEFERRED
        else:
            for statement in TRIGGER_SQL[vendor]["create"]:
                cursor.execute(statement)
    return deleted
