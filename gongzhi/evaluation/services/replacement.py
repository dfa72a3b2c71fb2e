"""The replacement after elimination (优胜劣汰) at one referred estate: the owners' decision to dismiss and hire
(《民法典》第二百七十八条第一款第（四）项, opened in the voting app by its own service), its counted outcome, the
owners' committee's choice of company with a reason, and the new contract in the registry (through the
registry's service) taking over the day after the old one ends — never a day without a company. The stage
machine and the continuity rule are pure functions in ``evaluation/replacement.py``.

Every step is atomic and audited; a refusal is an ``EvaluationError`` and nothing is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.dates import long_date
from gongzhi.core.errors import UserError
from gongzhi.core.legal import civil_code_278_item
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions
from gongzhi.evaluation import replacement as rules
from gongzhi.evaluation.models import OwnersDecisionReferral, Replacement
from gongzhi.evaluation.services.common import EvaluationError, _today
from gongzhi.registry.models import Company, Contract

COUNTED = ("closed", "preliminary", "final")


def replacement_for(referral: OwnersDecisionReferral) -> Replacement:
    """The replacement record of a referral (made with the referral; made here for older referrals)."""
    replacement, _created = Replacement.objects.get_or_create(referral=referral)
    return replacement


def _locked(replacement: Replacement) -> Replacement:
    return (
        Replacement.objects.select_for_update()
        .select_related("referral__estate__area", "referral__company", "referral__elimination")
        .get(pk=replacement.pk)
    )


def facts(replacement: Replacement) -> rules.ReplacementFacts:
    start = None
    if replacement.new_contract_id is not None:
        start = replacement.new_contract.start_date
    return rules.ReplacementFacts(
        vote_opened=replacement.decision_id is not None,
        outcome=replacement.outcome_passed,
        chosen=replacement.chosen_company_id is not None,
        contract_start=start,
    )


def stage_of(replacement: Replacement, today: dt.date | None = None) -> str:
    return rules.stage(facts(replacement), _today(today))


def _require_step(replacement: Replacement, action: str, today: dt.date | None) -> None:
    current = stage_of(replacement, today)
    if not rules.may(action, current):
        raise EvaluationError(
            _("当前阶段“%(s)s”下不能进行这一步。") % {"s": str(rules.STAGE_LABELS.get(current, current))}
        )


def _audit(actor, replacement: Replacement, step: str, changes: dict) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=replacement,
        street_id=replacement.referral.elimination.street_id,
        object_label=f"{replacement.referral.estate.name} · {replacement.referral.company.name}",
        changes={"step": step, **changes},
    )


def vote_text(replacement: Replacement) -> str:
    referral = replacement.referral
    return _(
        "经街道物业服务末尾淘汰（%(elimination)s）审定，%(company)s 被列为淘汰企业。提请业主共同决定："
        "解聘 %(company)s，并由业主委员会按业主大会的决定选聘新的物业服务企业（街道公布的标杆企业优先推荐）。"
        "原企业在新企业接管前继续提供服务，不留空档。"
        "本事项属于%(citation)s，由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
        "经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。"
    ) % {
        "elimination": referral.elimination.name,
        "company": referral.company.name,
        "citation": civil_code_278_item(rules.MATTER),
    }


@transaction.atomic
def replacement_open_vote(
    *, actor, replacement: Replacement, opens_at: dt.datetime, closes_at: dt.datetime, today=None
):
    """Open the owners' decision to dismiss and hire (art. 278 matter 4) in the voting app, by its own
    service (a draft the committee publishes there), and link it. The committee opens it (the street admin
    only where no committee sits: voting's own rule)."""
    from gongzhi.voting.services import decision_create

    replacement = _locked(replacement)
    estate = replacement.referral.estate
    if not permissions.may_open_replacement_vote(actor, estate):
        raise PermissionDenied
    _require_step(replacement, "open_vote", today)
    try:
        decision = decision_create(
            actor=actor,
            estate=estate,
            title=_("解聘%(company)s并选聘新的物业服务企业") % {"company": replacement.referral.company.name},
            matter=rules.MATTER,
            text=vote_text(replacement),
            opens_at=opens_at,
            closes_at=closes_at,
        )
    except UserError as exc:
        raise EvaluationError(exc.message) from exc
    replacement.decision = decision
    replacement.save(update_fields=["decision"])
    _audit(actor, replacement, "open_vote", {"decision": decision.pk, "matter": rules.MATTER})
    return decision


@transaction.atomic
def replacement_record_outcome(*, actor, replacement: Replacement, today=None) -> Replacement:
    """Record the counted result of the linked decision: passed → the committee chooses a company;
    failed → the estate keeps its company (recorded, the end). ``actor`` None is the system, when the vote
    is counted (``follow_counted_decision``); a user must be the committee or the street admin."""
    from gongzhi.voting.models import Decision

    replacement = _locked(replacement)
    estate = replacement.referral.estate
    if actor is not None and not permissions.may_record_replacement_outcome(actor, estate):
        raise PermissionDenied
    _require_step(replacement, "record_outcome", today)
    decision = Decision.objects.get(pk=replacement.decision_id)
    error = rules.outcome_error(
        matter=decision.matter,
        same_estate=decision.estate_id == estate.pk,
        counted=decision.status in COUNTED and decision.result is not None,
        passed=decision.passed,
    )
    if error:
        raise EvaluationError(error)
    replacement.outcome_passed = bool(decision.passed)
    replacement.outcome_recorded_at = timezone.now()
    replacement.save(update_fields=["outcome_passed", "outcome_recorded_at"])
    _audit(
        actor, replacement, "record_outcome", {"decision": decision.pk, "passed": replacement.outcome_passed}
    )
    return replacement


def follow_counted_decision(sender, *, decision, **kwargs) -> None:
    """voting.signals.decision_counted: a replacement waiting on this decision takes its counted result at once,
    in the closing transaction (the committee no longer has to press 登记表决结果). A replacement that cannot
    take it (another matter, another estate: ``rules.outcome_error``) stays at 业主表决中 and its page says why;
    the count itself is never refused because of it."""
    for replacement in Replacement.objects.filter(decision_id=decision.pk, outcome_passed__isnull=True):
        try:
            with transaction.atomic():
                replacement_record_outcome(actor=None, replacement=replacement)
        except EvaluationError:
            continue


@transaction.atomic
def replacement_choose(
    *, actor, replacement: Replacement, company: Company | None, reason: str, today=None
) -> Replacement:
    """The owners' committee records the company it chose, with a reason (a company of the street, not the
    dismissed one)."""
    replacement = _locked(replacement)
    referral = replacement.referral
    if not permissions.may_choose_company(actor, referral.estate):
        raise PermissionDenied
    _require_step(replacement, "choose", today)
    reason = (reason or "").strip()
    error = rules.choice_error(
        chosen_company_id=getattr(company, "pk", None),
        dismissed_company_id=referral.company_id,
        reason=reason,
    )
    if error:
        raise EvaluationError(error)
    assert company is not None
    if company.street_id != referral.elimination.street_id:
        raise EvaluationError(_("请选择本街道登记的物业服务企业。"))
    before = replacement.chosen_company.name if replacement.chosen_company_id else ""
    replacement.chosen_company = company
    replacement.choice_reason = reason[:1000]
    replacement.chosen_by = actor
    replacement.chosen_at = timezone.now()
    replacement.save(update_fields=["chosen_company", "choice_reason", "chosen_by", "chosen_at"])
    _audit(
        actor,
        replacement,
        "choose",
        {"company": [before, company.name] if before else company.name, "reason": replacement.choice_reason},
    )
    return replacement


def _old_contract(replacement: Replacement) -> Contract | None:
    referral = replacement.referral
    return (
        Contract.objects.filter(estate_id=referral.estate_id, company_id=referral.company_id)
        .order_by("-end_date", "-pk")
        .first()
    )


def _fee(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise EvaluationError(_("物业费标准请填写数字，例如 1.20。")) from None
    if not value.is_finite() or value <= 0 or value >= Decimal("10000"):
        raise EvaluationError(_("物业费标准必须大于 0。"))
    if value != value.quantize(Decimal("0.01")):
        raise EvaluationError(_("物业费标准最多两位小数。"))
    return value


@transaction.atomic
def replacement_contract(
    *,
    actor,
    replacement: Replacement,
    start_date: dt.date,
    end_date: dt.date,
    fee_standard,
    service_level: str = "",
    today=None,
) -> Contract:
    """The street admin records the new contract the committee signed with the chosen company (registry
    service ``record_create``), and the old contract is cut to end the day before (``record_update``); the
    estate's contracts are then checked for a day without a company (``rules.coverage_gaps``) and any gap
    refuses the whole step."""
    from gongzhi.registry.services import record_create, record_update

    replacement = _locked(replacement)
    referral = replacement.referral
    if not permissions.may_record_replacement_contract(actor, referral.elimination.street_id):
        raise PermissionDenied
    _require_step(replacement, "contract", today)
    if not isinstance(start_date, dt.date) or not isinstance(end_date, dt.date):
        raise EvaluationError(_("请填写新合同的开始和结束日期。"))
    fee = _fee(fee_standard)
    old = _old_contract(replacement)
    if old is None:
        raise EvaluationError(_("台账中没有该企业在本小区的物业服务合同，请先核对台账。"))
    from gongzhi.voting.models import Decision

    decision = Decision.objects.get(pk=replacement.decision_id)
    counted = decision.closed_at or decision.closes_at
    error = rules.handover_error(
        old_start=old.start_date,
        old_end=old.end_date,
        new_start=start_date,
        new_end=end_date,
        earliest=timezone.localdate(counted),
    )
    if error:
        raise EvaluationError(error)
    old_end_before = old.end_date
    new = Contract(
        estate=referral.estate,
        company=replacement.chosen_company,
        start_date=start_date,
        end_date=end_date,
        fee_standard=fee,
        service_level=(service_level or "").strip()[:20],
    )
    try:
        old = record_update(actor=actor, obj=old, data={"end_date": rules.old_contract_end(start_date)})
        new = record_create(actor=actor, obj=new)
    except ValidationError as exc:
        raise EvaluationError("；".join(exc.messages)) from exc
    except UserError as exc:
        raise EvaluationError(exc.message) from exc
    periods = Contract.objects.filter(estate_id=referral.estate_id).values_list("start_date", "end_date")
    gaps = rules.coverage_gaps(periods, old.start_date, end_date)
    if gaps:
        first, last = gaps[0]
        raise EvaluationError(
            _("%(a)s 至 %(b)s 小区没有物业服务企业，不能登记。")
            % {"a": long_date(first), "b": long_date(last)}
        )
    replacement.old_contract = old
    replacement.new_contract = new
    replacement.save(update_fields=["old_contract", "new_contract"])
    _audit(
        actor,
        replacement,
        "contract",
        {
            "new_contract": new.pk,
            "company": new.company.name,
            "start_date": start_date.isoformat(),
            "old_contract_end": [old_end_before.isoformat(), old.end_date.isoformat()],
        },
    )
    return new
