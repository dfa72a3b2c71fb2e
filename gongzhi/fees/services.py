"""Writes of the fee standards and the monthly collection (docs/DESIGN.md §4.4). Each validates everything,
checks the keeping right (``permissions.can_keep_fees``), runs in one transaction and audits.

How the registry's collection rate follows (the decision, stated here once): ``Contract.collection_rate``
("收缴率,最近一个收费年度") of the estate's active contract is set, in the same transaction and with its own
audit row, to Σcollected / Σbilled of the 12 months ending at the latest recorded month, rounded half up to
0.01 %. So the home page, the registry lists and the API all show the figure the monthly records give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.models import AuditEvent
from gongzhi.core.validators import date_window_error
from gongzhi.fees.models import FeeBasis, FeeKind, FeeStandard, FeeUnit, MonthlyCollection
from gongzhi.fees.permissions import can_keep_fees
from gongzhi.fees.rules import (
    MAX_STANDARD_PLACES,
    FeeError,
    check_collection,
    parse_money,
    percent,
    rolling_rate,
    standard_date_window,
)
from gongzhi.registry.models import Contract, Estate


@transaction.atomic
def fee_standard_create(
    *,
    actor,
    estate: Estate,
    kind: str,
    amount: Any,
    unit: str,
    effective_from: dt.date,
    basis: str,
    label: str = "",
    basis_reference: str = "",
) -> FeeStandard:
    """Record a new standard; it supersedes the one of the same item in force on its start day."""
    if not can_keep_fees(actor, estate):
        raise PermissionDenied
    if kind not in FeeKind.values:
        raise FeeError(_("未知的收费项目“%(value)s”。") % {"value": kind})
    if unit not in FeeUnit.values:
        raise FeeError(_("未知的计费单位“%(value)s”。") % {"value": unit})
    if basis not in FeeBasis.values:
        raise FeeError(_("未知的依据“%(value)s”。") % {"value": basis})
    value = parse_money(amount, label=_("收费标准"), places=MAX_STANDARD_PLACES, allow_zero=False)
    if not isinstance(effective_from, dt.date):
        raise FeeError(_("执行日期无效。"))
    earliest, latest = standard_date_window(timezone.localdate())
    if message := date_window_error(effective_from, label=_("执行日期"), earliest=earliest, latest=latest):
        raise FeeError(message)
    label = (label or "").strip()[:60]
    basis_reference = (basis_reference or "").strip()[:100]
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    same_item = FeeStandard.objects.filter(estate=estate, kind=kind, label=label)
    if same_item.filter(effective_from__gte=effective_from).exists():
        raise FeeError(
            _("该项目已有 %(day)s 或更晚执行的标准;新标准的执行日期必须晚于现行标准。")
            % {"day": f"{effective_from:%Y-%m-%d}"}
        )
    previous = same_item.order_by("-effective_from").first()
    standard = FeeStandard.objects.create(
        estate=estate,
        kind=kind,
        label=label,
        amount=value,
        unit=unit,
        effective_from=effective_from,
        basis=basis,
        basis_reference=basis_reference,
        supersedes=previous,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=standard,
        street_id=estate.area.street_id,
        changes={**snapshot(standard), "supersedes": previous.pk if previous else None},
    )
    return standard


@dataclass(frozen=True)
class CollectionInput:
    month: dt.date
    billed: Decimal
    collected: Decimal
    households_billed: int | None = None
    households_paid: int | None = None
    note: str = ""


def _write_collection(*, actor, estate: Estate, row: CollectionInput, replace: bool, today: dt.date):
    check_collection(
        month=row.month,
        billed=row.billed,
        collected=row.collected,
        households_billed=row.households_billed,
        households_paid=row.households_paid,
        today=today,
    )
    existing = MonthlyCollection.objects.select_for_update().filter(estate=estate, month=row.month).first()
    values = {
        "amount_billed": row.billed,
        "amount_collected": row.collected,
        "households_billed": row.households_billed,
        "households_paid": row.households_paid,
        "note": (row.note or "").strip()[:200],
        "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    if existing is not None:
        if not replace:
            raise FeeError(
                _("%(estate)s %(month)s 的收缴数据已经登记过;如需更正,请勾选“替换已登记的数据”。")
                % {"estate": estate.name, "month": f"{row.month:%Y-%m}"}
            )
        before = snapshot(existing)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=existing,
            street_id=estate.area.street_id,
            changes=diff(before, snapshot(existing)),
        )
        return existing
    created = MonthlyCollection.objects.create(estate=estate, month=row.month, **values)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=created,
        street_id=estate.area.street_id,
        changes=snapshot(created),
    )
    return created


def refresh_contract_rate(*, actor, estate: Estate) -> Contract | None:
    """Set the active contract's collection rate to the rolling-year rate of the records (audited)."""
    contract = (
        Contract.objects.active().select_for_update().filter(estate=estate).order_by("-start_date").first()
    )
    if contract is None:
        return None
    rows = MonthlyCollection.objects.filter(estate=estate).values_list(
        "month", "amount_billed", "amount_collected"
    )
    rate = percent(rolling_rate(rows))
    if rate is None or rate == contract.collection_rate:
        return contract
    before = contract.collection_rate
    Contract.objects.filter(pk=contract.pk).update(collection_rate=rate)
    contract.collection_rate = rate
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=contract,
        street_id=estate.area.street_id,
        changes={"collection_rate": [str(before) if before is not None else None, str(rate)]},
    )
    return contract


@transaction.atomic
def collection_record(
    *,
    actor,
    estate: Estate,
    month: dt.date,
    billed: Any,
    collected: Any,
    households_billed: int | None = None,
    households_paid: int | None = None,
    note: str = "",
    replace: bool = False,
) -> MonthlyCollection:
    """Record one month's fee collection of an estate (a duplicate month is refused unless ``replace``)."""
    if not can_keep_fees(actor, estate):
        raise PermissionDenied
    row = CollectionInput(
        month=month.replace(day=1),
        billed=parse_money(billed, label=_("应收金额"), allow_zero=False),
        collected=parse_money(collected, label=_("实收金额")),
        households_billed=households_billed,
        households_paid=households_paid,
        note=note,
    )
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    saved = _write_collection(
        actor=actor, estate=estate, row=row, replace=replace, today=timezone.localdate()
    )
    refresh_contract_rate(actor=actor, estate=estate)
    return saved


@dataclass(frozen=True)
class ImportRow:
    number: int  # the Excel row number, for error messages
    estate: Estate
    data: CollectionInput


@transaction.atomic
def collection_import(
    *, actor, rows: Sequence[ImportRow], replace: bool = False, dry_run: bool = False
) -> int:
    """Write every parsed row or none (all-or-nothing); ``dry_run`` checks everything and writes nothing.

    Raises ``FeeError`` naming the first failing row's number."""
    today = timezone.localdate()
    for row in rows:
        if not can_keep_fees(actor, row.estate):
            raise FeeError(
                _("第 %(row)d 行:您无权登记“%(estate)s”的收缴数据。")
                % {"row": row.number, "estate": row.estate.name}
            )
    savepoint = transaction.savepoint()
    try:
        for row in rows:
            try:
                _write_collection(actor=actor, estate=row.estate, row=row.data, replace=replace, today=today)
            except FeeError as error:
                raise FeeError(
                    _("第 %(row)d 行:%(message)s") % {"row": row.number, "message": error.message}
                ) from None
        for estate in {row.estate.pk: row.estate for row in rows}.values():
            refresh_contract_rate(actor=actor, estate=estate)
    except Exception:
        transaction.savepoint_rollback(savepoint)
        raise
    if dry_run:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return len(rows)
