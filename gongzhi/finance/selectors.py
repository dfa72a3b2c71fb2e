"""Reads of the ledgers: the §6 lines of a chain and the list of chains (DESIGN.md §6)."""

from __future__ import annotations

from typing import Any

from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import money_text


def entry_line(entry: LedgerEntry, *, reverses_seq: int | None = None) -> dict[str, Any]:
    """The §6 export of one entry; its ``hash`` is ``entry_hash`` of exactly this dict.

    ``estate`` is the estate's id as a string (stable); ``estate_name`` and the optional fields are extras,
    covered by the hash like everything else."""
    return {
        "seq": entry.seq,
        "estate": str(entry.estate_id),
        "estate_name": entry.estate_name,
        "ledger": entry.ledger,
        "date": entry.date.isoformat(),
        "direction": entry.direction,
        "amount": money_text(entry.amount),
        "balance": money_text(entry.balance),
        "summary": entry.summary,
        "category": entry.category,
        "counterparty": entry.counterparty,
        "reference": entry.reference,
        "project": entry.project,
        "reverses": reverses_seq,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def ledger_lines(estate_id: int, ledger: str) -> list[dict[str, Any]]:
    """The whole chain of one estate's ledger in §6 form, in seq order."""
    entries = LedgerEntry.objects.chain(estate_id, ledger).select_related("reverses")
    return [entry_line(e, reverses_seq=e.reverses.seq if e.reverses else None) for e in entries]


def ledger_chains(estate_id: int | None = None) -> list[tuple[int, str]]:
    """Every (estate id, ledger) pair that has entries."""
    rows = LedgerEntry.objects.all()
    if estate_id is not None:
        rows = rows.filter(estate_id=estate_id)
    return list(rows.order_by("estate_id", "ledger").values_list("estate_id", "ledger").distinct())
