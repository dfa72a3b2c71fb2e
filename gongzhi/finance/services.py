"""Writes to the ledgers (DESIGN.md §4.4, §5, §6): post an entry, reverse an entry. Nothing else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.finance.permissions import can_post
from gongzhi.finance.rules import GENESIS, LedgerError, entry_hash, next_balance, parse_amount
from gongzhi.finance.selectors import entry_line
from gongzhi.registry.models import Estate

EXTRA_FIELDS = ("category", "counterparty", "reference", "project")


@transaction.atomic
def ledger_post(
    *,
    actor,
    estate: Estate,
    ledger: str,
    date: dt.date,
    direction: str,
    amount: Any,
    summary: str,
    **extra: str,
) -> LedgerEntry:
    """Append one entry to an estate's ledger, chained to the last one (§6), and audit it.

    ``extra`` may name ``category``, ``counterparty`` (e.g. the contractor), ``reference`` (e.g. the owners'
    decision) and ``project``; they are part of the hashed entry."""
    return _append(
        actor=actor,
        estate=estate,
        ledger=ledger,
        date=date,
        direction=direction,
        amount=amount,
        summary=summary,
        reverses=None,
        extra=extra,
    )


def _append(
    *,
    actor,
    estate: Estate,
    ledger: str,
    date: dt.date,
    direction: str,
    amount: Any,
    summary: str,
    reverses: LedgerEntry | None,
    extra: dict[str, str],
) -> LedgerEntry:
    if ledger not in LedgerKind.values:
        raise LedgerError(_("未知的账本类型“%(value)s”。") % {"value": ledger})
    if not can_post(actor, estate, ledger):
        raise PermissionDenied
    if direction not in Direction.values:
        raise LedgerError(_("收支方向必须是收入(in)或支出(out)。"))
    unknown = set(extra) - set(EXTRA_FIELDS)
    if unknown:
        raise TypeError(f"unknown ledger fields: {sorted(unknown)}")
    value = parse_amount(amount)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise LedgerError(_("日期无效。"))
    if date > timezone.localdate():
        raise LedgerError(_("日期不能晚于今天。"))
    summary = (summary or "").strip()
    if not summary:
        raise LedgerError(_("请填写摘要。"))
    if len(summary) > 200:
        raise LedgerError(_("摘要最多 200 字。"))

    # Lock the estate row: serialises writers of its ledgers even while a ledger is still empty.
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    last = LedgerEntry.objects.filter(estate=estate, ledger=ledger).order_by("-seq").first()
    balance = next_balance(last.balance if last else Decimal("0.00"), direction, value)
    if balance < 0:
        raise LedgerError(
            _("支出 %(amount)s 元超过当前余额 %(balance)s 元,余额不能为负。")
            % {"amount": value, "balance": last.balance if last else Decimal("0.00")}
        )
    entry = LedgerEntry(
        estate=estate,
        estate_name=estate.name,
        ledger=ledger,
        seq=last.seq + 1 if last else 1,
        date=date,
        direction=direction,
        amount=value,
        balance=balance,
        summary=summary,
        reverses=reverses,
        prev_hash=last.hash if last else GENESIS,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{name: (extra.get(name) or "").strip() for name in EXTRA_FIELDS},
    )
    entry.hash = entry_hash(entry_line(entry, reverses_seq=reverses.seq if reverses else None))
    try:
        entry.full_clean(
            exclude=["hash", "prev_hash", "posted_by", "reverses"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise LedgerError("；".join(error.messages)) from None
    entry.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=entry,
        street_id=estate.area.street_id,
        changes={
            "ledger": ledger,
            "seq": entry.seq,
            "direction": direction,
            "amount": str(value),
            "balance": str(balance),
            "hash": entry.hash,
        },
    )
    return entry


@transaction.atomic
def ledger_reverse(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a posted entry by a new opposite entry of the same amount that names it (§6)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("冲正必须写明原因。"))
    if entry.reverses_id is not None:
        raise LedgerError(_("冲正记录本身不能再冲正;如需更正,请重新登记一笔正确的记录。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("第 %(seq)d 条已经冲正过。") % {"seq": entry.seq})
    summary = _("冲正第 %(seq)d 条:%(reason)s") % {"seq": entry.seq, "reason": reason}
    return _append(
        actor=actor,
        estate=entry.estate,
        ledger=entry.ledger,
        date=timezone.localdate(),
        direction=Direction.OUT if entry.direction == Direction.IN else Direction.IN,
        amount=entry.amount,
        summary=summary[:200],
        reverses=entry,
        extra={name: getattr(entry, name) for name in EXTRA_FIELDS},
    )
