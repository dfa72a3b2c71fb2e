"""标杆企业: the street's leadership group names a benchmark company with a reason and a term, and may
revoke it. The ranking's top class (标杆候选) only proposes; a company it ranks among the elimination
candidates cannot be named (issue 14, 优胜劣汰)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.dates import long_date
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import (
    Benchmark,
    Campaign,
    CampaignStatus,
    CandidateStage,
    EliminationCandidate,
    EliminationStatus,
    ScoreClass,
    ScoreKind,
    ScoreSnapshot,
)
from gongzhi.evaluation.services.common import EvaluationError, _require, _today
from gongzhi.registry.models import Company, Street

# Stages in which a company is still on its way out: selected for the bottom list, proposed or eliminated.
LIVE_ELIMINATION_STAGES = (CandidateStage.SELECTED, CandidateStage.PROPOSED, CandidateStage.ELIMINATED)


def latest_closed_campaign(street_id: int) -> Campaign | None:
    """The street's latest closed and scored campaign: the ranking the benchmarks are chosen from."""
    return (
        Campaign.objects.filter(
            street_id=street_id, status=CampaignStatus.CLOSED, recomputed_at__isnull=False
        )
        .order_by("-period_end", "-pk")
        .first()
    )


def is_elimination_candidate(company_id: int, street_id: int) -> bool:
    """In the bottom class of the latest closed campaign, or on the list of an elimination not yet closed."""
    campaign = latest_closed_campaign(street_id)
    if (
        campaign is not None
        and ScoreSnapshot.objects.filter(
            campaign=campaign,
            kind=ScoreKind.COMPANY,
            company_id=company_id,
            score_class=ScoreClass.ELIMINATION,
        ).exists()
    ):
        return True
    return (
        EliminationCandidate.objects.filter(
            company_id=company_id, elimination__street_id=street_id, stage__in=LIVE_ELIMINATION_STAGES
        )
        .exclude(elimination__status=EliminationStatus.CLOSED)
        .exists()
    )


@transaction.atomic
def benchmark_name(
    *,
    actor,
    street: Street,
    company: Company,
    reason: str,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date | None = None,
) -> Benchmark:
    """Name ``company`` a benchmark of ``street`` from ``starts_on`` to ``ends_on`` (at most three years)."""
    _require(permissions.is_leadership(actor, street.pk))
    today = _today(today)
    errors = []
    if company.street_id != street.pk:
        errors.append(_("该企业不属于本街道。"))
    if not (reason or "").strip():
        errors.append(_("请填写命名理由。"))
    if len((reason or "").strip()) > 1000:
        errors.append(_("命名理由不能超过 1000 字。"))
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors.append(_("请填写标杆期限的起止日期。"))
    elif not (2000 <= starts_on.year <= 2100 and 2000 <= ends_on.year <= 2100):
        errors.append(_("标杆期限的日期应在 2000 年至 2100 年之间。"))
    elif ends_on <= starts_on:
        errors.append(_("标杆期限的截止日期应晚于起始日期。"))
    elif ends_on > rules.benchmark_term_end_limit(starts_on):
        errors.append(
            _("标杆期限最长 %(years)d 年：起始于 %(start)s 的期限最晚截止于 %(limit)s。")
            % {
                "years": rules.BENCHMARK_MAX_TERM_YEARS,
                "start": long_date(starts_on),
                "limit": long_date(rules.benchmark_term_end_limit(starts_on)),
            }
        )
    elif ends_on < today:
        errors.append(_("标杆期限已过，不能命名。"))
    if company.street_id == street.pk and is_elimination_candidate(company.pk, street.pk):
        errors.append(_("该企业在最近一次测评中为末位候选或正处于末尾淘汰程序中，不能命名为标杆。"))
    # Lock the street's live rows of this company so two leaders naming at once cannot both pass.
    current = list(
        Benchmark.objects.select_for_update().filter(street=street, company=company, revoked_at__isnull=True)
    )
    if any(b.ends_on >= today for b in current):
        errors.append(_("该企业已是本街道的标杆企业，请先撤销或待期满。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    now = timezone.now()
    for expired in current:
        # A term that has run out is closed, so the company can be named again (one live row per company).
        expired.revoked_at, expired.revoked_by = now, actor
        expired.revoke_reason = _("期满后重新命名")
        expired.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=expired,
            street_id=street.pk,
            changes={"revoked_at": now.isoformat(), "revoke_reason": expired.revoke_reason},
        )
    benchmark = Benchmark.objects.create(
        street=street,
        company=company,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        named_by=actor,
        named_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=benchmark,
        street_id=street.pk,
        changes={
            "company": company.name,
            "reason": benchmark.reason,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return benchmark


@transaction.atomic
def benchmark_revoke(*, actor, benchmark: Benchmark, reason: str) -> Benchmark:
    """Revoke a benchmark before its term ends; the reason is kept with the row."""
    _require(permissions.is_leadership(actor, benchmark.street_id))
    benchmark = Benchmark.objects.select_for_update().get(pk=benchmark.pk)
    if benchmark.revoked_at is not None:
        raise EvaluationError(_("该标杆已撤销。"))
    if not (reason or "").strip():
        raise EvaluationError(_("请填写撤销理由。"))
    benchmark.revoked_at = timezone.now()
    benchmark.revoked_by = actor
    benchmark.revoke_reason = reason.strip()
    benchmark.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=benchmark,
        street_id=benchmark.street_id,
        changes={"revoked_at": benchmark.revoked_at.isoformat(), "revoke_reason": benchmark.revoke_reason},
    )
    return benchmark
