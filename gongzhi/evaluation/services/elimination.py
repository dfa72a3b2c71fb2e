"""末尾淘汰: pick the bottom N, fault-finding (找茬), rectification, re-evaluation, proposal, the
leadership group's decision and the referral to the owners (《民法典》第二百七十八条第一款第（四）项)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.dates import long_date
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import (
    Campaign,
    CampaignStatus,
    CandidateStage,
    EliminationCampaign,
    EliminationCandidate,
    EliminationEvent,
    EliminationStatus,
    FaultFinding,
    OwnersDecisionReferral,
    Replacement,
    ScoreKind,
    ScoreSnapshot,
)
from gongzhi.evaluation.services.common import EvaluationError, _require, _serving_company, _today
from gongzhi.evaluation.services.recompute import _d
from gongzhi.registry.models import Building, Contract, Estate


def _event(elimination, actor, action, from_status, note="", evidence=None) -> EliminationEvent:
    return EliminationEvent.objects.create(
        elimination=elimination,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor) if actor else _("系统"),
        action=action,
        from_status=from_status,
        to_status=elimination.status,
        note=note,
        evidence=evidence or {},
    )


def _company_rows(campaign: Campaign) -> list[ScoreSnapshot]:
    return list(
        ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY).select_related("company")
    )


def _evidence_row(s: ScoreSnapshot) -> dict:
    return {
        "company": s.company.name,
        "company_id": s.company_id,
        "rank": s.rank,
        "rank_range": [s.rank_best, s.rank_worst],
        "score": str(s.composite),
        "interval": [str(s.low), str(s.high)],
        "responses": s.responses,
        "survey_weight": _snapshot_weight(s),
    }


def _snapshot_weight(s: ScoreSnapshot) -> float:
    """The survey weight stored at recompute (rules.company_survey_weight); 0 when a snapshot predates it."""
    return float((s.detail or {}).get("survey_weight", 0.0))


def _standing(s: ScoreSnapshot) -> tuple:
    """A snapshot as an entry of rules.rank_with_intervals / rules.bottom (the one ranking order)."""
    return (s.company_id, float(s.composite), float(s.low), float(s.high), s.responses)


@transaction.atomic
def elimination_create(
    *,
    actor,
    basis_campaign: Campaign,
    name: str,
    fault_opens_on: dt.date,
    fault_closes_on: dt.date,
    bottom_n: int = rules.DEFAULT_BOTTOM_N,
    final_m: int = rules.DEFAULT_FINAL_M,
    min_responses: int = rules.MIN_EVIDENCE_RESPONSES,
    min_survey_weight: Decimal | float | str = Decimal("0.50"),
) -> EliminationCampaign:
    """Pick the bottom N companies of a closed, recomputed campaign and open their fault-finding window.
    ``min_responses`` / ``min_survey_weight``: the evidence a company needs before it can be eliminated."""
    basis_campaign = Campaign.objects.get(pk=basis_campaign.pk)
    _require(permissions.is_street_admin(actor, basis_campaign.street_id))
    errors = []
    if not (name or "").strip():
        errors.append(_("请填写名称。"))
    if basis_campaign.status != CampaignStatus.CLOSED:
        errors.append(_("依据的测评活动必须已结束。"))
    rows = _company_rows(basis_campaign)
    if not rows:
        errors.append(_("依据的测评活动还没有计算企业排名，请先重新计算。"))
    if not 1 <= final_m <= bottom_n:
        errors.append(_("拟淘汰家数应至少为 1 且不超过末位家数。"))
    elif rows and bottom_n >= len(rows):
        errors.append(_("末位家数（%(n)d）必须少于参评企业数（%(c)d）。") % {"n": bottom_n, "c": len(rows)})
    if fault_opens_on is None or fault_closes_on is None or fault_closes_on < fault_opens_on:
        errors.append(_("找茬截止日期不能早于开始日期。"))
    try:
        min_weight: Decimal | None = Decimal(str(min_survey_weight).strip())
    except ArithmeticError:
        min_weight = None
    if min_weight is not None and not min_weight.is_finite():
        min_weight = None
    if not isinstance(min_responses, int) or not 0 <= min_responses <= 10000:
        errors.append(_("淘汰所需最少答卷数应是 0 到 10000 之间的整数。"))
    if min_weight is None or not 0 <= min_weight <= 1:
        errors.append(_("最低自身权重应在 0 到 1 之间。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    # The bottom N in the one ranking order (rules.ranking_key): the same cut as the class on the page.
    chosen_ids = rules.bottom([_standing(s) for s in rows], bottom_n)
    by_company = {s.company_id: s for s in rows}
    chosen = [by_company[c] for c in chosen_ids]
    # Honesty at the cut: the companies spared whose interval overlaps the best one chosen.
    spared = [by_company[c] for c in rules.bottom([_standing(s) for s in rows], len(rows))[bottom_n:]]
    boundary = []
    if spared:
        last = chosen[-1]
        boundary = [_evidence_row(s) for s in spared if s.low <= last.high and last.low <= s.high]
    elimination = EliminationCampaign.objects.create(
        street_id=basis_campaign.street_id,
        name=name.strip(),
        basis_campaign=basis_campaign,
        bottom_n=bottom_n,
        final_m=final_m,
        min_responses=min_responses,
        min_survey_weight=min_weight.quantize(Decimal("0.01")),
        fault_opens_on=fault_opens_on,
        fault_closes_on=fault_closes_on,
    )
    EliminationCandidate.objects.bulk_create(
        EliminationCandidate(
            elimination=elimination,
            company_id=s.company_id,
            basis_rank=s.rank,
            basis_score=s.composite,
            basis_low=s.low,
            basis_high=s.high,
            basis_responses=s.responses,
            basis_weight=_d(_snapshot_weight(s)),
        )
        for s in chosen
    )
    _event(
        elimination,
        actor,
        "create",
        "",
        evidence={
            "basis_campaign": basis_campaign.name,
            "companies_ranked": len(rows),
            "chosen": [_evidence_row(s) for s in chosen],
            "overlapping_at_cut": boundary,
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=elimination,
        street_id=elimination.street_id,
        changes={
            "bottom_n": bottom_n,
            "min_responses": min_responses,
            "min_survey_weight": str(elimination.min_survey_weight),
            "chosen": [s.company.name for s in chosen],
        },
    )
    return elimination


def _candidate_company_ids(elimination: EliminationCampaign) -> set[int]:
    return set(elimination.candidates.values_list("company_id", flat=True))


@transaction.atomic
def fault_file(
    *,
    actor,
    elimination: EliminationCampaign,
    estate: Estate,
    category,
    description: str,
    building: Building | None = None,
    location: str = "",
    photos: Sequence = (),
    today: dt.date | None = None,
) -> FaultFinding:
    """A resident (or office user) files a fault (找茬) against the bottom-N company serving the estate:
    it becomes a problem in the tracker, tagged to the elimination campaign."""
    from gongzhi.problems import permissions as problem_permissions
    from gongzhi.problems.services import ProblemError, problem_report

    elimination = EliminationCampaign.objects.select_for_update().get(pk=elimination.pk)
    day = _today(today)
    if elimination.status != EliminationStatus.FAULT_FINDING or not (
        elimination.fault_opens_on <= day <= elimination.fault_closes_on
    ):
        raise EvaluationError(
            _("找茬期间为 %(a)s 至 %(b)s，现在不能提交。")
            % {"a": elimination.fault_opens_on, "b": elimination.fault_closes_on}
        )
    if estate.area.street_id != elimination.street_id:
        raise PermissionDenied
    company = _serving_company(estate, day)
    if company is None or company.pk not in _candidate_company_ids(elimination):
        raise EvaluationError(_("该小区的物业公司不在本次末位名单中。"))
    sources = problem_permissions.report_sources(actor, estate)
    _require(bool(sources))
    try:
        problem = problem_report(
            actor=actor,
            estate=estate,
            category=category,
            description=description,
            source=sources[0],
            building=building,
            location=location,
            photos=photos,
        )
    except ProblemError as exc:
        raise EvaluationError(exc.message) from exc
    fault = FaultFinding.objects.create(elimination=elimination, company=company, problem=problem)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=fault,
        street_id=elimination.street_id,
        object_label=f"{elimination.name} · {problem.number}",
        changes={"company": company.name},
    )
    return fault


def _require_actor(actor, elimination: EliminationCampaign, action: str) -> None:
    transition = rules.ELIMINATION_TRANSITIONS[action]
    if transition.actor == rules.LEADERSHIP:
        _require(permissions.is_leadership(actor, elimination.street_id))
    else:
        _require(permissions.is_street_admin(actor, elimination.street_id))


@transaction.atomic
def elimination_advance(
    *,
    actor,
    elimination: EliminationCampaign,
    action: str,
    note: str = "",
    reevaluation_campaign: Campaign | None = None,
    rectification_until: dt.date | None = None,
    today: dt.date | None = None,
    confirm_early_end: bool = False,
) -> EliminationCampaign:
    """One step of the workflow (rules.ELIMINATION_TRANSITIONS), with the evidence it rests on:

    start_rectification (admin; ``rectification_until``) · start_reevaluation (admin;
    ``reevaluation_campaign``, a later campaign) · propose (admin: the bottom M of the candidates in
    the re-evaluation; needs it closed and recomputed) · approve / return (leadership group; return
    needs a note) · refer (admin: each affected estate → an owners' decision, art. 278 matter 4) · close."""
    elimination = EliminationCampaign.objects.select_for_update().get(pk=elimination.pk)
    if action not in rules.ELIMINATION_TRANSITIONS:
        raise EvaluationError(_("未知的操作。"))
    _require_actor(actor, elimination, action)
    target = rules.elimination_target(elimination.status, action)
    if target is None:
        raise EvaluationError(
            _("当前状态“%(s)s”下不能执行该操作。") % {"s": elimination.get_status_display()}
        )
    note = (note or "").strip()
    if rules.ELIMINATION_TRANSITIONS[action].needs_note and len(note) < 4:
        raise EvaluationError(_("退回时请写明理由（至少 4 个字）。"))
    day = _today(today)
    evidence: dict = {}
    from_status = elimination.status
    if action == "start_rectification":
        if day < elimination.fault_closes_on:
            # Residents were told (楼道公告, survey page) they could file until fault_closes_on; ending
            # before that takes away days they were promised, so it is said, justified and on the record.
            announced = long_date(elimination.fault_closes_on)
            if len(note) < 4:
                raise EvaluationError(
                    _("已告知居民找茬到 %(d)s 截止。提前结束须写明理由（至少 4 个字）。") % {"d": announced}
                )
            if not confirm_early_end:
                raise EvaluationError(
                    _("已告知居民找茬到 %(d)s 截止。提前结束须勾选确认。") % {"d": announced}
                )
            evidence["ended_early"] = {
                "announced_close": elimination.fault_closes_on.isoformat(),
                "ended_on": day.isoformat(),
                "days_cut": (elimination.fault_closes_on - day).days,
                "reason": note,
            }
        if rectification_until is None or rectification_until <= day:
            raise EvaluationError(_("请填写晚于今天的整改期限。"))
        elimination.rectification_until = rectification_until
        faults = FaultFinding.objects.filter(elimination=elimination)
        evidence["faults"] = {
            str(row["company__name"]): row["n"]
            for row in faults.values("company__name").annotate(n=Count("id"))
        }
    elif action == "start_reevaluation":
        campaign = Campaign.objects.filter(pk=getattr(reevaluation_campaign, "pk", None)).first()
        if campaign is None or campaign.street_id != elimination.street_id:
            raise EvaluationError(_("请选择本街道的复评测评活动。"))
        if (
            campaign.pk == elimination.basis_campaign_id
            or campaign.period_end <= elimination.basis_campaign.period_end
        ):
            raise EvaluationError(_("复评必须是考核期晚于初评的另一次测评。"))
        elimination.reevaluation_campaign = campaign
        evidence["reevaluation_campaign"] = campaign.name
    elif action == "propose":
        evidence = _propose(elimination)
    elif action in ("approve", "return"):
        elimination.decided_by = actor
        elimination.decided_at = timezone.now()
        elimination.decision_note = note
        if action == "approve":
            proposed = list(
                elimination.candidates.filter(stage=CandidateStage.PROPOSED).select_related("company")
            )
            thin = [c.company.name for c in proposed if not _enough_evidence(elimination, c)]
            if thin:
                raise EvaluationError(
                    _("证据不足，不得淘汰：%(n)s。请退回，待补充测评后重新提出。") % {"n": "、".join(thin)}
                )
            elimination.candidates.filter(stage=CandidateStage.PROPOSED).update(
                stage=CandidateStage.ELIMINATED
            )
            evidence["eliminated"] = list(
                elimination.candidates.filter(stage=CandidateStage.ELIMINATED).values_list(
                    "company__name", flat=True
                )
            )
        else:
            elimination.candidates.update(stage=CandidateStage.SELECTED)
    elif action == "refer":
        evidence["referrals"] = _refer(elimination, day)
    elimination.status = target
    elimination.save()
    _event(elimination, actor, action, from_status, note=note, evidence=evidence)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=elimination,
        street_id=elimination.street_id,
        changes={"status": [from_status, target], "action": action}
        | ({"ended_early": evidence["ended_early"]} if "ended_early" in evidence else {}),
    )
    return elimination


def _propose(elimination: EliminationCampaign) -> dict:
    campaign = elimination.reevaluation_campaign
    if campaign is None or campaign.status != CampaignStatus.CLOSED or campaign.recomputed_at is None:
        raise EvaluationError(_("复评测评活动须已结束并完成计算，才能提出拟淘汰名单。"))
    rows = {s.company_id: s for s in _company_rows(campaign)}
    candidates = list(elimination.candidates.select_related("company"))
    missing = [c.company.name for c in candidates if c.company_id not in rows]
    if missing:
        raise EvaluationError(_("以下企业在复评中没有得分：%(n)s。") % {"n": "、".join(missing)})
    for c in candidates:
        s = rows[c.company_id]
        c.re_rank, c.re_score, c.re_low, c.re_high = s.rank, s.composite, s.low, s.high
        c.re_responses, c.re_weight = s.responses, _d(_snapshot_weight(s))
    # The bottom M in the one ranking order. A company among them without enough evidence is flagged
    # "证据不足，不得淘汰" and kept; nobody else is proposed in its place (it was not among the worst M).
    worst = set(rules.bottom([_standing(rows[c.company_id]) for c in candidates], elimination.final_m))
    for c in candidates:
        if c.company_id not in worst:
            c.stage = CandidateStage.CLEARED
        elif _enough_evidence(elimination, c):
            c.stage = CandidateStage.PROPOSED
        else:
            c.stage = CandidateStage.INSUFFICIENT
    EliminationCandidate.objects.bulk_update(
        candidates, ["re_rank", "re_score", "re_low", "re_high", "re_responses", "re_weight", "stage"]
    )
    proposed = [c for c in candidates if c.stage == CandidateStage.PROPOSED]
    cleared = [c for c in candidates if c.stage == CandidateStage.CLEARED]
    overlapping = []
    if proposed:
        best_proposed = min(proposed, key=lambda c: c.re_rank)
        overlapping = [
            c.company.name
            for c in cleared
            if c.re_low <= best_proposed.re_high and best_proposed.re_low <= c.re_high
        ]
    faults = dict(
        FaultFinding.objects.filter(elimination=elimination)
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )
    return {
        "reevaluation_campaign": campaign.name,
        "candidates": [
            {
                "company": c.company.name,
                "basis_rank": c.basis_rank,
                "basis_score": str(c.basis_score),
                "re_rank": c.re_rank,
                "re_score": str(c.re_score),
                "re_interval": [str(c.re_low), str(c.re_high)],
                "responses": c.re_responses,
                "survey_weight": str(c.re_weight),
                "sufficient": _enough_evidence(elimination, c),
                "faults": faults.get(c.company_id, 0),
                "stage": c.stage,
            }
            for c in sorted(
                candidates,
                key=lambda c: rules.ranking_key(c.company_id, c.re_score, c.re_low, c.re_responses or 0),
                reverse=True,
            )
        ],
        "minimum_evidence": {
            "responses": elimination.min_responses,
            "survey_weight": str(elimination.min_survey_weight),
        },
        # Companies spared whose interval overlaps a proposed one: the leadership group should know.
        "overlapping_at_cut": overlapping,
    }


def _enough_evidence(elimination: EliminationCampaign, candidate: EliminationCandidate) -> bool:
    """The candidate's re-evaluation meets the campaign's minimum evidence (rules.evidence_sufficient)."""
    if candidate.re_responses is None or candidate.re_weight is None:
        return False
    return rules.evidence_sufficient(
        candidate.re_responses,
        float(candidate.re_weight),
        elimination.min_responses,
        float(elimination.min_survey_weight),
    )


def _refer(elimination: EliminationCampaign, day: dt.date) -> list[dict]:
    eliminated = list(
        elimination.candidates.filter(stage=CandidateStage.ELIMINATED).values_list("company_id", flat=True)
    )
    contracts = Contract.objects.active(on=day).filter(
        company_id__in=eliminated, estate__area__street_id=elimination.street_id
    )
    referrals = []
    for contract in contracts.select_related("estate", "company"):
        referral, _c = OwnersDecisionReferral.objects.get_or_create(
            elimination=elimination,
            estate=contract.estate,
            defaults={
                "company": contract.company,
                "matter": 4,
                "referred_on": day,
                "note": _(
                    "经末尾淘汰审定，提请业主大会决定解聘/选聘物业服务企业（《民法典》第二百七十八条第一款第（四）项）。"
                ),
            },
        )
        # The replacement (evaluation/replacement.py) starts with the referral: its tracker and detail page.
        Replacement.objects.get_or_create(referral=referral)
        referrals.append({"estate": contract.estate.name, "company": contract.company.name})
    return referrals


def elimination_start_rectification(
    *, actor, elimination, rectification_until, note="", today=None, confirm_early_end=False
):
    return elimination_advance(
        actor=actor,
        elimination=elimination,
        action="start_rectification",
        note=note,
        rectification_until=rectification_until,
        today=today,
        confirm_early_end=confirm_early_end,
    )


def elimination_start_reevaluation(*, actor, elimination, reevaluation_campaign, note=""):
    return elimination_advance(
        actor=actor,
        elimination=elimination,
        action="start_reevaluation",
        note=note,
        reevaluation_campaign=reevaluation_campaign,
    )


def elimination_propose(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="propose", note=note)


def elimination_approve(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="approve", note=note)


def elimination_return(*, actor, elimination, note):
    return elimination_advance(actor=actor, elimination=elimination, action="return", note=note)


def elimination_refer(*, actor, elimination, note="", today=None):
    return elimination_advance(actor=actor, elimination=elimination, action="refer", note=note, today=today)


def elimination_close(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="close", note=note)
