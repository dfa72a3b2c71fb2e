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

from gongzhi.branchwork.models import Meeting, MeetingKind
from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.dates import year_month
from gongzhi.core.kept import facts_changed
from gongzhi.core.models import AuditEvent
from gongzhi.core.validators import date_window_error
from gongzhi.fees.models import (
    FeeBasis,
    FeeIntent,
    FeeKind,
    FeeProposal,
    FeeStandard,
    FeeUnit,
    GateCheck,
    GateRule,
    Initiative,
    InitiativeKind,
    MeetingOutcome,
    MonthlyCollection,
    PriceDocument,
    ProposalStatus,
    ServiceCommitment,
    StandardItem,
    _places,
)
from gongzhi.fees.permissions import (
    can_check_gate,
    can_decide_intent,
    can_edit_gate_rule,
    can_edit_intent,
    can_keep_fees,
    can_propose_fees,
    can_record_price_documents,
    can_set_fees,
    intent_side,
)
from gongzhi.fees.rules import (
    COST_LINES,
    DEFAULT_STANDARD,
    INTENT_OPEN_STATES,
    LEVELS,
    MAX_STANDARD_PLACES,
    ContractFacts,
    DecisionFacts,
    DocumentFacts,
    FeeError,
    check_collection,
    check_cost_account,
    check_fee_basis,
    check_quality_gate,
    effective_day,
    fee_matter,
    gate_open,
    initiative_problem,
    intent_next,
    parse_money,
    percent,
    rolling_rate,
    standard_date_window,
    vote_misfit,
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
            _("该项目已有 %(day)s 或更晚执行的标准；新标准的执行日期必须晚于现行标准。")
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
    facts_changed(estate.pk, "fees")
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
                _("%(estate)s %(month)s 的收缴数据已经登记过；如需更正，请勾选“替换已登记的数据”。")
                % {"estate": estate.name, "month": year_month(row.month)}
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
                _("第 %(row)d 行：您无权登记“%(estate)s”的收缴数据。")
                % {"row": row.number, "estate": row.estate.name}
            )
    savepoint = transaction.savepoint()
    try:
        for row in rows:
            try:
                _write_collection(actor=actor, estate=row.estate, row=row.data, replace=replace, today=today)
            except FeeError as error:
                raise FeeError(
                    _("第 %(row)d 行：%(message)s") % {"row": row.number, "message": error.message}
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


# ---- quality before price (先质后价): the gate's rule, the fee-adjustment intent and its steps ----------------

COST_FIELDS = (
    *COST_LINES,
    "heads_cleaning",
    "heads_greening",
    "heads_security",
    "heads_repair",
)
INTENT_FIELDS = (
    "proposed_amount",
    "effective_from",
    "reasons",
    "area",
    "income_basis",
    "collection_basis",
    *COST_FIELDS,
)


@transaction.atomic
def gate_rule_update(
    *, actor, street, min_score: Any, disclosure_months: int, meeting_within_days: int
) -> GateRule:
    """Set the street's quality-gate thresholds (the street admin); the defaults stay in ``rules.GateSettings``."""
    if not can_edit_gate_rule(actor, street.pk):
        raise PermissionDenied
    score = parse_money(min_score, label=_("测评综合得分门槛"), places=2)
    if score > 100:
        raise FeeError(_("测评综合得分门槛不能超过 100 分。"))
    if not 1 <= int(disclosure_months) <= 36:
        raise FeeError(_("连续公示月数必须在 1 到 36 之间。"))
    if not 30 <= int(meeting_within_days) <= 730:
        raise FeeError(_("议价会议间隔必须在 30 到 730 天之间。"))
    rule, created = GateRule.objects.select_for_update().get_or_create(street=street)
    before = {} if created else snapshot(rule)
    rule.min_score = score
    rule.disclosure_months = int(disclosure_months)
    rule.meeting_within_days = int(meeting_within_days)
    rule.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    rule.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=rule,
        street_id=street.pk,
        changes=snapshot(rule) if created else diff(before, snapshot(rule)),
    )
    return rule


def _intent_values(values: dict[str, Any]) -> dict[str, Any]:
    """The intent's fields checked and made exact: amounts as Decimal, texts trimmed."""
    clean: dict[str, Any] = {}
    clean["proposed_amount"] = parse_money(
        values.get("proposed_amount"), label=_("拟调整标准"), places=MAX_STANDARD_PLACES, allow_zero=False
    )
    day = values.get("effective_from")
    if not isinstance(day, dt.date):
        raise FeeError(_("拟执行日期无效。"))
    earliest, latest = standard_date_window(timezone.localdate())
    if message := date_window_error(
        day, label=_("拟执行日期"), earliest=max(earliest, timezone.localdate()), latest=latest
    ):
        raise FeeError(message)
    clean["effective_from"] = day
    reasons = (values.get("reasons") or "").strip()
    if not reasons:
        raise FeeError(_("请填写调价理由。"))
    clean["reasons"] = reasons[:3000]
    for name, label in (("area", _("收费面积")), ("income_basis", _("年度物业费应收收入"))):
        raw = values.get(name)
        clean[name] = None if raw in (None, "") else parse_money(raw, label=label, allow_zero=False)
    raw = values.get("collection_basis")
    clean["collection_basis"] = (
        None if raw in (None, "") else parse_money(raw, label=_("收缴率"), allow_zero=False)
    )
    if clean["collection_basis"] is not None and clean["collection_basis"] > 100:
        raise FeeError(_("收缴率不能超过 100%。"))
    for name in COST_FIELDS:
        clean[name] = parse_money(
            values.get(name) or "0", label=_field_label(name), places=1 if name.startswith("heads_") else 2
        )
    return clean


def _field_label(name: str) -> str:
    field = FeeIntent._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _audit_intent(actor, intent: FeeIntent, changes: dict, action=AuditEvent.Action.UPDATE) -> None:
    audit_record(
        actor=actor, action=action, obj=intent, street_id=intent.estate.area.street_id, changes=changes
    )


def _locked_intent(intent: FeeIntent) -> FeeIntent:
    return FeeIntent.objects.select_for_update().select_related("estate__area").get(pk=intent.pk)


def _move(actor, intent: FeeIntent, action: str, reason: str = "", **fields: Any) -> FeeIntent:
    """Move ``intent`` by ``action`` (``rules.INTENT_TRANSITIONS``), save ``fields`` with it, audit the step."""
    target = intent_next(intent.status, action)
    before = snapshot(intent)
    intent.status = target
    for name, value in fields.items():
        setattr(intent, name, value)
    if target in {"effective", "rejected", "withdrawn"}:
        intent.closed_at = timezone.now()
    intent.save()
    changes = {"step": action, **diff(before, snapshot(intent))}
    if reason:
        changes["reason"] = reason
    _audit_intent(actor, intent, changes)
    return intent


def _residential_in_force(estate: Estate) -> FeeStandard | None:
    return (
        FeeStandard.objects.filter(
            estate=estate, kind=FeeKind.PROPERTY_RESIDENTIAL, effective_from__lte=timezone.localdate()
        )
        .order_by("-effective_from", "label")
        .first()
    )


@transaction.atomic
def fee_intent_create(*, actor, estate: Estate, **values: Any) -> FeeIntent:
    """Open a fee-adjustment intent (a draft) for the estate's residential property fee: the owners' committee,
    the managing company or the street admin. One open intent per estate."""
    side = intent_side(actor, estate)
    if side is None:
        raise PermissionDenied
    clean = _intent_values(values)
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    if FeeIntent.objects.filter(estate=estate, status__in=INTENT_OPEN_STATES).exists():
        raise FeeError(_("本小区已有一项进行中的调价意向，请先办结或撤回。"))
    current = _residential_in_force(estate)
    intent = FeeIntent.objects.create(
        estate=estate,
        opened_as=side,
        label=current.label if current else "",
        current_amount=current.amount if current else None,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    _audit_intent(actor, intent, snapshot(intent), action=AuditEvent.Action.CREATE)
    return intent


@transaction.atomic
def fee_intent_update(*, actor, intent: FeeIntent, **values: Any) -> FeeIntent:
    """Change a draft intent's standard, reasons or cost account (the side that opened it)."""
    intent = _locked_intent(intent)
    if not can_edit_intent(actor, intent):
        raise PermissionDenied
    if intent.status != "draft":
        raise FeeError(_("调价意向提交后不能再修改；如需修改，请撤回后重新提出。"))
    clean = _intent_values(values)
    before = snapshot(intent)
    for name, value in clean.items():
        setattr(intent, name, value)
    intent.save()
    _audit_intent(actor, intent, diff(before, snapshot(intent)))
    return intent


@transaction.atomic
def fee_intent_submit(*, actor, intent: FeeIntent) -> FeeIntent:
    """Submit a draft: the cost account must be complete (``rules.check_cost_account``)."""
    intent = _locked_intent(intent)
    if not can_edit_intent(actor, intent):
        raise PermissionDenied
    check_cost_account(
        lines={name: getattr(intent, name) for name in COST_LINES},
        area=intent.area,
        income=intent.income_basis,
        collection=intent.collection_basis,
    )
    return _move(actor, intent, "submit", submitted_at=timezone.now())


@transaction.atomic
def fee_intent_check_gate(*, actor, intent: FeeIntent, today: dt.date | None = None) -> GateCheck:
    """Check the quality gate on today's records and keep the result; an open gate moves the intent on to the
    price meeting, a closed one keeps it at the gate (it may be checked again after rectification)."""
    from gongzhi.fees.selectors import gate_evidence, gate_settings

    intent = _locked_intent(intent)
    if not can_check_gate(actor, intent):
        raise PermissionDenied
    day = today or timezone.localdate()
    rule = gate_settings(intent.estate.area.street_id)
    evidence = gate_evidence(intent.estate, today=day, months=rule.disclosure_months)
    conditions = check_quality_gate(evidence.facts, today=day, settings=rule)
    is_open = gate_open(conditions)
    _move(actor, intent, "gate_passed" if is_open else "gate_failed")
    check = GateCheck.objects.create(
        intent=intent,
        checked_on=day,
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
        open=is_open,
        conditions=[
            {"key": c.key, "label": c.label, "met": c.met, "evidence": c.evidence} for c in conditions
        ],
        settings={
            "min_score": str(rule.min_score),
            "disclosure_months": rule.disclosure_months,
            "meeting_within_days": rule.meeting_within_days,
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=check,
        street_id=intent.estate.area.street_id,
        changes={"intent": intent.pk, "open": is_open, "unmet": [c.key for c in conditions if not c.met]},
    )
    return check


def _check_price_meeting(intent: FeeIntent, meeting: Meeting) -> None:
    if meeting.kind != MeetingKind.PRICE:
        raise FeeError(_("所选会议不是议价会议。"))
    if meeting.cancelled:
        raise FeeError(_("所选议价会议已取消。"))
    if not meeting.estates.filter(pk=intent.estate_id).exists():
        raise FeeError(_("所选议价会议不涉及本小区。"))
    if meeting.starts_at > timezone.now():
        raise FeeError(_("所选议价会议还没有召开。"))
    if intent.submitted_at and timezone.localdate(meeting.starts_at) < timezone.localdate(
        intent.submitted_at
    ):
        raise FeeError(_("所选议价会议早于调价意向的提交日期，不能作为本次议价。"))


@transaction.atomic
def fee_intent_record_meeting(
    *,
    actor,
    intent: FeeIntent,
    meeting: Meeting,
    committee_position: str,
    outcome: str,
    agreed_amount: Any = None,
    note: str = "",
) -> FeeIntent:
    """Record the price meeting (议价会议) of an intent past the gate: the meeting record, the committee's
    position and the outcome. Agreement produces the proposal (a ``FeeProposal`` for the agreed standard) that
    the owners then decide on; no agreement ends the intent as 未通过 (the company may open a new one)."""
    intent = _locked_intent(intent)
    if not can_decide_intent(actor, intent):
        raise PermissionDenied
    if intent.outcome:
        raise FeeError(_("议价结果已经登记过。"))
    if outcome not in MeetingOutcome.values:
        raise FeeError(_("请选择议价结果。"))
    position = (committee_position or "").strip()
    if not position:
        raise FeeError(_("请填写业委会在议价会议上的意见。"))
    _check_price_meeting(intent, meeting)
    note = (note or "").strip()[:3000]
    if outcome == MeetingOutcome.NO_AGREEMENT:
        return _move(
            actor,
            intent,
            "no_agreement",
            meeting=meeting,
            committee_position=position[:3000],
            outcome=outcome,
            outcome_note=note,
            closing_reason=_("议价会议未达成一致。"),
        )
    amount = parse_money(agreed_amount, label=_("议定标准"), places=MAX_STANDARD_PLACES, allow_zero=False)
    proposal = fee_proposal_create(
        actor=actor,
        estate=intent.estate,
        kind=FeeKind.PROPERTY_RESIDENTIAL,
        label=intent.label,
        amount=amount,
        unit=FeeUnit.PER_M2_MONTH,
        effective_from=intent.effective_from,
        reasons=_("议价会议“%(meeting)s”议定。%(note)s") % {"meeting": meeting.title, "note": note},
    )
    return _move(
        actor,
        intent,
        "agreed",
        meeting=meeting,
        committee_position=position[:3000],
        outcome=outcome,
        agreed_amount=amount,
        outcome_note=note,
        proposal=proposal,
    )


def decision_text(intent: FeeIntent) -> str:
    """The full text of the owners' decision opened from an intent: what changes, from when, on what grounds."""
    current = f"{intent.current_amount.normalize():f}" if intent.current_amount is not None else "—"
    return _(
        "住宅物业费标准由每月每平方米 %(current)s 元调整为 %(agreed)s 元，自 %(day)s 起执行。"
        "依据：%(meeting)s议定的结果；物业服务企业的成本测算与质量门槛（先质后价）核查结果已公示。"
        "本事项属于《民法典》第二百七十八条第一款第（四）项，由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
        "经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。"
    ) % {
        "current": current,
        "agreed": _places(intent.agreed_amount or intent.proposed_amount),
        "day": f"{intent.effective_from:%Y-%m-%d}",
        "meeting": intent.meeting.title if intent.meeting else "",
    }


@transaction.atomic
def fee_intent_open_vote(
    *, actor, intent: FeeIntent, opens_at: dt.datetime, closes_at: dt.datetime
) -> Decision:
    """Open the owners' decision on the agreed standard in the voting app (a draft the committee then
    publishes there): art. 278 matter (4) for the property fee (``rules.fee_matter``), by voting's own service."""
    from gongzhi.voting.services import decision_create

    intent = _locked_intent(intent)
    if not can_decide_intent(actor, intent):
        raise PermissionDenied
    if intent.outcome != MeetingOutcome.AGREED or intent.proposal_id is None:
        raise FeeError(_("议价会议达成一致后才能发起业主表决。"))
    decision = decision_create(
        actor=actor,
        estate=intent.estate,
        title=_("调整住宅物业费标准（%(amount)s 元/m²/月）")
        % {"amount": _places(intent.agreed_amount or intent.proposed_amount)},
        matter=fee_matter(FeeKind.PROPERTY_RESIDENTIAL),
        text=decision_text(intent),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    _move(actor, intent, "vote", decision=decision)
    return decision


@transaction.atomic
def fee_intent_conclude(*, actor, intent: FeeIntent) -> FeeIntent:
    """After the owners' decision is counted: passed → the agreed standard takes effect through
    ``fee_standard_create`` on the linked decision (the basis rule checks it again); failed → 未通过, kept
    with its gate checks and its meeting."""
    intent = _locked_intent(intent)
    if not can_decide_intent(actor, intent):
        raise PermissionDenied
    if intent.status != "vote" or intent.decision_id is None:
        raise FeeError(_("调价意向尚未进入业主表决。"))
    decision = Decision.objects.select_related("estate__area").get(pk=intent.decision_id)
    facts = decision_facts(decision)
    misfit = vote_misfit(facts, estate_id=intent.estate_id)
    if misfit and not facts.counted:
        # the draft was changed in the voting app: waiting for its count could never make the standard
        return _release_vote(actor, intent, misfit)
    if not facts.counted:
        raise FeeError(_("业主表决尚未截止计票。"))
    if misfit:
        return _move(
            actor, intent, "failed", closing_reason=(_("表决事项不能作为调价依据：") + misfit)[:1000]
        )
    if facts.passed is not True:
        return _move(actor, intent, "failed", closing_reason=_("业主表决未获通过。"))
    day = effective_day(intent.effective_from, facts.closed_on or timezone.localdate())
    standard = fee_standard_create(
        actor=actor,
        estate=intent.estate,
        kind=FeeKind.PROPERTY_RESIDENTIAL,
        label=intent.label,
        amount=intent.agreed_amount,
        unit=FeeUnit.PER_M2_MONTH,
        effective_from=day,
        basis=FeeBasis.OWNERS_ASSEMBLY,
        basis_reference=(
            _("议价会议：%(title)s") % {"title": intent.meeting.title} if intent.meeting else ""
        )[:100],
        basis_decision=decision,
        proposal=intent.proposal,
    )
    return _move(actor, intent, "passed", standard=standard)


def _release_vote(actor, intent: FeeIntent, reason: str) -> FeeIntent:
    """Unlink a decision that no longer fits (``rules.vote_misfit``): the intent goes back to its agreed price
    meeting, so the committee can open a new vote of the right matter (and delete the old draft in voting)."""
    return _move(actor, intent, "release_vote", reason=reason, decision=None)


@transaction.atomic
def fee_intent_follow_decision(*, actor, intent: FeeIntent) -> FeeIntent:
    """Let an intent at 业主表决 follow its linked decision: counted → concluded (passed or failed); changed so
    that it can no longer make the standard (matter, buildings, estate) → released back to the meeting or,
    once counted, closed as 未通过; otherwise nothing changes. Called by the committee's conclude button and by
    the intent page; never leaves an intent waiting on a decision that cannot decide it."""
    if intent.status != "vote" or intent.decision_id is None:
        return intent
    decision = Decision.objects.get(pk=intent.decision_id)
    facts = decision_facts(decision)
    if facts.counted or vote_misfit(facts, estate_id=intent.estate_id):
        return fee_intent_conclude(actor=actor, intent=intent)
    return intent


@transaction.atomic
def fee_intent_withdraw(*, actor, intent: FeeIntent, reason: str) -> FeeIntent:
    """The side that opened an intent withdraws it, with a reason (not once the owners are voting: a decision
    in progress is the voting app's to cancel or count)."""
    intent = _locked_intent(intent)
    if not can_edit_intent(actor, intent):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise FeeError(_("请填写撤回的理由。"))
    if intent.status == "vote":
        raise FeeError(_("业主表决已经发起，调价意向不能撤回；请等待表决结果。"))
    return _move(actor, intent, "withdraw", closing_reason=reason[:1000])


@transaction.atomic
def fee_intent_reject(*, actor, intent: FeeIntent, reason: str) -> FeeIntent:
    """The owners' committee or the street admin declines an intent before the vote, with a reason."""
    intent = _locked_intent(intent)
    if not can_decide_intent(actor, intent):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise FeeError(_("请填写不同意的理由。"))
    return _move(actor, intent, "reject", closing_reason=reason[:1000])


# ---- initiative (主动提升, docs/FEES.md §10) --------------------------------------------------------------------


@transaction.atomic
def initiative_record(
    *,
    actor,
    company,
    kind: str,
    done_on: dt.date | None,
    summary: str,
    evidence: str,
    asked_on: dt.date | None = None,
    estate: Estate | None = None,
    today: dt.date | None = None,
) -> Initiative:
    """The street admin records that a company improved its four services or disclosed its service items, with the
    day, the evidence and — when the street had asked for it — the day it asked (then it is recorded but does not
    count as initiative: ``rules.is_initiative``)."""
    if not can_record_price_documents(actor, company.street_id):
        raise PermissionDenied
    if kind not in InitiativeKind.values:
        raise FeeError(_("请选择类别。"))
    if estate is not None and estate.area.street_id != company.street_id:
        raise FeeError(_("该小区不在本街道。"))
    summary, evidence = (summary or "").strip(), (evidence or "").strip()
    problem = initiative_problem(
        done_on=done_on,
        asked_on=asked_on,
        evidence=evidence,
        summary=summary,
        today=today or timezone.localdate(),
    )
    if problem:
        raise FeeError(problem)
    if len(summary) > 200 or len(evidence) > 2000:
        raise FeeError(_("“做了什么”不超过 200 字，佐证不超过 2000 字。"))
    assert done_on is not None  # initiative_problem refuses a missing day
    row = Initiative.objects.create(
        company=company,
        estate=estate,
        kind=kind,
        done_on=done_on,
        asked_on=asked_on,
        summary=summary,
        evidence=evidence,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=row,
        street_id=company.street_id,
        changes=snapshot(row),
    )
    return row


# ---- the four services standard (四保标准, docs/FEES.md §9) -----------------------------------------------------


@transaction.atomic
def service_standard_load_defaults(*, actor, street) -> int:
    """The street admin starts the street's standard from the platform's defaults (``rules.DEFAULT_STANDARD``):
    the items of every level the street does not have yet; existing items are left as the street set them."""
    if not can_record_price_documents(actor, street.pk):
        raise PermissionDenied
    have = set(StandardItem.objects.filter(street=street).values_list("level", "code"))
    made = 0
    for code, service, title, measure, unit, values in DEFAULT_STANDARD:
        for level, required in zip(LEVELS, values, strict=True):
            if (level, code) in have:
                continue
            item = StandardItem.objects.create(
                street=street,
                service=service,
                level=level,
                code=code,
                title=title,
                measure=measure,
                unit=unit,
                required=Decimal(required),
            )
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=item,
                street_id=street.pk,
                changes=snapshot(item),
            )
            made += 1
    return made


@transaction.atomic
def service_standard_item_update(*, actor, item: StandardItem, required: Any) -> StandardItem:
    """The street admin sets one item's requirement (a positive number, at most two decimals)."""
    item = StandardItem.objects.select_for_update().get(pk=item.pk)
    if not can_record_price_documents(actor, item.street_id):
        raise PermissionDenied
    value = parse_money(required, label=_("要求"), allow_zero=False)
    if value >= 10**6:
        raise FeeError(_("要求过大。"))
    before = snapshot(item)
    item.required = value
    item.save(update_fields=["required"])
    changes = diff(before, snapshot(item))
    if changes:
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=item, street_id=item.street_id, changes=changes
        )
    return item


@transaction.atomic
def commitments_set(*, actor, estate: Estate, values: dict[str, Any]) -> int:
    """The managing company (or the street admin) publishes its commitment item by item: ``values`` maps an item
    code of the street's standard to a number (empty removes the commitment). All or nothing: one bad value and
    nothing is written."""
    if not can_keep_fees(actor, estate):
        raise PermissionDenied
    street_id = estate.area.street_id
    codes = set(StandardItem.objects.filter(street_id=street_id).values_list("code", flat=True))
    parsed: dict[str, Decimal | None] = {}
    value: Decimal | None
    for code, raw in values.items():
        if code not in codes:
            raise FeeError(_("标准中没有编号为“%(code)s”的项目。") % {"code": code})
        text = str(raw if raw is not None else "").strip()
        if not text:
            parsed[code] = None
            continue
        value = parse_money(text, label=code)
        if value >= 10**6:
            raise FeeError(_("%(code)s：承诺过大。") % {"code": code})
        parsed[code] = value
    existing = {c.code: c for c in ServiceCommitment.objects.select_for_update().filter(estate=estate)}
    changed = 0
    for code, value in parsed.items():
        row = existing.get(code)
        if value is None:
            if row is not None:
                audit_record(
                    actor=actor,
                    action=AuditEvent.Action.DELETE,
                    obj=row,
                    street_id=street_id,
                    changes=snapshot(row),
                )
                row.delete()
                changed += 1
            continue
        if row is not None and row.value == value:
            continue
        before = snapshot(row) if row else {}
        row = row or ServiceCommitment(estate=estate, code=code)
        row.value, row.updated_by, row.updated_at = value, actor, timezone.now()
        row.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
            obj=row,
            street_id=street_id,
            changes=diff(before, snapshot(row)),
        )
        changed += 1
    return changed
