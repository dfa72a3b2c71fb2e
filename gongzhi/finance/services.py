"""Writes of the finance app (docs/DESIGN.md §4.4, §5, §6): post and reverse ledger entries (nothing else touches
the ledgers), record disclosures, tighten a disclosure interval, set an estate's finance profile, attach
evidence to a fund use."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.kept import facts_changed
from gongzhi.core.keyed import Keyed, day_param
from gongzhi.core.models import AuditEvent
from gongzhi.core.uploads import PDF_TYPE as PDF_TYPE  # the evidence views read it from here
from gongzhi.core.uploads import CleanDocument, UploadRejected, clean_document
from gongzhi.finance.models import (
    Direction,
    Disclosure,
    DisclosurePlace,
    DisclosureSchedule,
    EvidenceKind,
    FinanceProfile,
    FundUseEvidence,
    LedgerEntry,
    LedgerKind,
)
from gongzhi.finance.permissions import (
    can_attach_evidence,
    can_disclose,
    can_edit_profile,
    can_post,
    can_set_schedule,
)
from gongzhi.finance.rules import (
    GENESIS,
    LEGAL_INTERVAL_MONTHS,
    LedgerError,
    check_entry_date,
    check_interval,
    entry_hash,
    next_balance,
    parse_amount,
    parse_period,
    period_text,
)
from gongzhi.finance.selectors import entry_line, last_disclosed_end, ledger_opening
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
    corrects: str = "",
    **extra: str,
) -> LedgerEntry:
    """Append one entry to an estate's ledger, chained to the last one (§6), and audit it.

    ``extra`` may name ``category``, ``counterparty`` (e.g. the contractor), ``reference`` (e.g. the owners'
    decision) and ``project``; they are part of the hashed entry. ``corrects`` names a disclosed period
    (``2025-01-01/2025-06-30``) this entry corrects; such an entry is dated today."""
    return _append(
        corrects=corrects,
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
    audit: bool = True,
    corrects: str = "",
) -> LedgerEntry:
    if ledger not in LedgerKind.values:
        raise LedgerError(_("未知的账本类型“%(value)s”。") % {"value": ledger})
    if not can_post(actor, estate, ledger):
        raise PermissionDenied
    if direction not in Direction.values:
        raise LedgerError(_("收支方向必须是收入（in）或支出（out）。"))
    unknown = set(extra) - set(EXTRA_FIELDS)
    if unknown:
        raise TypeError(f"unknown ledger fields: {sorted(unknown)}")
    value = parse_amount(amount)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise LedgerError(_("日期无效。"))
    today = timezone.localdate()
    check_entry_date(date, today=today, correction=bool(corrects))  # the bounds that need no query
    summary = (summary or "").strip()
    if not summary:
        raise LedgerError(_("请填写摘要。"))
    if len(summary) > 200:
        raise LedgerError(_("摘要最多 200 字。"))

    # Lock the estate row: serialises writers of its ledgers even while a ledger is still empty.
    list(Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk"))
    last = LedgerEntry.objects.filter(estate=estate, ledger=ledger).order_by("-seq").first()
    corrects = _corrected_period(estate, ledger, corrects)
    check_entry_date(
        date,
        today=today,
        opening=ledger_opening(estate.pk, ledger) if last else None,
        disclosed_end=last_disclosed_end(estate.pk, ledger),
        correction=bool(corrects),
    )
    balance = next_balance(last.balance if last else Decimal("0.00"), direction, value)
    if balance < 0:
        raise LedgerError(
            _("支出 %(amount)s 元超过当前余额 %(balance)s 元，余额不能为负。")
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
        corrects=corrects,
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
    facts_changed(estate.pk, "finance", "disclosure")
    entry.save()
    if not audit:  # an import writes one audit row for the whole file instead
        return entry
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
            **({"corrects": corrects} if corrects else {}),
        },
    )
    return entry


def _corrected_period(estate: Estate, ledger: str, corrects: str) -> str:
    """The disclosed period a correction names, checked against the disclosures recorded ("" for none)."""
    if not (corrects or "").strip():
        return ""
    start, end = parse_period(corrects)
    if not Disclosure.objects.filter(
        estate=estate, ledger=ledger, period_start=start, period_end=end
    ).exists():
        raise LedgerError(
            _("公示期间 %(period)s 没有登记过公示记录；更正只能针对已登记的公示期间。")
            % {"period": period_text(start, end)}
        )
    return period_text(start, end)


def _period_of(entry: LedgerEntry, today: dt.date) -> str:
    """The disclosed period a reversal dated today corrects: the one holding the reversed entry's date, or,
    when today itself still lies in a disclosed period, the latest one; "" when nothing disclosed changes."""
    disclosures = Disclosure.objects.filter(estate_id=entry.estate_id, ledger=entry.ledger)
    holding = disclosures.filter(period_start__lte=entry.date, period_end__gte=entry.date).order_by(
        "-period_end"
    )
    found = holding.first() or disclosures.filter(period_end__gte=today).order_by("-period_end").first()
    return period_text(found.period_start, found.period_end) if found else ""


@transaction.atomic
def ledger_reverse(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a posted entry by a new opposite entry of the same amount that names it (§6)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("冲正必须写明原因。"))
    if entry.reverses_id is not None:
        raise LedgerError(_("冲正记录本身不能再冲正；如需更正，请重新登记一笔正确的记录。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("第 %(seq)d 条已经冲正过。") % {"seq": entry.seq})
    summary = _("冲正第 %(seq)d 条：%(reason)s") % {"seq": entry.seq, "reason": reason}
    today = timezone.localdate()
    return _append(
        corrects=_period_of(entry, today),
        actor=actor,
        estate=entry.estate,
        ledger=entry.ledger,
        date=today,
        direction=Direction.OUT if entry.direction == Direction.IN else Direction.IN,
        amount=entry.amount,
        summary=summary[:200],
        reverses=entry,
        extra={name: getattr(entry, name) for name in EXTRA_FIELDS},
    )


# ---- Disclosures, schedules, profiles, evidence (docs/DESIGN.md §5) -----------------------------------------

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _document(upload, *, name: str) -> CleanDocument:
    """A PDF or photo checked by ``core.uploads.clean_document`` within 20 MB; a refusal is a LedgerError."""
    try:
        return clean_document(upload, name=name, max_bytes=MAX_DOCUMENT_BYTES)
    except UploadRejected as error:
        raise LedgerError(error.message) from None


def _check_ledger(ledger: str) -> None:
    if ledger not in LedgerKind.values:
        raise LedgerError(_("未知的账本类型“%(value)s”。") % {"value": ledger})


@transaction.atomic
def disclosure_record(
    *,
    actor,
    estate: Estate,
    ledger: str,
    period_start: dt.date,
    period_end: dt.date,
    posted_on: dt.date,
    place: str,
    note: str = "",
    attachment=None,
) -> Disclosure:
    """Record a disclosure that was made (append-only: corrections are new records)."""
    _check_ledger(ledger)
    if not can_disclose(actor, estate, ledger):
        raise PermissionDenied
    today = timezone.localdate()
    if place not in DisclosurePlace.values:
        raise LedgerError(_("请选择公示方式。"))
    if period_start > period_end:
        raise LedgerError(_("公示期间的开始日期不能晚于结束日期。"))
    if posted_on > today:
        raise LedgerError(_("公示日期不能晚于今天。"))
    if posted_on < period_end:
        raise LedgerError(_("公示日期不能早于公示期间的结束日期（只能公示已经结束的期间）。"))
    note = (note or "").strip()
    if len(note) > 300:
        raise LedgerError(_("备注最多 300 字。"))
    disclosure = Disclosure(
        estate=estate,
        ledger=ledger,
        period_start=period_start,
        period_end=period_end,
        posted_on=posted_on,
        place=place,
        note=note,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if attachment is not None:
        document = _document(attachment, name=_("附件"))
        disclosure.attachment_type = document.content_type
        disclosure.attachment.save(
            f"{uuid.uuid4().hex[:12]}.{document.extension}", ContentFile(document.content), save=False
        )
    disclosure.save()
    facts_changed(estate.pk, "disclosure")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=disclosure,
        street_id=estate.area.street_id,
        changes={
            "ledger": ledger,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "posted_on": posted_on.isoformat(),
            "place": place,
            "attachment": disclosure.attachment.name or "",
        },
    )
    return disclosure


@transaction.atomic
def disclosure_schedule_set(*, actor, estate: Estate, ledger: str, months: int) -> DisclosureSchedule | None:
    """Tighten (or restore) the disclosure interval of one estate's ledger; longer than the law is refused.
    Setting the legal interval removes the override."""
    _check_ledger(ledger)
    if not can_set_schedule(actor, estate):
        raise PermissionDenied
    check_interval(ledger, months)
    existing = DisclosureSchedule.objects.filter(estate=estate, ledger=ledger).first()
    before = existing.interval_months if existing else LEGAL_INTERVAL_MONTHS[ledger]
    result = None
    if months == LEGAL_INTERVAL_MONTHS[ledger]:
        if existing:
            existing.delete()
    else:
        result, _created = DisclosureSchedule.objects.update_or_create(
            estate=estate,
            ledger=ledger,
            defaults={"interval_months": months, "set_by": actor if actor.is_authenticated else None},
        )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=estate,
        street_id=estate.area.street_id,
        object_type="finance.DisclosureSchedule",
        object_label=f"{estate.name} {LedgerKind(ledger).label}",
        changes={"interval_months": [before, months]},
    )
    facts_changed(estate.pk, "disclosure")
    return result


@transaction.atomic
def finance_profile_update(
    *, actor, estate: Estate, initial_fund_amount: Any = None, income_tops_up_fund: bool = False
) -> FinanceProfile:
    """Set the estate's finance settings used by the money-rule alerts."""
    if not can_edit_profile(actor, estate):
        raise PermissionDenied
    amount = None
    if initial_fund_amount not in (None, ""):
        amount = parse_amount(initial_fund_amount)
    profile, _created = FinanceProfile.objects.get_or_create(estate=estate)
    before = {
        "initial_fund_amount": profile.initial_fund_amount,
        "income_tops_up_fund": profile.income_tops_up_fund,
    }
    profile.initial_fund_amount = amount
    profile.income_tops_up_fund = bool(income_tops_up_fund)
    profile.updated_by = actor if actor.is_authenticated else None
    profile.save()
    facts_changed(estate.pk, "finance")
    after = {"initial_fund_amount": amount, "income_tops_up_fund": profile.income_tops_up_fund}
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=profile,
        street_id=estate.area.street_id,
        changes={
            k: [str(before[k]) if before[k] is not None else None, str(v) if v is not None else None]
            for k, v in after.items()
            if before[k] != v
        },
    )
    return profile


@transaction.atomic
def evidence_attach(*, actor, entry: LedgerEntry, kind: str, upload, note: str = "") -> FundUseEvidence:
    """Attach a document (审价报告, 业主大会决定, 验收报告 …) to a maintenance-fund use, after the fact."""
    estate = entry.estate
    if not can_attach_evidence(actor, estate):
        raise PermissionDenied
    if entry.ledger != LedgerKind.MAINTENANCE_FUND or entry.direction != Direction.OUT or entry.reverses_id:
        raise LedgerError(_("只能为维修资金的使用（支出）记录上传材料。"))
    if kind not in EvidenceKind.values:
        raise LedgerError(_("请选择材料类型。"))
    note = (note or "").strip()[:200]
    document = _document(upload, name=getattr(upload, "name", "") or _("文件"))
    evidence = FundUseEvidence(
        entry=entry,
        kind=kind,
        content_type=document.content_type,
        size=len(document.content),
        sha256=hashlib.sha256(document.content).hexdigest(),
        note=note,
        uploaded_by=actor if actor.is_authenticated else None,
    )
    evidence.file.save(
        f"{uuid.uuid4().hex[:12]}.{document.extension}", ContentFile(document.content), save=False
    )
    evidence.save()
    facts_changed(estate.pk, "finance")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=evidence,
        street_id=estate.area.street_id,
        changes={"entry_seq": entry.seq, "kind": kind, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


# ---- the daily check: overdue disclosures and money-rule alerts → notifications ------------------------


def _responsible(estates: dict[int, Estate], today: dt.date) -> dict[tuple[int, str], set[int]]:
    """(estate id, "owners" | "fee" | "street") → user ids: the estate's owners' committee, the staff of
    its managing company, the street admins. Three queries."""
    from gongzhi.core.models import Role, RoleGrant
    from gongzhi.registry.models import Contract

    people: dict[tuple[int, str], set[int]] = {}
    for user_id, estate_id in RoleGrant.objects.filter(
        role=Role.OC_MEMBER, estate_id__in=list(estates)
    ).values_list("user_id", "estate_id"):
        people.setdefault((estate_id, "owners"), set()).add(user_id)
    managing: dict[int, set[int]] = {}
    for estate_id, company_id in (
        Contract.objects.active(on=today)
        .filter(estate_id__in=list(estates))
        .values_list("estate_id", "company_id")
    ):
        managing.setdefault(company_id, set()).add(estate_id)
    for user_id, company_id in RoleGrant.objects.filter(
        role=Role.COMPANY_STAFF, company_id__in=list(managing)
    ).values_list("user_id", "company_id"):
        for estate_id in managing[company_id]:
            people.setdefault((estate_id, "fee"), set()).add(user_id)
    street_admins: dict[int, set[int]] = {}
    streets = {e.area.street_id for e in estates.values()}
    for user_id, street_id in RoleGrant.objects.filter(
        role=Role.STREET_ADMIN, street_id__in=streets
    ).values_list("user_id", "street_id"):
        street_admins.setdefault(street_id, set()).add(user_id)
    for estate_id, estate in estates.items():
        people[estate_id, "street"] = street_admins.get(estate.area.street_id, set())
    return people


@transaction.atomic
def finance_check_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Notify the responsible users once per overdue disclosure (estate, ledger, due date) and once per
    money-rule alert; safe to run every day (``FinanceNotice`` remembers what was sent)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from gongzhi.core.notify import notify
    from gongzhi.finance.models import FinanceNotice
    from gongzhi.finance.selectors import disclosure_status, money_alerts

    today = today or timezone.localdate()
    estates = {e.pk: e for e in Estate.objects.select_related("area")}
    states = disclosure_status(estate_ids=list(estates), today=today)
    alerts = money_alerts(estate_ids=list(estates), today=today)
    wanted: list[tuple[str, int, str, Keyed, str]] = []  # key, estate, who, text, url
    labels = dict(LedgerKind.choices)
    for (estate_id, ledger), state in states.items():
        if not state.overdue:
            continue
        who = "fee" if ledger == LedgerKind.PROPERTY_FEE else "owners"
        text = Keyed(
            gettext_noop("%(estate)s的%(ledger)s应于 %(due)s 公示，已超期 %(days)d 天。"),
            {
                "estate": estates[estate_id].name,
                "ledger": str(labels[ledger]),
                "due": day_param(state.due_date),
                "days": state.days_overdue,
            },
        )
        url = f"{reverse('finance:estate', args=[estate_id])}?ledger={ledger}#disclosure"
        wanted.append(
            (f"disclosure:{estate_id}:{ledger}:{state.due_date.isoformat()}", estate_id, who, text, url)
        )
    for alert in alerts:
        text = Keyed(
            gettext_noop("%(estate)s：%(label)s。%(detail)s"),
            {"estate": estates[alert.estate_id].name, "label": str(alert.label), "detail": str(alert.detail)},
        )
        url = f"{reverse('finance:estate', args=[alert.estate_id])}?ledger={alert.ledger}#alerts"
        wanted.append((alert.key, alert.estate_id, "owners", text, url))
    sent_before = set(
        FinanceNotice.objects.filter(key__in=[w[0] for w in wanted]).values_list("key", flat=True)
    )
    fresh = [w for w in wanted if w[0] not in sent_before]
    if not fresh:
        return {"overdue": sum(1 for s in states.values() if s.overdue), "alerts": len(alerts), "sent": 0}
    people = _responsible({w[1]: estates[w[1]] for w in fresh}, today)
    users = {
        u.pk: u for u in get_user_model().objects.filter(is_active=True, pk__in=set().union(*people.values()))
    }
    notices = []
    messages_sent = 0
    for key, estate_id, who, text, url in fresh:
        ids = people.get((estate_id, who), set()) | people.get((estate_id, "street"), set())
        count = notify(
            [users[i] for i in sorted(ids) if i in users],
            text,
            url=url,
            urgent=True,
            event="finance.disclosure_due" if key.startswith("disclosure:") else "finance.money_alert",
            street_id=estates[estate_id].area.street_id,
            ref=key,
        )
        messages_sent += count
        notices.append(FinanceNotice(key=key[:200], estate_id=estate_id, recipients=count))
    FinanceNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return {
        "overdue": sum(1 for s in states.values() if s.overdue),
        "alerts": len(alerts),
        "new": len(fresh),
        "sent": messages_sent,
    }
