"""Writes of the fee standards, proposals, price documents and the monthly collection (docs/DESIGN.md §4.4,
docs/FEES.md). Each validates everything, checks the right (``permissions.can_set_fees`` for standards,
``can_keep_fees`` for the collection), runs in one transaction and audits.

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
from gongzhi.fees.models import (
    FeeBasis,
    FeeKind,
    FeeProposal,
    FeeStandard,
    FeeUnit,
    MonthlyCollection,
    PriceDocument,
    ProposalStatus,
)
from gongzhi.fees.permissions import can_keep_fees, can_propose_fees, can_record_price_documents, can_set_fees
from gongzhi.fees.rules import (
    MAX_STANDARD_PLACES,
    ContractFacts,
    DecisionFacts,
    DocumentFacts,
    FeeError,
    check_collection,
    check_fee_basis,
    parse_money,
    percent,
    rolling_rate,
    standard_date_window,
)
from gongzhi.registry.models import Contract, Estate, OwnersCommittee
from gongzhi.voting.models import Decision, DecisionStatus

COMPANY_MAY_NOT_SET = _(
    "物业服务企业不能自行设定或调整收费标准。收费标准只能由业委会或街道依据已通过的业主共同决定、"
    "业委会签订的物业服务合同或政府价格文件确定；贵公司可以提出收费标准建议。"
)
COUNTED_STATUSES = frozenset({DecisionStatus.CLOSED, DecisionStatus.PRELIMINARY, DecisionStatus.FINAL})


def decision_facts(decision: Decision) -> DecisionFacts:
    closed = decision.closed_at or decision.closes_at
    return DecisionFacts(
        estate_id=decision.estate_id,
        title=decision.title,
        matter=decision.matter,
        counted=decision.status in COUNTED_STATUSES and decision.result is not None,
        passed=decision.passed,
        whole_estate=not decision.buildings.exists(),
        closed_on=timezone.localdate(closed) if closed else None,
    )


def contract_facts(contract: Contract) -> ContractFacts:
    in_office = OwnersCommittee.objects.filter(
        estate_id=contract.estate_id, term_start__lte=contract.start_date, term_end__gte=contract.start_date
    ).exists()
    return ContractFacts(
        estate_id=contract.estate_id,
        start=contract.start_date,
        end=contract.end_date,
        fee_standard=contract.fee_standard,
        committee_in_office=in_office,
    )


def document_facts(document: PriceDocument, estate: Estate) -> DocumentFacts:
    return DocumentFacts(
        number=document.number,
        covers_estate=document.estates.filter(pk=estate.pk).exists(),
        kind=document.kind,
        unit=document.unit,
        issued_on=document.issued_on,
        low=document.low,
        high=document.high,
    )


def _standard_input(*, kind: str, unit: str, amount: Any, effective_from: Any) -> Decimal:
    if kind not in FeeKind.values:
        raise FeeError(_("未知的收费项目“%(value)s”。") % {"value": kind})
    if unit not in FeeUnit.values:
        raise FeeError(_("未知的计费单位“%(value)s”。") % {"value": unit})
    value = parse_money(amount, label=_("收费标准"), places=MAX_STANDARD_PLACES, allow_zero=False)
    if not isinstance(effective_from, dt.date):
        raise FeeError(_("执行日期无效。"))
    earliest, latest = standard_date_window(timezone.localdate())
    if message := date_window_error(effective_from, label=_("执行日期"), earliest=earliest, latest=latest):
        raise FeeError(message)
    return value


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
    basis_decision: Decision | None = None,
    basis_contract: Contract | None = None,
    basis_document: PriceDocument | None = None,
    proposal: FeeProposal | None = None,
) -> FeeStandard:
    """Set a new standard on a checked basis (``rules.check_fee_basis``); it supersedes the one of the same
    item in force on its start day. Only the owners' committee or the street admin sets; a company is refused
    (it may propose: ``fee_proposal_create``). ``proposal``, if given, is adopted by this standard."""
    if not can_set_fees(actor, estate):
        if can_propose_fees(actor, estate):
            raise FeeError(COMPANY_MAY_NOT_SET)
        raise PermissionDenied
    if basis not in FeeBasis.values:
        raise FeeError(_("未知的依据“%(value)s”。") % {"value": basis})
    value = _standard_input(kind=kind, unit=unit, amount=amount, effective_from=effective_from)
    label = (label or "").strip()[:60]
    basis_reference = (basis_reference or "").strip()[:100]
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    check_fee_basis(
        estate_id=estate.pk,
        kind=kind,
        unit=unit,
        amount=value,
        effective_from=effective_from,
        basis=basis,
        decision=decision_facts(basis_decision) if basis_decision is not None else None,
        contract=contract_facts(basis_contract) if basis_contract is not None else None,
        document=document_facts(basis_document, estate) if basis_document is not None else None,
    )
    if proposal is not None:
        proposal = FeeProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_adoption(proposal, estate=estate, kind=kind, label=label, unit=unit, amount=value)
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
        basis_decision=basis_decision,
        basis_contract=basis_contract,
        basis_document=basis_document,
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
    if proposal is not None:
        proposal.status = ProposalStatus.ADOPTED
        proposal.standard = standard
        proposal.save(update_fields=["status", "standard"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=proposal,
            street_id=estate.area.street_id,
            changes={
                "status": [ProposalStatus.PROPOSED, ProposalStatus.ADOPTED],
                "standard": [None, standard.pk],
            },
        )
    return standard


def _check_adoption(
    proposal: FeeProposal, *, estate: Estate, kind: str, label: str, unit: str, amount: Decimal
) -> None:
    if proposal.estate_id != estate.pk:
        raise FeeError(_("所选建议不是本小区的。"))
    if proposal.status != ProposalStatus.PROPOSED:
        raise FeeError(_("该建议已经处理过。"))
    if (proposal.kind, proposal.label, proposal.unit, proposal.amount) != (kind, label, unit, amount):
        raise FeeError(_("确定的收费项目、细目、计费单位和标准须与建议一致；不一致时请另行登记。"))


@transaction.atomic
def fee_proposal_create(
    *,
    actor,
    estate: Estate,
    kind: str,
    amount: Any,
    unit: str,
    effective_from: dt.date,
    reasons: str,
    label: str = "",
) -> FeeProposal:
    """Propose a standard (the company's way to ask for a fee change); it changes nothing until adopted."""
    if not can_propose_fees(actor, estate):
        raise PermissionDenied
    value = _standard_input(kind=kind, unit=unit, amount=amount, effective_from=effective_from)
    reasons = (reasons or "").strip()
    if not reasons:
        raise FeeError(_("请填写建议的理由。"))
    proposal = FeeProposal.objects.create(
        estate=estate,
        kind=kind,
        label=(label or "").strip()[:60],
        amount=value,
        unit=unit,
        effective_from=effective_from,
        reasons=reasons[:2000],
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=proposal,
        street_id=estate.area.street_id,
        changes=snapshot(proposal),
    )
    return proposal


@transaction.atomic
def price_document_create(
    *,
    actor,
    street,
    issuer: str,
    number: str,
    title: str,
    issued_on: dt.date,
    kind: str,
    unit: str,
    level: str,
    low: Any,
    high: Any,
    estates: Sequence[Estate],
) -> PriceDocument:
    """Record a government price document and the estates under its guided pricing (the street admin)."""
    if not can_record_price_documents(actor, street.pk):
        raise PermissionDenied
    if kind not in FeeKind.values or unit not in FeeUnit.values:
        raise FeeError(_("未知的收费项目或计费单位。"))
    low_value = parse_money(low, label=_("指导价下限"), places=MAX_STANDARD_PLACES, allow_zero=False)
    high_value = parse_money(high, label=_("指导价上限"), places=MAX_STANDARD_PLACES, allow_zero=False)
    if high_value < low_value:
        raise FeeError(_("指导价上限不能低于下限。"))
    texts = {"issuer": issuer, "number": number, "title": title, "level": level}
    if any(not (value or "").strip() for value in texts.values()):
        raise FeeError(_("请填写发文机关、文号、文件名称和指导价等级。"))
    if any(estate.area.street_id != street.pk for estate in estates):
        raise FeeError(_("价格文件只能适用于本街道的小区。"))
    document = PriceDocument.objects.create(
        street=street,
        issuer=issuer.strip()[:60],
        number=number.strip()[:60],
        title=title.strip()[:120],
        issued_on=issued_on,
        kind=kind,
        unit=unit,
        level=level.strip()[:30],
        low=low_value,
        high=high_value,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.estates.set(estates)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=document,
        street_id=street.pk,
        changes={**snapshot(document), "estates": sorted(e.pk for e in estates)},
    )
    return document


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
